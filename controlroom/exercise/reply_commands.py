"""Teams answer back: a reply to an inject (or an action on it), control's answer to it.

Design: docs/exercise.md ("Replies"). Pure functions of the state, as in ``commands``. The
files a reply carries were stored before (an HTTP upload, ``controlroom.web.devices.replies``);
the command gets their records, checked to be the team's own, never their bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from controlroom.exercise.actions import repeated
from controlroom.exercise.command_support import clean_text, inject_of
from controlroom.exercise.lifecycles import ReplyMove
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.reply_events import (
    MAX_FILES,
    ReplyAnswered,
    ReplyFile,
    ReplyKind,
    ReplySent,
)
from controlroom.exercise.state import ExerciseState, Reply
from controlroom.exercise.tap_time import Tap, tapped_at

__all__ = ["answer_reply", "send_reply"]


def send_reply(
    state: ExerciseState,
    team: str,
    device: str,
    inject: str,
    text: str,
    files: Sequence[ReplyFile] = (),
    *,
    kind: str = ReplyKind.REPLY.value,
    action: str | None = None,
    tap: Tap | None = None,
) -> ReplySent | None:
    """A team's reply to an inject it received: text, files, or both."""
    if repeated(state, device, action):
        return None
    if team not in state.scenario.team_ids:
        raise CommandRefused(Refusal.UNKNOWN_TEAM)
    inject_of(state, inject)
    release = state.releases.get((inject, team))
    if release is None or release.released_at is None:
        raise CommandRefused(Refusal.NOT_RELEASED_TO_TEAM, inject=inject)
    try:
        reply_kind = ReplyKind(kind)
    except ValueError:
        raise CommandRefused(Refusal.BAD_REPLY_KIND) from None
    if len(files) > MAX_FILES:
        raise CommandRefused(Refusal.TOO_MANY_FILES, most=MAX_FILES)
    if len({f.id for f in files}) != len(files):
        raise CommandRefused(Refusal.TOO_MANY_FILES, most=MAX_FILES)
    cleaned = clean_text(text)
    if not cleaned and not files:
        raise CommandRefused(Refusal.EMPTY_REPLY)
    number = len(state.replies) + 1
    while f"A{number:03d}" in state.replies:
        number += 1
    return ReplySent(
        reply=f"A{number:03d}",
        team=team,
        inject=inject,
        kind=reply_kind,
        text=cleaned,
        files=tuple(files),
        device=device,
        action=action,
        tapped_at=tapped_at(state, tap, device, release.released_at),
    )


def _reply_of(state: ExerciseState, reply: str) -> Reply:
    try:
        return state.replies[reply]
    except KeyError:
        raise CommandRefused(Refusal.NO_REPLY, reply=reply) from None


def answer_reply(state: ExerciseState, by: str, reply: str, text: str) -> ReplyAnswered:
    """Control's answer in a reply's thread (it may answer again: the thread goes on)."""
    if not _reply_of(state, reply).can(ReplyMove.ANSWER):
        raise CommandRefused(Refusal.NO_REPLY, reply=reply)
    cleaned = clean_text(text)
    if not cleaned:
        raise CommandRefused(Refusal.EMPTY_REPLY_ANSWER)
    return ReplyAnswered(reply=reply, text=cleaned, by=by)
