"""The rules of an actor's cues per team: a status report, a reveal marked.

Design: docs/exercise.md. ``plan`` is the rules' part for these events
(controlroom/exercise/rules.py): it checks every precondition, then returns the change.
A report without a team (journals written before cues were per team) applies to every
team the cue goes to, as it did then.
"""

from __future__ import annotations

from controlroom.exercise.actions import remember
from controlroom.exercise.cue_events import CueReported, RevealMarked
from controlroom.exercise.cues import CueRun, Revealed, cue_definition, reveal_ids
from controlroom.exercise.events import Fact
from controlroom.exercise.lifecycles import CUE, CueStatus
from controlroom.exercise.state import Commit, CueState, ExerciseState, NotApplicable

CueEvent = CueReported | RevealMarked


def plan(state: ExerciseState, payload: CueEvent) -> Commit:
    match payload:
        case CueReported():
            return _reported(state, payload)
        case RevealMarked():
            return _revealed(state, payload)


def _cue(state: ExerciseState, cue_id: str, role: str) -> CueState:
    cue = state.cues.get(cue_id)
    if cue is None or cue.role != role:
        raise NotApplicable(f"no cue {cue_id!r} for role {role!r}")
    return cue


def _runs(cue: CueState, team: str | None) -> list[CueRun]:
    if team is None:
        return list(cue.runs.values())
    run = cue.runs.get(team)
    if run is None:
        raise NotApplicable(f"cue {cue.cue} does not go to team {team!r}")
    return [run]


def _reported(state: ExerciseState, payload: CueReported) -> Commit:
    cue = _cue(state, payload.cue, payload.role)
    runs = _runs(cue, payload.team)
    if payload.team is not None and not CUE.can(runs[0].status, payload.status):
        raise NotApplicable(f"a {runs[0].status.value} cue cannot become {payload.status.value}")
    if payload.team is None and not CUE.can(cue.status, payload.status):  # as before teams
        raise NotApplicable(f"a {cue.status.value} cue cannot become {payload.status.value}")

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        for run in runs:
            run.status, run.updated_at = payload.status, fact.at
        if payload.status is CueStatus.DONE:  # what waits for it, to those teams
            teams = [run.team for run in runs]
            state._players_did(fact.at, teams, lambda t: t.cue == payload.cue and t.reveal is None)

    return commit


def _revealed(state: ExerciseState, payload: RevealMarked) -> Commit:
    cue = _cue(state, payload.cue, payload.role)
    run = _runs(cue, payload.team)[0]
    found = cue_definition(state, payload.cue)
    if found is None or payload.reveal not in reveal_ids(found[1]):
        raise NotApplicable(f"cue {payload.cue} has no reveal {payload.reveal!r}")
    if payload.reveal in run.reveals:
        raise NotApplicable(f"reveal {payload.reveal} of {payload.cue} is already marked")

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        scenario = state.scenario_at(fact.at)
        run.reveals[payload.reveal] = Revealed(fact.at, scenario, payload.device)
        state._players_did(
            fact.at,
            [run.team],
            lambda t: t.cue == payload.cue and t.reveal == payload.reveal,
        )

    return commit
