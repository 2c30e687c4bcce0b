"""The rules of control's log and evaluation: notes and rated observations.

Design: docs/review.md. ``plan`` is the rules' part for these events
(controlroom/exercise/rules.py): it checks every precondition, then returns the change; a
rating fires the triggers that wait for it. An observation is kept as it stands now
(``state.observations``, by the seq of its ``observation.added``): a correction replaces its
fields, a withdrawal marks it; the journal keeps every version.
"""

from __future__ import annotations

from controlroom.exercise.actions import remember
from controlroom.exercise.evaluation_events import (
    NoteAdded,
    ObservationAdded,
    ObservationCorrected,
    ObservationWithdrawn,
)
from controlroom.exercise.events import Fact
from controlroom.exercise.rule_checks import known_inject, known_team
from controlroom.exercise.state import Commit, ExerciseState, NotApplicable, Note

EvaluationEvent = NoteAdded | ObservationAdded | ObservationCorrected | ObservationWithdrawn


def plan(state: ExerciseState, payload: EvaluationEvent) -> Commit:
    match payload:
        case NoteAdded():
            return _note(state, payload)
        case ObservationAdded():
            return _observation(state, payload)
        case ObservationCorrected():
            return _corrected(state, payload)
        case ObservationWithdrawn():
            return _withdrawn(state, payload)


def _note(state: ExerciseState, payload: NoteAdded) -> Commit:
    known_team(state, payload.team)
    if payload.inject is not None:
        known_inject(state, payload.inject)
    note = Note(0, 0.0, payload.by, payload.text, "note", payload.team, payload.inject)

    def commit(fact: Fact) -> None:
        note.seq, note.at = fact.seq, fact.at
        state.notes.append(note)

    return commit


def check_observation(
    state: ExerciseState,
    objective: str,
    task: str | None,
    team: str | None,
    inject: str | None,
) -> None:
    """What an observation (or a new version of one) names must exist and fit together."""
    known_team(state, team)
    target = next((o for o in state.scenario.objectives if o.id == objective), None)
    if target is None:
        raise NotApplicable(f"unknown objective {objective!r}")
    if task is not None and task not in {t.id for t in target.tasks}:
        raise NotApplicable(f"unknown task {task!r}")
    if inject is not None:
        known_inject(state, inject)
        if team is not None:
            release = state.releases.get((inject, team))
            if release is None or release.released_at is None:
                raise NotApplicable(f"inject {inject} has not been released to {team}")


def _observation(state: ExerciseState, payload: ObservationAdded) -> Commit:
    check_observation(state, payload.objective, payload.task, payload.team, payload.inject)
    if payload.reply is not None:
        rated = state.replies.get(payload.reply)
        if rated is None or rated.team != payload.team:
            raise NotApplicable(f"no reply {payload.reply!r} of team {payload.team!r}")
    note = Note(
        0,
        0.0,
        payload.by,
        payload.text,
        "observation",
        team=payload.team,
        inject=payload.inject,
        objective=payload.objective,
        task=payload.task,
        rating=payload.rating,
        device=payload.device,
        reply=payload.reply,
    )

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        note.seq, note.at = fact.seq, fact.at
        note.scenario = state.scenario_at(fact.at)
        state.notes.append(note)
        state.observations[fact.seq] = note
        _rated(state, note, fact.at)

    return commit


def observation_of(state: ExerciseState, seq: int) -> Note:
    """The observation recorded at ``seq``, if it still stands (not withdrawn)."""
    note = state.observations.get(seq)
    if note is None:
        raise NotApplicable(f"no observation {seq}")
    if note.withdrawn:
        raise NotApplicable(f"observation {seq} has been withdrawn")
    return note


def _corrected(state: ExerciseState, payload: ObservationCorrected) -> Commit:
    note = observation_of(state, payload.observation)
    check_observation(state, payload.objective, payload.task, payload.team, payload.inject)
    if note.reply is not None and payload.team != note.team:
        raise NotApplicable(f"observation {payload.observation} rates a reply of {note.team}")

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        note.text, note.objective, note.task = payload.text, payload.objective, payload.task
        note.rating, note.team, note.inject = payload.rating, payload.team, payload.inject
        note.version += 1
        note.updated_at, note.updated_by = fact.at, payload.by
        _rated(state, note, fact.at)

    return commit


def _withdrawn(state: ExerciseState, payload: ObservationWithdrawn) -> Commit:
    note = observation_of(state, payload.observation)

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        note.withdrawn, note.withdrawn_by = True, payload.by
        note.updated_at = fact.at

    return commit


def _rated(state: ExerciseState, note: Note, wall: float) -> None:
    """A rated task of a team: the triggers that wait for it fire (once, as always)."""
    if note.team is not None and note.task is not None and note.rating is not None:
        task, rating = note.task, note.rating.value
        state._players_did(
            wall,
            [note.team],
            lambda t: t.task == task and (not t.ratings or rating in t.ratings),
        )
