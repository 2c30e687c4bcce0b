"""The vocabulary of an exercise's journal: every event type and its data. Design: docs/exercise.md.

An event is ``(seq, type, at, data)`` (see ``controlroom.journal.Event``). ``at`` is wall time
from the exercise's time source; scenario times in ``data`` are seconds since D1 00:00.
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    # The exercise itself
    CREATED = "exercise.created"  # {scenario, title, name}
    # The clock (owned by the exercise director)
    STARTED = "clock.started"  # STARTEX {scenario_time, by}
    HELD = "clock.held"  # {reason, shift: bool, by}: shift=False keeps scenario time running
    RESUMED = "clock.resumed"  # {by}
    SPEED_SET = "clock.speed"  # {speed, by}
    JUMPED = "clock.jumped"  # {scenario_time, by}
    ENDED = "clock.ended"  # ENDEX {by}
    # Injects, per inject and per team
    INJECT_CREATED = "inject.created"  # ad-hoc {inject: <scenario inject as data>, by}
    INJECT_EDITED = "inject.edited"  # {inject, version, changes: {field: new value}, by}
    INJECT_RELEASED = "inject.released"  # {inject, teams, version, due, late, reason, by}
    INJECT_DELIVERED = "inject.delivered"  # {inject, team, device, action?}
    INJECT_ACKNOWLEDGED = "inject.acknowledged"  # {inject, team, device, action?}
    INJECT_HELD = "inject.held"  # {inject, teams, by}
    INJECT_UNHELD = "inject.unheld"  # {inject, teams, by}
    INJECT_RESCHEDULED = "inject.rescheduled"  # {inject, teams, scenario_time, by}
    INJECT_CANCELLED = "inject.cancelled"  # {inject, teams, by}
    # Actors
    CUE_STATUS = "cue.status"  # {cue, role, status: ready|in-scene|done, device, action?}
    # The SimCell: teams' requests to the fictional world
    REQUEST_SENT = "request.sent"  # {request, team, kind, text, device, action?}
    REQUEST_CLAIMED = "request.claimed"  # {request, by}
    REQUEST_ANSWERED = "request.answered"  # {request, answer, text, by}: a SimCell-answer inject
    # Control's log and evaluation
    NOTE_ADDED = "note.added"  # {text, by, team, inject}
    OBSERVATION_ADDED = "observation.added"  # {text, by, objective, task, rating, team}
    # Devices bound to a team or an actor role
    DEVICE_JOINED = "device.joined"  # {device, team | role, name}
    DEVICE_RENAMED = "device.renamed"  # {device, name}
    DEVICE_REVOKED = "device.revoked"  # {device, by}
    JOIN_REISSUED = "join.reissued"  # {target: team:<id> | actor:<role>, by}: old link dead
    # Actor safety (controlroom/exercise/safety.py)
    SAFETY_STOP = "safety.stop"  # {alert, role, cue, teams, holds, device, action}
    SAFETY_CALL = "safety.call"  # {alert, role, cue, teams, device, action}: call control
    SAFETY_SEEN = "safety.seen"  # {alert, by, name}: a controller acknowledged the alert
    SAFETY_AUTOHOLD = "safety.autohold"  # {enabled, by}: STOP holds the team's case
    # The journal's own housekeeping
    RECOVERED = "journal.recovered"  # {line, size, saved_to}: a torn tail found at start-up


CLOCK_EVENTS = frozenset(
    {
        EventType.STARTED,
        EventType.HELD,
        EventType.RESUMED,
        EventType.SPEED_SET,
        EventType.JUMPED,
        EventType.ENDED,
    }
)
