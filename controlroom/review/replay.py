"""Replay: what a team, an actor role or control saw at a moment, folded from the journal.

Design: docs/review.md. A replay folds the journal up to the moment (a scenario time such as
``D2 11:40``, or a journal position) into a fresh ``ExerciseState`` and asks the audience
filter for that audience's whole view (``controlroom.delivery.audience.current_view``): the
same function that builds a live page and a socket's snapshot, so a replay shows exactly
what the audience had been sent by then and nothing else. It never writes anything.

The moment of a scenario time is the last event at which the clock, as it stood then, had
not passed that time (``controlroom.review.log`` folds the clock); events before STARTEX
always belong to it. A moment a jump skipped over is the state just before the jump.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel

from controlroom.delivery.audience import current_view
from controlroom.delivery.views import FullView
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.live.runtime import scenario_of
from controlroom.review.log import review_log


class NoSuchMoment(ValueError):
    """A moment outside the journal (before its first event)."""


@dataclass(frozen=True, slots=True)
class Moment:
    seq: int  # the last journal event folded in
    at: float  # its wall time
    scenario_time: float | None  # the scenario clock then (None before STARTEX)


@dataclass(frozen=True, slots=True)
class Replay:
    audience: str
    moment: Moment
    view: FullView
    state: ExerciseState  # the fold up to the moment (for control's timeline)


def moment_at(events: Sequence[Event], scenario_time: float) -> Moment:
    """The moment the scenario clock stood at ``scenario_time`` (see the module's note)."""
    chosen: Moment | None = None
    for entry in review_log(events, {}):
        if entry.scenario_time is not None and entry.scenario_time > scenario_time:
            break
        chosen = Moment(entry.seq, entry.at, entry.scenario_time)
    if chosen is None:
        raise NoSuchMoment("the journal has no event by then")
    return chosen


def moment_of(events: Sequence[Event], seq: int) -> Moment:
    """The moment just after journal event ``seq``."""
    for entry in review_log(events, {}):
        if entry.seq == seq:
            return Moment(entry.seq, entry.at, entry.scenario_time)
    raise NoSuchMoment(f"the journal has no event {seq}")


def replay(events: Sequence[Event], audience: str, moment: Moment, exercise_id: str = "") -> Replay:
    """``audience``'s whole view at ``moment`` (``KeyError`` for an unknown audience)."""
    upto = [event for event in events if event.seq <= moment.seq]
    state = ExerciseState.fold(scenario_of(upto, exercise_id), upto, exercise_id)
    return Replay(audience, moment, current_view(state, audience), state)


def _default(value: object) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    raise TypeError(type(value).__name__)


def replay_json(replayed: Replay) -> bytes:
    """The replay as JSON: the moment and the view, marked ``"replay": true``."""
    document = {
        "replay": True,
        "exercise": replayed.state.exercise_id,
        "audience": replayed.audience,
        "moment": replayed.moment,
        "view": replayed.view,
    }
    return orjson.dumps(document, default=_default, option=orjson.OPT_INDENT_2)
