"""A device's actions, applied exactly once. Design: docs/devices.md (the outbox).

Every action a device takes (acknowledge, a cue's status, a request, STOP, call control)
carries an id made on the device. The event it becomes carries that id as ``action``; the
fold keeps the ``(device, action)`` pairs applied (``ExerciseState.actions``), so a device
that sends the same action again (it was offline, the answer was lost, the server restarted)
decides nothing the second time and is still answered "done". The commands ask ``repeated``
first; the rules' commits call ``remember`` (so a refolded journal remembers too).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from controlroom.exercise.refusals import CommandRefused, Refusal

if TYPE_CHECKING:
    from controlroom.exercise.state import ExerciseState

MAX_ACTION = 64
ACTION = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_ACTION}}}")


def repeated(state: ExerciseState, device: str, action: str | None) -> bool:
    """Whether ``device`` already had ``action`` applied (a repeat decides nothing).

    Raises ``CommandRefused(Refusal.BAD_ACTION)`` for a malformed id.
    """
    if action is None:
        return False
    if not ACTION.fullmatch(action):
        raise CommandRefused(Refusal.BAD_ACTION)
    return (device, action) in state.actions


def remember(state: ExerciseState, device: str, action: str | None) -> None:
    """Record that ``device``'s ``action`` is applied (called by an event's commit)."""
    if action is not None:
        state.actions.add((device, action))
