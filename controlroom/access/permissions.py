"""Who may see and do what, decided here only: audiences, roles, permission sets, devices.

Design: docs/security.md. An ``Audience`` (``control``, ``observer``, ``team:<id>``,
``actor:<role>``) is a value type parsed and printed here and nowhere else. Roles are grouped
into named permission sets (``DIRECTING``, ``CONTROLLING``, ``STAFF``...) that routes ask for,
never literal tuples of roles. ``active_device`` is the one check that a device is still
joined to its exercise and not revoked: the socket, the device pages and attachments call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from controlroom.exercise.lifecycles import DeviceMove
from controlroom.exercise.state import Device, ExerciseState

Role = Literal["director", "controller", "observer", "team", "actor"]
StaffRole = Literal["director", "controller", "observer"]

# -- named permission sets ------------------------------------------------------------------------

DIRECTING: frozenset[Role] = frozenset({"director"})  # the clock, the script, devices, accounts
CONTROLLING: frozenset[Role] = frozenset({"director", "controller"})  # release, answer, notes
STAFF: frozenset[Role] = frozenset({"director", "controller", "observer"})  # sees every inject
DEVICES: frozenset[Role] = frozenset({"team", "actor"})  # roles a team's or actor's device has
# An observer's tablet (joined by QR code) has the role "observer" too: it records
# observations and nothing else; it never opens a console page (``requires`` wants an account).
DEVICE_ROLES: frozenset[Role] = DEVICES | {"observer"}
ROLES: frozenset[Role] = STAFF | DEVICES
STAFF_ROLES: tuple[StaffRole, ...] = ("director", "controller", "observer")  # accounts' roles
CONTROL_ROLES = CONTROLLING  # the one definition of who controls an exercise


class AudienceKind(StrEnum):
    CONTROL = "control"
    OBSERVER = "observer"
    TEAM = "team"
    ACTOR = "actor"


@dataclass(frozen=True, slots=True, order=True)
class Audience:
    """Who a stream of frames is for: ``str()`` prints it, ``Audience.parse`` reads it."""

    kind: AudienceKind
    name: str = ""  # the team id or the actor role id

    @classmethod
    def team(cls, team: str) -> Audience:
        return cls(AudienceKind.TEAM, team)

    @classmethod
    def actor(cls, role: str) -> Audience:
        return cls(AudienceKind.ACTOR, role)

    @classmethod
    def of_device(cls, team: str | None, role: str | None, observer: bool = False) -> Audience:
        """The audience (and join target) a device belongs to."""
        if observer:
            return OBSERVER
        return cls.team(team) if team is not None else cls.actor(role or "")

    @classmethod
    def of_role(cls, role: Role, team: str | None, actor_role: str | None) -> Audience:
        if role in CONTROLLING:
            return CONTROL
        if role == "observer":
            return OBSERVER
        return cls.of_device(team, None) if role == "team" else cls.actor(actor_role or "")

    @classmethod
    def parse(cls, text: str) -> Audience:
        """``"team:alpha"`` -> ``Audience(TEAM, "alpha")`` (``ValueError`` if malformed)."""
        kind, colon, name = text.partition(":")
        try:
            audience = cls(AudienceKind(kind), name)
        except ValueError:
            raise ValueError(f"not an audience: {text!r}") from None
        if audience.sees_all == bool(colon or name) or (not audience.sees_all and not name):
            raise ValueError(f"not an audience: {text!r}")
        return audience

    @property
    def sees_all(self) -> bool:
        return self.kind in (AudienceKind.CONTROL, AudienceKind.OBSERVER)

    def __str__(self) -> str:
        return self.kind.value if self.sees_all else f"{self.kind.value}:{self.name}"


CONTROL = Audience(AudienceKind.CONTROL)
OBSERVER = Audience(AudienceKind.OBSERVER)


# Printed once per name: the hub routes every event to a team's audience by this name.
@lru_cache(maxsize=4096)
def team_audience(team: str) -> str:
    return str(Audience.team(team))


@lru_cache(maxsize=4096)
def actor_audience(role: str) -> str:
    return str(Audience.actor(role))


def device_target(team: str | None, role: str | None, observer: bool = False) -> str:
    """The audience (and join target) a device belongs to, printed."""
    return str(Audience.of_device(team, role, observer))


def active_device(state: ExerciseState, device: object) -> Device | None:
    """The device if it has joined this exercise and is not revoked (else None): one check."""
    known = state.devices.get(device) if isinstance(device, str) else None
    return known if known is not None and known.can(DeviceMove.ACT) else None


def reads_team_file(kind: str, role: str, team: str | None, owner: str) -> bool:
    """Whether a viewer may fetch a file a team sent with a reply (docs/security.md).

    The team that sent it (any of its live devices: the caller checks the device is live and
    of this exercise) and the control room's staff (director, controllers, and observers,
    who rate replies); nobody else, not another team's device nor an actor's.
    """
    if kind == "device":
        return role == "team" and team == owner
    return kind == "user" and role in STAFF
