"""Typed refusals: why a command does not fit the exercise, as a code and parameters.

Design: docs/exercise.md ("Refusals"). The core never writes a sentence for the user: it raises
``CommandRefused(code, **params)``. The edge (console pages, device pages, socket ``error``
frames) translates it once, in the viewer's language, from ``TEMPLATES`` (the English text is
the gettext message id; the Russian is in ``web/locale/ru/LC_MESSAGES/refusals.po``). A test
fails when a code has no English or no Russian text.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

Param = str | int | float | tuple[str, ...]
Translate = Callable[..., str]


class Refusal(StrEnum):
    # the clock
    ALREADY_STARTED = "already-started"
    NOT_RUNNING = "not-running"
    HOLD_NEEDS_REASON = "hold-needs-reason"
    NOT_ON_HOLD = "not-on-hold"
    ENDED = "ended"
    BAD_SPEED = "bad-speed"
    JUMP_NEEDS_RUNNING = "jump-needs-running"
    ENDEX_NEEDS_RUNNING = "endex-needs-running"
    OUTSIDE_EXERCISE = "outside-exercise"
    BAD_TIME = "bad-time"
    BAD_NUMBER = "bad-number"
    # injects
    NO_INJECT = "no-inject"
    NOT_ADDRESSED = "not-addressed"
    CANNOT_RELEASE = "cannot-release"
    CANNOT_HOLD = "cannot-hold"
    CANNOT_UNHOLD = "cannot-unhold"
    CANNOT_RESCHEDULE = "cannot-reschedule"
    CANNOT_CANCEL = "cannot-cancel"
    ALREADY_HELD = "already-held"
    NOT_HELD = "not-held"
    NOT_EDITABLE = "not-editable"
    INVALID_INJECT = "invalid-inject"
    INJECT_EXISTS = "inject-exists"
    NOTHING_CHANGED = "nothing-changed"
    NOT_RELEASED_TO_TEAM = "not-released-to-team"
    ADHOC_INCOMPLETE = "adhoc-incomplete"
    NO_TEAMS_PICKED = "no-teams-picked"
    NO_WHEN = "no-when"
    NO_ATTACHMENT = "no-attachment"
    CUE_INCOMPLETE = "cue-incomplete"
    # teams, roles, devices
    UNKNOWN_TEAM = "unknown-team"
    UNKNOWN_TEAMS = "unknown-teams"
    UNKNOWN_CASE = "unknown-case"
    NO_CONTROLLER = "no-controller"
    UNKNOWN_ROLE = "unknown-role"
    UNKNOWN_ROLE_NAMED = "unknown-role-named"
    ONE_TARGET = "one-target"
    ALREADY_JOINED = "already-joined"
    NO_DEVICE = "no-device"
    DEVICE_REVOKED = "device-revoked"
    NO_SUCH_TARGET = "no-such-target"
    # each team at its own pace
    TEAM_PACE_NEEDS_CLOCK = "team-pace-needs-clock"
    TEAM_ALREADY_HELD = "team-already-held"
    TEAM_NOT_HELD = "team-not-held"
    SHIFT_NEEDS_REASON = "shift-needs-reason"
    BAD_SHIFT = "bad-shift"
    NO_SHIFT_POINT = "no-shift-point"
    # actors
    NO_CUE = "no-cue"
    BAD_CUE_STATUS = "bad-cue-status"
    CUE_NOT_FOR_TEAM = "cue-not-for-team"
    NO_REVEAL = "no-reveal"
    NO_SAFETY_ALERT = "no-safety-alert"
    # the SimCell
    NO_REQUEST = "no-request"
    REQUEST_ANSWERED = "request-answered"
    UNKNOWN_REQUEST_KIND = "unknown-request-kind"
    EMPTY_REQUEST = "empty-request"
    NO_ANSWER = "no-answer"
    EMPTY_ANSWER = "empty-answer"
    REQUEST_CLAIMED = "request-claimed"
    NO_SENDER = "no-sender"
    CONFIRM_ANSWER = "confirm-answer"
    BAD_LANGUAGE = "bad-language"
    # teams' replies to injects, and their files
    NO_REPLY = "no-reply"
    EMPTY_REPLY = "empty-reply"
    EMPTY_REPLY_ANSWER = "empty-reply-answer"
    BAD_REPLY_KIND = "bad-reply-kind"
    TOO_MANY_FILES = "too-many-files"
    NO_FILE = "no-file"
    FILE_TYPE = "file-type"
    FILE_TOO_BIG = "file-too-big"
    FILE_NAME = "file-name"
    FILE_EMPTY = "file-empty"
    # the log
    EMPTY_NOTE = "empty-note"
    UNKNOWN_OBJECTIVE = "unknown-objective"
    UNKNOWN_TASK = "unknown-task"
    BAD_RATING = "bad-rating"
    NO_OBSERVATION = "no-observation"
    OBSERVATION_WITHDRAWN = "observation-withdrawn"
    NOT_AUTHOR = "not-author"
    NOTHING_TO_CHANGE = "nothing-to-change"
    TOO_LONG = "too-long"
    BAD_ACTION = "bad-action"
    # the fold's own check: the event would not apply to the state as it stands
    WOULD_NOT_APPLY = "would-not-apply"


TEMPLATES: dict[Refusal, str] = {
    Refusal.ALREADY_STARTED: "The exercise has already started (STARTEX was given).",
    Refusal.NOT_RUNNING: "Only a running exercise can be held.",
    Refusal.HOLD_NEEDS_REASON: "Give a reason for the hold: it goes into the exercise log.",
    Refusal.NOT_ON_HOLD: "The exercise is not on hold.",
    Refusal.ENDED: "The exercise has ended (ENDEX).",
    Refusal.BAD_SPEED: "Speed must be above 0 and at most %(most)s.",
    Refusal.JUMP_NEEDS_RUNNING: "The clock can only jump between STARTEX and ENDEX.",
    Refusal.ENDEX_NEEDS_RUNNING: "ENDEX needs a running or held exercise.",
    Refusal.OUTSIDE_EXERCISE: "%(time)s is outside the exercise (D1 00:00 to %(last)s 23:59).",
    Refusal.BAD_TIME: "Write the time as D<day> HH:MM, e.g. D2 10:15.",
    Refusal.BAD_NUMBER: "The speed is a number, e.g. 1 or 2.5.",
    Refusal.NO_INJECT: "No inject %(inject)s.",
    Refusal.NOT_ADDRESSED: "Inject %(inject)s is not addressed to %(teams)s.",
    Refusal.CANNOT_RELEASE: (
        "Inject %(inject)s cannot be released: it is released or cancelled for those teams."
    ),
    Refusal.CANNOT_HOLD: (
        "Inject %(inject)s cannot be held: it is released or cancelled for those teams."
    ),
    Refusal.CANNOT_UNHOLD: (
        "Inject %(inject)s cannot be resumed: it is released or cancelled for those teams."
    ),
    Refusal.CANNOT_RESCHEDULE: (
        "Inject %(inject)s cannot be rescheduled: it is released or cancelled for those teams."
    ),
    Refusal.CANNOT_CANCEL: (
        "Inject %(inject)s cannot be cancelled: it is released or cancelled for those teams."
    ),
    Refusal.ALREADY_HELD: "Inject %(inject)s is already held.",
    Refusal.NOT_HELD: "Inject %(inject)s is not held.",
    Refusal.NOT_EDITABLE: "These fields cannot be edited: %(fields)s.",
    Refusal.INVALID_INJECT: "The inject is not valid: %(field)s: %(problem)s",
    Refusal.INJECT_EXISTS: "An inject with id %(inject)s already exists.",
    Refusal.NOTHING_CHANGED: "Nothing was changed.",
    Refusal.NOT_RELEASED_TO_TEAM: "Inject %(inject)s has not been released to this team.",
    Refusal.ADHOC_INCOMPLETE: "Fill in the sender, the title and the text.",
    Refusal.NO_TEAMS_PICKED: "Pick at least one team.",
    Refusal.NO_WHEN: "Pick when to send it.",
    Refusal.NO_ATTACHMENT: "No such attachment in the scenario.",
    Refusal.CUE_INCOMPLETE: (
        "An actor cue needs where, what the character knows and the emotional state."
    ),
    Refusal.UNKNOWN_TEAM: "Unknown team.",
    Refusal.UNKNOWN_TEAMS: "Unknown team: %(teams)s.",
    Refusal.UNKNOWN_CASE: "Unknown case.",
    Refusal.NO_CONTROLLER: "No such controller.",
    Refusal.UNKNOWN_ROLE: "Unknown actor role.",
    Refusal.UNKNOWN_ROLE_NAMED: "Unknown actor role: %(role)s.",
    Refusal.ONE_TARGET: "A device joins one team, one actor role or as an observer.",
    Refusal.ALREADY_JOINED: "This device has already joined.",
    Refusal.NO_DEVICE: "No such device.",
    Refusal.DEVICE_REVOKED: "This device has been removed from the exercise.",
    Refusal.NO_SUCH_TARGET: "No such team, actor role or observers' link.",
    Refusal.TEAM_PACE_NEEDS_CLOCK: "A team can be held or shifted between STARTEX and ENDEX.",
    Refusal.TEAM_ALREADY_HELD: "Team %(team)s is already on hold.",
    Refusal.TEAM_NOT_HELD: "Team %(team)s is not on hold.",
    Refusal.SHIFT_NEEDS_REASON: "Give a reason for the shift: it goes into the exercise log.",
    Refusal.BAD_SHIFT: "A shift is a number of minutes, not 0, at most %(most)s either way.",
    Refusal.NO_SHIFT_POINT: (
        "Inject %(inject)s has no planned time for team %(team)s: pick a point that has one."
    ),
    Refusal.NO_CUE: "No such cue for this role.",
    Refusal.CUE_NOT_FOR_TEAM: "This cue is not played for team %(team)s.",
    Refusal.NO_REVEAL: "No such reveal on this cue.",
    Refusal.BAD_CUE_STATUS: "A cue is reported ready, in scene or done.",
    Refusal.NO_SAFETY_ALERT: "No such safety alert.",
    Refusal.NO_REQUEST: "No request %(request)s.",
    Refusal.REQUEST_ANSWERED: "Request %(request)s has already been answered.",
    Refusal.UNKNOWN_REQUEST_KIND: "Unknown request type.",
    Refusal.EMPTY_REQUEST: "Write what you ask for, or pick a request from the list.",
    Refusal.NO_ANSWER: "No such prepared answer for this request.",
    Refusal.EMPTY_ANSWER: "Pick a prepared answer or write one.",
    Refusal.REQUEST_CLAIMED: (
        "Request %(request)s is claimed by %(name)s: take it over before you answer it."
    ),
    Refusal.NO_SENDER: "Say who answers in the fiction (From).",
    Refusal.CONFIRM_ANSWER: (
        "The answer %(answer)s has consequences in the exercise: confirm that you send it."
    ),
    Refusal.BAD_LANGUAGE: "Pick one of the scenario's languages.",
    Refusal.NO_REPLY: "No reply %(reply)s.",
    Refusal.EMPTY_REPLY: "Write your reply or attach a file.",
    Refusal.EMPTY_REPLY_ANSWER: "Write the answer.",
    Refusal.BAD_REPLY_KIND: "A reply is an answer or an action report.",
    Refusal.TOO_MANY_FILES: "Attach at most %(most)s different files to one reply.",
    Refusal.NO_FILE: "That file is not among your team's uploads: attach it again.",
    Refusal.FILE_TYPE: (
        "Only PDF, JPEG and PNG files can be sent; this file's content is none of these."
    ),
    Refusal.FILE_TOO_BIG: "The file is too big (at most %(most)s MB).",
    Refusal.FILE_NAME: (
        "The file name cannot be used: give it a plain name, without folders, such as report.pdf."
    ),
    Refusal.FILE_EMPTY: "The file is empty.",
    Refusal.EMPTY_NOTE: "The note is empty.",
    Refusal.UNKNOWN_OBJECTIVE: "Unknown objective.",
    Refusal.UNKNOWN_TASK: "Unknown task for this objective.",
    Refusal.BAD_RATING: "A rating is one of P, S, M, U.",
    Refusal.NO_OBSERVATION: "No such observation.",
    Refusal.OBSERVATION_WITHDRAWN: "This observation has been withdrawn.",
    Refusal.NOT_AUTHOR: (
        "Only the observer who recorded an observation, or the director, may change it."
    ),
    Refusal.NOTHING_TO_CHANGE: "The correction changes nothing.",
    Refusal.TOO_LONG: "The text is too long (at most %(most)s characters).",
    Refusal.BAD_ACTION: "The device sent a malformed action id.",
    Refusal.WOULD_NOT_APPLY: (
        "This change does not fit the exercise as it stands now; nothing was written."
    ),
}


class CommandRefused(Exception):
    """A wish that does not fit the exercise: a code and its parameters (never a sentence).

    ``str()`` gives the English text, for logs and tests; users get ``text(refusal, _)``.
    """

    def __init__(self, code: Refusal, **params: Param) -> None:
        self.code = code
        self.params = params
        super().__init__(text(self, _english))


def _english(message: str, **values: object) -> str:
    return message % values if values else message


def text(
    refusal: CommandRefused,
    _: Translate,
    team_name: Callable[[str], str] | None = None,
) -> str:
    """The refusal in the language of ``_``; ``team_name`` gives teams their display names."""
    values: dict[str, object] = {}
    for key, value in refusal.params.items():
        if key in ("team", "teams") and team_name is not None:
            names = (value,) if isinstance(value, str) else value
            if isinstance(names, tuple):
                value = ", ".join(team_name(name) for name in names)
        elif isinstance(value, tuple):
            value = ", ".join(value)
        values[key] = value
    return _(TEMPLATES[refusal.code], **values)
