"""Control's log and evaluation commands: a note, an observer's rated observation.

Design: docs/review.md. Pure functions of the state, as in ``commands``.
"""

from __future__ import annotations

from controlroom.exercise.command_support import clean_text, inject_of
from controlroom.exercise.evaluation_events import NoteAdded, ObservationAdded, Rating
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState


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


def add_observation(
    state: ExerciseState,
    by: str,
    text: str,
    objective: str,
    *,
    task: str | None = None,
    rating: str | None = None,
    team: str | None = None,
    reply: str | None = None,
) -> ObservationAdded:
    """An observer's observation; naming a team's ``reply`` rates that reply (its team's)."""
    if reply is not None:
        rated = state.replies.get(reply)
        if rated is None:
            raise CommandRefused(Refusal.NO_REPLY, reply=reply)
        if team is not None and team != rated.team:
            raise CommandRefused(Refusal.UNKNOWN_TEAM)
        team = rated.team
    target = next((o for o in state.scenario.objectives if o.id == objective), None)
    if target is None:
        raise CommandRefused(Refusal.UNKNOWN_OBJECTIVE)
    if task is not None and task not in {t.id for t in target.tasks}:
        raise CommandRefused(Refusal.UNKNOWN_TASK)
    if rating is not None and rating not in RATINGS:
        raise CommandRefused(Refusal.BAD_RATING)
    if team is not None and team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    return ObservationAdded(
        text=clean_text(text),
        by=by,
        objective=objective,
        task=task,
        rating=None if rating is None else Rating(rating),
        team=team,
        reply=reply,
    )
