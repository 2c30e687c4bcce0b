"""Control's log and evaluation commands: a note; an observer's rated observation, corrected
or withdrawn later by its author or the director.

Design: docs/review.md. Pure functions of the state, as in ``commands``. An observer's
tablet sends its observations with an action id (its outbox): a repeat decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from controlroom.exercise.actions import repeated
from controlroom.exercise.command_support import clean_text, inject_of
from controlroom.exercise.evaluation_events import (
    NoteAdded,
    ObservationAdded,
    ObservationCorrected,
    ObservationWithdrawn,
    Rating,
)
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState, Note
from controlroom.exercise.tap_time import Tap, tapped_at


def add_note(
    state: ExerciseState, by: str, text: str, team: str | None = None, inject: str | None = None
) -> NoteAdded:
    if not text.strip():
        raise CommandRefused(Refusal.EMPTY_NOTE)
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    if inject is not None:
        inject_of(state, inject)
    return NoteAdded(text=clean_text(text), by=by, team=team, inject=inject)


RATINGS = tuple(r.value for r in Rating)


@dataclass(frozen=True, slots=True)
class Observed:
    """What an observation says: the fields an observer fills in (and corrects)."""

    text: str
    objective: str
    task: str | None = None
    rating: str | None = None
    team: str | None = None
    inject: str | None = None


class ObservationFields(TypedDict):
    """An observation's checked fields, as ``observation.added`` and ``.corrected`` carry them."""

    text: str
    objective: str
    task: str | None
    rating: Rating | None
    team: str | None
    inject: str | None


def _checked(state: ExerciseState, observed: Observed) -> ObservationFields:
    """The observation's fields, checked against the scenario and the releases. It says
    something: a text, or a rating alone (a P/S/M/U given from a reply's thread)."""
    if not observed.text.strip() and observed.rating is None:
        raise CommandRefused(Refusal.EMPTY_NOTE)
    target = next((o for o in state.scenario.objectives if o.id == observed.objective), None)
    if target is None:
        raise CommandRefused(Refusal.UNKNOWN_OBJECTIVE)
    if observed.task is not None and observed.task not in {t.id for t in target.tasks}:
        raise CommandRefused(Refusal.UNKNOWN_TASK)
    if observed.rating is not None and observed.rating not in RATINGS:
        raise CommandRefused(Refusal.BAD_RATING)
    team, inject = observed.team, observed.inject
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    if inject is not None:
        inject_of(state, inject)
        release = state.releases.get((inject, team)) if team is not None else None
        if team is not None and (release is None or release.released_at is None):
            raise CommandRefused(Refusal.NOT_RELEASED_TO_TEAM, inject=inject)
    return {
        "text": clean_text(observed.text),
        "objective": observed.objective,
        "task": observed.task,
        "rating": None if observed.rating is None else Rating(observed.rating),
        "team": team,
        "inject": inject,
    }


def add_observation(
    state: ExerciseState,
    by: str,
    text: str,
    objective: str,
    *,
    task: str | None = None,
    rating: str | None = None,
    team: str | None = None,
    inject: str | None = None,
    device: str = "",
    action: str | None = None,
    reply: str | None = None,
    tap: Tap | None = None,
) -> ObservationAdded | None:
    """An observation by an account (``by``) or an observer's tablet (``device``, by "").

    Naming a team's ``reply`` rates that reply: the observation is about the reply's team.
    """
    if repeated(state, device, action):
        return None
    if reply is not None:
        rated = state.replies.get(reply)
        if rated is None:
            raise CommandRefused(Refusal.NO_REPLY, reply=reply)
        if team is not None and team != rated.team:
            raise CommandRefused(Refusal.UNKNOWN_TEAM)
        team = rated.team
    fields = _checked(state, Observed(text, objective, task, rating, team, inject))
    tapped = tapped_at(state, tap, device)
    return ObservationAdded(
        by=by, device=device, action=action, reply=reply, tapped_at=tapped, **fields
    )


def _changeable(
    state: ExerciseState, observation: int, by: str, device: str, director: bool
) -> Note:
    note = state.observations.get(observation)
    if note is None:
        raise CommandRefused(Refusal.NO_OBSERVATION)
    if note.withdrawn:
        raise CommandRefused(Refusal.OBSERVATION_WITHDRAWN)
    if not director and (note.by, note.device) != (by, device):
        raise CommandRefused(Refusal.NOT_AUTHOR)
    return note


def correct_observation(
    state: ExerciseState,
    by: str,
    observation: int,
    observed: Observed,
    *,
    director: bool = False,
    device: str = "",
    action: str | None = None,
    tap: Tap | None = None,
) -> ObservationCorrected | None:
    """A new version of an observation: by its author (account or tablet) or the director."""
    if repeated(state, device, action):
        return None
    note = _changeable(state, observation, by, device, director)
    fields = _checked(state, observed)
    now: ObservationFields = {
        "text": note.text,
        "objective": note.objective or "",
        "task": note.task,
        "rating": note.rating,
        "team": note.team,
        "inject": note.inject,
    }
    if fields == now:
        raise CommandRefused(Refusal.NOTHING_TO_CHANGE)
    if note.reply is not None and fields["team"] != note.team:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)  # a rated reply stays its team's
    tapped = tapped_at(state, tap, device, note.updated_at or note.at)
    return ObservationCorrected(
        observation=observation, by=by, device=device, action=action, tapped_at=tapped, **fields
    )


def withdraw_observation(
    state: ExerciseState,
    by: str,
    observation: int,
    *,
    director: bool = False,
    device: str = "",
    action: str | None = None,
    tap: Tap | None = None,
) -> ObservationWithdrawn | None:
    """Take an observation out of the matrix and the packs (the journal keeps it)."""
    if repeated(state, device, action):
        return None
    note = _changeable(state, observation, by, device, director)
    tapped = tapped_at(state, tap, device, note.updated_at or note.at)
    return ObservationWithdrawn(
        observation=observation, by=by, device=device, action=action, tapped_at=tapped
    )
