"""The rules of teams' replies: a reply to an inject its team received, control's answers.

Design: docs/exercise.md ("Replies"). ``plan`` is the rules' part for these events
(controlroom/exercise/rules.py): it checks every precondition, then returns the change.
"""

from __future__ import annotations

from controlroom.exercise.actions import remember
from controlroom.exercise.events import Fact
from controlroom.exercise.lifecycles import ReplyMove
from controlroom.exercise.reply_events import ReplyAnswered, ReplySent
from controlroom.exercise.rule_checks import known_inject, known_team
from controlroom.exercise.state import Commit, ExerciseState, NotApplicable, Reply, ReplyAnswer


def plan(state: ExerciseState, payload: ReplySent | ReplyAnswered) -> Commit:
    if isinstance(payload, ReplySent):
        return _sent(state, payload)
    reply = state.replies.get(payload.reply)
    if reply is None:
        raise NotApplicable(f"unknown reply {payload.reply!r}")
    if not reply.can(ReplyMove.ANSWER):
        raise NotApplicable(f"reply {payload.reply} is {reply.status.value}: cannot answer")
    if not payload.text.strip():
        raise NotApplicable("an empty answer")

    def commit(fact: Fact) -> None:
        team_time = state.team_now(reply.team, fact.at)
        reply.answers.append(ReplyAnswer(fact.seq, fact.at, payload.by, payload.text, team_time))

    return commit


def _sent(state: ExerciseState, payload: ReplySent) -> Commit:
    if payload.reply in state.replies:
        raise NotApplicable(f"reply {payload.reply} already exists")
    known_team(state, payload.team)
    known_inject(state, payload.inject)
    release = state.releases.get((payload.inject, payload.team))
    if release is None or release.released_at is None:
        raise NotApplicable(f"inject {payload.inject} has not been released to {payload.team}")
    if not payload.text.strip() and not payload.files:
        raise NotApplicable("an empty reply")

    def commit(fact: Fact) -> None:
        remember(state, payload.device, payload.action)
        state.replies[payload.reply] = Reply(
            payload.reply,
            payload.team,
            payload.inject,
            payload.kind.value,
            payload.text,
            payload.files,
            fact.at,
            fact.seq,
            payload.device,
            state.scenario_at(fact.at),
            state.team_now(payload.team, fact.at),
        )
        state._replied(payload.inject, payload.team, fact.at)

    return commit
