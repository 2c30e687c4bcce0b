"""A command decided and checked on the state as it stands, appending nothing.

Design: docs/exercise.md. ``decided`` is what ``ExerciseRuntime.execute`` asks before it
appends, in this order: the decision, ENDEX, whether the event would fold (``plan``). A page
that must do something costly before it runs a command (store a team's files, say) asks the
same through ``check_decision`` first, so that a command the runtime would refuse (ENDEX, a
bad form, an inject not released to the team) costs nothing. The runtime still decides
again on the latest state: that answer is as of ``state``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from controlroom.exercise.endex import refuse_after_endex
from controlroom.exercise.events import Payload
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import Commit, ExerciseState, NotApplicable

logger = logging.getLogger("controlroom.exercise")

Decide = Callable[[ExerciseState], Payload | None]


def decided(state: ExerciseState, decide: Decide) -> tuple[Payload, Commit] | None:
    """The payload ``decide`` gives on ``state`` and its planned change (None: nothing to
    do, a repeated action); raises the ``CommandRefused`` that refuses it."""
    payload = decide(state)
    if payload is None:
        return None
    refuse_after_endex(state, payload)
    try:
        return payload, state.plan(payload)
    except NotApplicable as error:
        logger.warning("exercise %s: refused %s: %s", state.exercise_id, payload.TYPE, error)
        raise CommandRefused(Refusal.WOULD_NOT_APPLY) from error


def check_decision(state: ExerciseState, decide: Decide) -> None:
    """Raise the ``CommandRefused`` that ``execute`` would raise on ``state``; change nothing."""
    decided(state, decide)
