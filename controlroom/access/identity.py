"""Who is on the other end of a request or a socket: derived on the server, never claimed.

Design: docs/security.md. An ``Identity`` comes from the server-side session behind the
session cookie (or, with ``test_tokens`` on, from a token signed with the secret key). Its
``audience`` is the one thing the delivery layer filters on.
"""

from __future__ import annotations

from dataclasses import dataclass

from controlroom.access.permissions import (
    CONTROLLING,
    Audience,
    Role,
    actor_audience,
    device_target,
    team_audience,
)

__all__ = ["Identity", "Role", "actor_audience", "device_target", "team_audience"]


@dataclass(frozen=True, slots=True)
class Identity:
    exercise: str
    role: Role
    principal: str  # the user's name, or the device id
    team: str | None = None
    actor_role: str | None = None  # the scenario role an actor's device is bound to
    device: str | None = None
    language: str = "en"

    @property
    def audience(self) -> str:
        """``control``, ``observer``, ``team:<id>`` or ``actor:<role id>``."""
        return str(Audience.of_role(self.role, self.team or "", self.actor_role))

    @property
    def can_control(self) -> bool:
        return self.role in CONTROLLING
