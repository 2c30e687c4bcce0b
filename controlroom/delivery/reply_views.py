"""What a team and control see of a team's reply to an inject. Design: docs/delivery.md.

A team gets ``TeamReplyView`` of its own replies only: the inject it answered (its title and
its sender in the fiction, who the team wrote to), its text and files, and control's answers
in the thread as coming from that sender; never who in control wrote them. Control and
observers get ``ControlReplyView``: the team, the inject, the files, control's answers with
their authors, and the observations that rate the reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from controlroom.exercise.events import Rating, ReplyFile
from controlroom.exercise.lifecycles import ReplyStatus
from controlroom.exercise.state import ExerciseState, Reply, ReplyAnswer

LocalText = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ThreadAnswerView:
    """Control's answer as a team reads it: when and what, not who."""

    at: float  # wall time
    text: str
    team_time: float | None  # the team's own scenario time then (None: before STARTEX)


@dataclass(frozen=True, slots=True)
class TeamReplyView:
    template: ClassVar[str] = "fragments/team_reply.html"
    reply: str
    inject: str
    inject_title: LocalText
    sender: LocalText  # the inject's sender: who the team wrote to, who answers
    kind: str  # reply | action
    text: str
    files: tuple[ReplyFile, ...]
    sent_at: float  # wall time
    sent_team: float | None  # the team's own scenario time then (None: before STARTEX)
    answers: tuple[ThreadAnswerView, ...]

    @property
    def dom_id(self) -> str:
        return f"reply-{self.reply}"


@dataclass(frozen=True, slots=True)
class RatingView:
    by: str
    objective: str
    task: str | None
    rating: Rating | None
    text: str


@dataclass(frozen=True, slots=True)
class ControlReplyView:
    template: ClassVar[str] = "fragments/control/reply.html"
    reply: str
    team: str
    team_name: LocalText
    inject: str
    inject_title: LocalText
    kind: str
    text: str
    files: tuple[ReplyFile, ...]
    sent_at: float
    answers: tuple[ReplyAnswer, ...]
    status: ReplyStatus
    ratings: tuple[RatingView, ...]

    @property
    def answered(self) -> bool:
        return self.status is ReplyStatus.ANSWERED

    @property
    def dom_id(self) -> str:
        return f"simcell-reply-{self.reply}"


def team_reply_view(state: ExerciseState, reply: Reply) -> TeamReplyView:
    inject = state.injects[reply.inject]
    return TeamReplyView(
        reply=reply.id,
        inject=reply.inject,
        inject_title=inject.title,
        sender=inject.sender,
        kind=reply.kind,
        text=reply.text,
        files=reply.files,
        sent_at=reply.sent_at,
        sent_team=reply.sent_team,
        answers=tuple(ThreadAnswerView(a.at, a.text, a.team_time) for a in reply.answers),
    )


def team_replies(state: ExerciseState, team: str) -> tuple[TeamReplyView, ...]:
    """The team's replies, newest first."""
    mine = [r for r in state.replies.values() if r.team == team]
    return tuple(team_reply_view(state, r) for r in reversed(mine))


def control_reply_view(state: ExerciseState, reply: Reply) -> ControlReplyView:
    team = next((t for t in state.scenario.teams if t.id == reply.team), None)
    ratings = tuple(
        RatingView(n.by, n.objective or "", n.task, n.rating, n.text)
        for n in state.notes
        if n.reply == reply.id and n.counts  # as last corrected; withdrawn ones left out
    )
    return ControlReplyView(
        reply=reply.id,
        team=reply.team,
        team_name=team.name if team is not None else {},
        inject=reply.inject,
        inject_title=state.injects[reply.inject].title,
        kind=reply.kind,
        text=reply.text,
        files=reply.files,
        sent_at=reply.sent_at,
        answers=tuple(reply.answers),
        status=reply.status,
        ratings=ratings,
    )


def reply_queue(state: ExerciseState) -> list[Reply]:
    """Waiting replies first (oldest first), then answered ones (newest first)."""
    waiting = [r for r in state.replies.values() if r.status is ReplyStatus.OPEN]
    answered = [r for r in state.replies.values() if r.status is not ReplyStatus.OPEN]
    answered.sort(key=lambda r: r.answers[-1].at, reverse=True)
    return [*waiting, *answered]
