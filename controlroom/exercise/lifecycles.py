"""Release, request, cue, device, clock, team pace as state machines. Design: docs/exercise.md.

Each lifecycle is an enum of states, an enum of moves and one transition table, in the style
of the socket's own machine (``controlroom/delivery/connection.py``). ``Lifecycle.can`` is
the one place that answers "can this be held", "is this still unreleased"; ``Lifecycle.move``
raises ``InvalidMove`` on a move the table does not allow. The fold checks every event
against these tables before it changes anything, and the commands ask the same tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar


class InvalidMove(ValueError):
    """A move the lifecycle's table does not allow from the current state."""


S = TypeVar("S", bound=StrEnum)
M = TypeVar("M", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Lifecycle(Generic[S, M]):
    name: str
    table: Mapping[S, Mapping[M, S]]

    def can(self, state: S, move: M) -> bool:
        return move in self.table[state]

    def move(self, state: S, move: M) -> S:
        """The state after ``move`` from ``state`` (``InvalidMove`` if the table has none)."""
        try:
            return self.table[state][move]
        except KeyError:
            raise InvalidMove(f"a {state.value} {self.name} cannot {move.value}") from None


# -- a release: one inject for one team --------------------------------------------------------


class ReleaseStatus(StrEnum):
    PLANNED = "planned"  # manual, waiting for its trigger, or before STARTEX
    SCHEDULED = "scheduled"
    HELD = "held"
    RELEASED = "released"
    DELIVERED = "delivered"  # a device of the team has it
    ACKNOWLEDGED = "acknowledged"
    CANCELLED = "cancelled"


class ReleaseMove(StrEnum):
    RELEASE = "release"
    HOLD = "hold"
    UNHOLD = "unhold"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    DELIVER = "deliver"
    ACKNOWLEDGE = "acknowledge"


_R, _RM = ReleaseStatus, ReleaseMove
RELEASE: Lifecycle[ReleaseStatus, ReleaseMove] = Lifecycle(
    "release",
    {
        _R.PLANNED: {
            _RM.RELEASE: _R.RELEASED,
            _RM.HOLD: _R.HELD,
            _RM.RESCHEDULE: _R.SCHEDULED,
            _RM.CANCEL: _R.CANCELLED,
        },
        _R.SCHEDULED: {
            _RM.RELEASE: _R.RELEASED,
            _RM.HOLD: _R.HELD,
            _RM.RESCHEDULE: _R.SCHEDULED,
            _RM.CANCEL: _R.CANCELLED,
        },
        _R.HELD: {
            _RM.RELEASE: _R.RELEASED,
            _RM.UNHOLD: _R.SCHEDULED,
            _RM.RESCHEDULE: _R.SCHEDULED,
            _RM.CANCEL: _R.CANCELLED,
        },
        _R.RELEASED: {_RM.DELIVER: _R.DELIVERED, _RM.ACKNOWLEDGE: _R.ACKNOWLEDGED},
        _R.DELIVERED: {_RM.ACKNOWLEDGE: _R.ACKNOWLEDGED},
        _R.ACKNOWLEDGED: {},
        _R.CANCELLED: {},
    },
)
UNRELEASED = frozenset(s for s in ReleaseStatus if RELEASE.can(s, ReleaseMove.RELEASE))


# -- a team's request to the fictional world (the SimCell queue) --------------------------------


class RequestStatus(StrEnum):
    OPEN = "waiting"  # sent, nobody on it yet
    CLAIMED = "claimed"  # a controller is on it
    ANSWERED = "answered"


class RequestMove(StrEnum):
    CLAIM = "claim"
    ANSWER = "answer"


REQUEST: Lifecycle[RequestStatus, RequestMove] = Lifecycle(
    "request",
    {
        RequestStatus.OPEN: {
            RequestMove.CLAIM: RequestStatus.CLAIMED,
            RequestMove.ANSWER: RequestStatus.ANSWERED,
        },
        RequestStatus.CLAIMED: {
            RequestMove.CLAIM: RequestStatus.CLAIMED,  # another controller takes it over
            RequestMove.ANSWER: RequestStatus.ANSWERED,
        },
        RequestStatus.ANSWERED: {},
    },
)


# -- a team's reply to an inject (its thread with control) --------------------------------------


class ReplyStatus(StrEnum):
    OPEN = "waiting"  # the team replied, control has not answered yet
    ANSWERED = "answered"  # control answered in the thread (it may answer again)


class ReplyMove(StrEnum):
    ANSWER = "answer"


REPLY: Lifecycle[ReplyStatus, ReplyMove] = Lifecycle(
    "reply",
    {
        ReplyStatus.OPEN: {ReplyMove.ANSWER: ReplyStatus.ANSWERED},
        ReplyStatus.ANSWERED: {ReplyMove.ANSWER: ReplyStatus.ANSWERED},
    },
)


# -- an actor's cue card --------------------------------------------------------------------------


class CueStatus(StrEnum):
    WAITING = "waiting"  # nothing reported yet: never reported by a device
    READY = "ready"
    IN_SCENE = "in-scene"
    DONE = "done"


# A cue's move is the status it reports; an actor may correct a report (done -> in-scene).
CUE: Lifecycle[CueStatus, CueStatus] = Lifecycle(
    "cue",
    {
        status: {to: to for to in CueStatus if to is not CueStatus.WAITING and to is not status}
        for status in CueStatus
    },
)
REPORTABLE = frozenset(s for s in CueStatus if s is not CueStatus.WAITING)


# -- a device bound to a team or an actor role -----------------------------------------------------


class DeviceStatus(StrEnum):
    JOINED = "joined"
    REVOKED = "revoked"


class DeviceMove(StrEnum):
    RENAME = "rename"
    REVOKE = "revoke"
    ACT = "act"  # acknowledge, report, send: anything a device does


DEVICE: Lifecycle[DeviceStatus, DeviceMove] = Lifecycle(
    "device",
    {
        DeviceStatus.JOINED: {
            DeviceMove.RENAME: DeviceStatus.JOINED,
            DeviceMove.REVOKE: DeviceStatus.REVOKED,
            DeviceMove.ACT: DeviceStatus.JOINED,
        },
        DeviceStatus.REVOKED: {},
    },
)


# -- the exercise clock ----------------------------------------------------------------------------


class ClockPhase(StrEnum):
    PLANNED = "planned"  # before STARTEX
    RUNNING = "running"
    HELD = "held"  # a hold: scenario time frozen, releases wait (later ones shift)
    PAUSED = "paused"  # a hold without shift: scenario time runs, releases wait
    ENDED = "ended"  # after ENDEX


class ClockMove(StrEnum):
    START = "start"
    HOLD = "hold"
    PAUSE = "pause"
    RESUME = "resume"
    JUMP = "jump"
    SPEED = "set its speed"
    END = "end"


_C, _CM = ClockPhase, ClockMove
CLOCK: Lifecycle[ClockPhase, ClockMove] = Lifecycle(
    "clock",
    {
        _C.PLANNED: {_CM.START: _C.RUNNING, _CM.SPEED: _C.PLANNED},
        _C.RUNNING: {
            _CM.HOLD: _C.HELD,
            _CM.PAUSE: _C.PAUSED,
            _CM.JUMP: _C.RUNNING,
            _CM.SPEED: _C.RUNNING,
            _CM.END: _C.ENDED,
        },
        _C.HELD: {_CM.RESUME: _C.RUNNING, _CM.JUMP: _C.HELD, _CM.SPEED: _C.HELD, _CM.END: _C.ENDED},
        _C.PAUSED: {
            _CM.RESUME: _C.RUNNING,
            _CM.JUMP: _C.PAUSED,
            _CM.SPEED: _C.PAUSED,
            _CM.END: _C.ENDED,
        },
        _C.ENDED: {},
    },
)


# -- one team's pace (controlroom/exercise/pacing.py) ------------------------------------------


class TeamPhase(StrEnum):
    RUNNING = "running"  # on the exercise clock, less its offset
    HELD = "held"  # the team's time stands still: its later releases shift by the hold
    PAUSED = "paused"  # the team's time runs, its releases wait: what falls due goes out late


class TeamMove(StrEnum):
    HOLD = "hold"
    PAUSE = "pause"
    RESUME = "resume"
    SHIFT = "shift"


_T, _TM = TeamPhase, TeamMove
TEAM_PACE: Lifecycle[TeamPhase, TeamMove] = Lifecycle(
    "team",
    {
        _T.RUNNING: {_TM.HOLD: _T.HELD, _TM.PAUSE: _T.PAUSED, _TM.SHIFT: _T.RUNNING},
        _T.HELD: {_TM.RESUME: _T.RUNNING, _TM.SHIFT: _T.HELD},
        _T.PAUSED: {_TM.RESUME: _T.RUNNING, _TM.SHIFT: _T.PAUSED},
    },
)
