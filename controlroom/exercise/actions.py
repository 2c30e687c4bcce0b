"""A device's actions, applied exactly once. Design: docs/devices.md (the outbox).

Every action a device takes (acknowledge, a cue's status, a request, STOP...) carries an id
made on the device. The event it becomes carries that id as ``action``; the fold keeps the
``(device, action)`` pairs applied (``ExerciseState.actions``), so a device that sends the
same action again (it was offline, the answer was lost, the server restarted) decides
nothing the second time and is still answered "done".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from controlroom.exercise.state import ExerciseState

MAX_ACTION = 64


def repeated(state: ExerciseState, device: str, action: str | None) -> bool:
    """Whether ``device`` already had ``action`` applied (a repeat decides nothing)."""
    return action is not None and (device, action) in state.actions


def applied(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The ``(device, action)`` pair an event's data records, if it carries one."""
    action, device = data.get("action"), data.get("device")
    if isinstance(action, str) and action and isinstance(device, str):
        return device, action
    return None


def with_action(data: dict[str, Any], action: str | None) -> dict[str, Any]:
    """``data`` with ``action`` added when there is one (events without stay as they were)."""
    if action is not None:
        data["action"] = action
    return data
