"""A command decided on the state as it stands, appending nothing: would it be refused?

Design: docs/exercise.md. A page that must do something costly before it runs a command
(store a team's files, say) asks first, so that a command the runtime would refuse (ENDEX,
a bad form, an inject not released to the team) costs nothing. It asks what the runtime's
``execute`` asks, in the same order: the decision, ENDEX, whether the event would fold. The
runtime still decides again on the latest state: the answer here is as of ``state``.
"""

from __future__ import annotations

from collections.abc import Callable

from controlroom.exercise.endex import refuse_after_endex
from controlroom.exercise.events import Payload
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState, NotApplicable


def check_decision(state: ExerciseState, decide: Callable[[ExerciseState], Payload | None]) -> None:
    """Raise the ``CommandRefused`` that ``execute`` would raise on ``state``; change nothing."""
    payload = decide(state)
    if payload is None:
        return  # already applied (a repeated action): nothing to refuse
    refuse_after_endex(state, payload)
    try:
        state.plan(payload)
    except NotApplicable as error:
        raise CommandRefused(Refusal.WOULD_NOT_APPLY) from error
