"""The rules of control's log and evaluation: notes and rated observations.

Design: docs/review.md. ``plan`` is the rules' part for these events
(controlroom/exercise/rules.py): it checks every precondition, then returns the change; a
rating fires the triggers that wait for it.
"""

from __future__ import annotations

from controlroom.exercise.evaluation_events import NoteAdded, ObservationAdded
from controlroom.exercise.events import Fact
from controlroom.exercise.rule_checks import known_inject, known_team
from controlroom.exercise.state import Commit, ExerciseState, NotApplicable, Note


def plan(state: ExerciseState, payload: NoteAdded | ObservationAdded) -> Commit:
    known_team(state, payload.team)
    if isinstance(payload, NoteAdded):
        if payload.inject is not None:
            known_inject(state, payload.inject)
        note = Note(0, 0.0, payload.by, payload.text, "note", payload.team, payload.inject)
    else:
        objective = next((o for o in state.scenario.objectives if o.id == payload.objective), None)
        if objective is None:
            raise NotApplicable(f"unknown objective {payload.objective!r}")
        if payload.task is not None and payload.task not in {t.id for t in objective.tasks}:
            raise NotApplicable(f"unknown task {payload.task!r}")
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
            objective=payload.objective,
            task=payload.task,
            rating=payload.rating,
            reply=payload.reply,
        )

    def commit(fact: Fact) -> None:
        note.seq, note.at = fact.seq, fact.at
        state.notes.append(note)
        if note.team is not None and note.task is not None and note.rating is not None:
            task, rating = note.task, note.rating.value
            state._players_did(
                fact.at,
                [note.team],
                lambda t: t.task == task and (not t.ratings or rating in t.ratings),
            )

    return commit
