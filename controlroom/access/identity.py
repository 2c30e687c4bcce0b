"""Who is on the other end of a request or a socket: derived on the server, never claimed.

Design: docs/security.md. An ``Identity`` comes from the server-side session behind the
session cookie (or, with ``test_tokens`` on, from a token signed with the secret key). Its
``audience`` is the one thing the delivery layer filters on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["director", "controller", "observer", "team", "actor"]
CONTROL_ROLES = frozenset({"director", "controller"})


def team_audience(team: str) -> str:
    return f"team:{team}"


def actor_audience(role: str) -> str:
    return f"actor:{role}"


def device_target(team: str | None, role: str | None) -> str:
    """The audience (and join target) a device belongs to."""
    return team_audience(team) if team is not None else actor_audience(role or "")


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
        if self.role in CONTROL_ROLES:
            return "control"
        if self.role == "observer":
            return "observer"
        if self.role == "team":
            return team_audience(self.team or "")
        return actor_audience(self.actor_role or "")

    @property
    def can_control(self) -> bool:
        return self.role in CONTROL_ROLES
