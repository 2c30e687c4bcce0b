"""What a client may say on its socket, parsed and checked. Specification: docs/protocol.md.

Nothing here is about identity: who the client is comes from its session, never from a
message. Unknown keys are ignored (htmx's ``hx-ws:send`` adds ``headers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from controlroom.exercise.safety import SafetyKind
from controlroom.i18n import LANGUAGES

MAX_ID = 64
MAX_AGE_MS = 2**53  # JSON-safe; the server clamps any age to its own bound (tap_time)
MAX_SEQ = 2**53  # JSON-safe integers
CUE_STATUSES = frozenset({"ready", "in-scene", "done"})  # what an actor may report
NO_EPOCH = ""  # stands for an epoch that cannot be this journal's (empty or too long)


class BadMessage(ValueError):
    """A message that is not valid; ``code`` goes into the error frame, and ``action`` (the
    device's id of the action, when it was readable) too, so its outbox shows it refused."""

    def __init__(self, code: str, message: str, action: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.action = action


@dataclass(frozen=True, slots=True)
class Resume:
    epoch: str | None
    last_seq: int


@dataclass(frozen=True, slots=True)
class Ping:
    t: Any


@dataclass(frozen=True, slots=True)
class Pong:
    pass


@dataclass(frozen=True, slots=True)
class Ack:
    inject: str
    action: str | None = None  # the device's id for this action (the outbox)
    age: float | None = None  # seconds since the tap on the device (``age_ms``), if sent


@dataclass(frozen=True, slots=True)
class Seen:
    seq: int


@dataclass(frozen=True, slots=True)
class CueReport:
    cue: str
    status: str
    action: str | None = None
    team: str | None = None  # the team the scene is played for (None: every team, older pages)
    age: float | None = None  # seconds since the tap on the device (``age_ms``), if sent


@dataclass(frozen=True, slots=True)
class RevealReport:
    """An actor revealed one of a cue's reveals to one team (``reveal``)."""

    cue: str
    team: str
    reveal: str
    action: str
    age: float | None = None  # seconds since the tap on the device (``age_ms``), if sent


@dataclass(frozen=True, slots=True)
class AskControl:
    """A team's request to the fictional world (``request``): from the catalogue or free text."""

    kind: str | None
    text: str
    action: str
    age: float | None = None  # seconds since the tap on the device (``age_ms``), if sent


@dataclass(frozen=True, slots=True)
class Safety:
    """An actor's STOP (``stop``) or call for control (``call``), about the cue it is on."""

    kind: SafetyKind
    cue: str | None
    action: str
    team: str | None = None  # the team the scene on that cue is played for
    age: float | None = None  # seconds since the tap on the device (``age_ms``), if sent


@dataclass(frozen=True, slots=True)
class Observe:
    """An observer's observation (``observe``); with ``observation``, a new version of it."""

    objective: str
    task: str | None
    rating: str | None
    team: str | None
    inject: str | None
    text: str
    observation: int | None
    action: str
    age: float | None = None  # seconds since the tap on the device (``age_ms``), if sent


@dataclass(frozen=True, slots=True)
class Withdraw:
    """An observer withdraws one of their observations (``withdraw``)."""

    observation: int
    action: str
    age: float | None = None  # seconds since the tap on the device (``age_ms``), if sent


@dataclass(frozen=True, slots=True)
class ReplyMessage:
    """A team's reply to an inject (``reply``): text, and files it uploaded before (ids)."""

    inject: str
    kind: str
    text: str
    files: tuple[str, ...]
    action: str
    age: float | None = None  # seconds since the tap on the device (``age_ms``), if sent


MAX_REPLY_FILES = 5


@dataclass(frozen=True, slots=True)
class Language:
    """Show this socket's frames in ``language`` from now on (one of the interface's)."""

    language: str


ClientMessage = (
    Resume
    | Ping
    | Pong
    | Ack
    | Seen
    | CueReport
    | RevealReport
    | AskControl
    | ReplyMessage
    | Safety
    | Observe
    | Withdraw
    | Language
)


def parse(text: str) -> ClientMessage:
    """One client message, or ``BadMessage``."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadMessage("bad-json", "The message is not JSON.") from None
    if not isinstance(data, dict):
        raise BadMessage("bad-message", "A message is a JSON object with a 'type'.")
    kind = data.get("type")
    if kind == "resume":
        return _resume(data)
    if kind == "ping":
        t = data.get("t")
        return Ping(t if isinstance(t, (int, float, str)) and not isinstance(t, bool) else None)
    if kind == "pong":
        return Pong()
    if kind == "ack":
        return Ack(_id(data.get("inject"), "inject"), _action(data, required=False), _age(data))
    if kind == "seen":
        return Seen(_seq(data.get("seq"), "seq"))
    if kind == "cue":
        status = data.get("status")
        if not isinstance(status, str) or status not in CUE_STATUSES:
            raise BadMessage("bad-message", "'status' must be ready, in-scene or done.")
        team = data.get("team")
        return CueReport(
            _id(data.get("cue"), "cue"),
            str(status),
            _action(data, required=False),
            None if team is None else _id(team, "team"),
            _age(data),
        )
    if kind == "reveal":
        return RevealReport(
            _id(data.get("cue"), "cue"),
            _id(data.get("team"), "team"),
            _id(data.get("reveal"), "reveal"),
            _required(data),
            _age(data),
        )
    if kind == "request":
        return _ask(data)
    if kind == "reply":
        return _reply(data)
    if kind in ("stop", "call"):
        cue, team = data.get("cue"), data.get("team")
        return Safety(
            SafetyKind(kind),
            None if cue is None else _id(cue, "cue"),
            _required(data),
            None if team is None else _id(team, "team"),
            _age(data),
        )
    if kind == "observe":
        return _observe(data)
    if kind == "withdraw":
        return Withdraw(_seq(data.get("observation"), "observation"), _required(data), _age(data))
    if kind == "language":
        language = data.get("language")
        if not isinstance(language, str) or language not in LANGUAGES:
            raise BadMessage("bad-message", f"'language' must be one of {', '.join(LANGUAGES)}.")
        return Language(language)
    raise BadMessage("unknown-type", f"Unknown message type {str(kind)[:40]!r}.")


def _resume(data: dict[str, Any]) -> Resume:
    """``resume``: ``epoch`` defaults to null and ``last_seq`` to 0. A string epoch that is
    empty or too long cannot be this journal's, and a ``last_seq`` beyond 2**53 beyond any
    journal: both are answered with ``reload`` (by the resume plan), not refused."""
    epoch = data.get("epoch")
    if epoch is not None and not isinstance(epoch, str):
        raise BadMessage("bad-message", "'epoch' must be a string or null.")
    if isinstance(epoch, str) and not _is_id(epoch):
        epoch = NO_EPOCH
    last_seq = data.get("last_seq", 0)
    if isinstance(last_seq, float) and last_seq.is_integer() and last_seq > MAX_SEQ:
        last_seq = MAX_SEQ + 1  # an integer too big for the JSON parser: still beyond any journal
    if not isinstance(last_seq, int) or isinstance(last_seq, bool) or last_seq < 0:
        raise BadMessage("bad-message", "'last_seq' must be a whole number from 0.")
    return Resume(epoch, min(last_seq, MAX_SEQ + 1))


def _ask(data: dict[str, Any]) -> AskControl:
    kind, text = data.get("kind"), data.get("text", "")
    if kind == "":
        kind = None
    if not isinstance(text, str):
        raise BadMessage("bad-message", "'text' must be a string.")
    return AskControl(
        None if kind is None else _id(kind, "kind"), text, _required(data), _age(data)
    )


def _observe(data: dict[str, Any]) -> Observe:
    text = data.get("text", "")
    if not isinstance(text, str):
        raise BadMessage("bad-message", "'text' must be a string.")
    observation = data.get("observation")
    return Observe(
        objective=_id(data.get("objective"), "objective"),
        task=_optional_id(data, "task"),
        rating=_optional_id(data, "rating"),
        team=_optional_id(data, "team"),
        inject=_optional_id(data, "inject"),
        text=text,
        observation=None if observation is None else _seq(observation, "observation"),
        action=_required(data),
        age=_age(data),
    )


def _optional_id(data: dict[str, Any], name: str) -> str | None:
    """An id, or null / "" / absent for none (a form's empty choice)."""
    value = data.get(name)
    return None if value is None or value == "" else _id(value, name)


def _reply(data: dict[str, Any]) -> ReplyMessage:
    text, kind, files = data.get("text", ""), data.get("kind", "reply"), data.get("files", [])
    if not isinstance(text, str):
        raise BadMessage("bad-message", "'text' must be a string.")
    if not isinstance(files, list) or len(files) > MAX_REPLY_FILES:
        raise BadMessage("bad-message", f"'files' must be a list of at most {MAX_REPLY_FILES} ids.")
    return ReplyMessage(
        _id(data.get("inject"), "inject"),
        _id(kind, "kind"),
        text,
        tuple(_id(f, "files") for f in files),
        _required(data),
        _age(data),
    )


def _age(data: dict[str, Any]) -> float | None:
    """``age_ms``: how long ago the action was taken on the device, in milliseconds (the
    outbox's; absent or null: just now, as older pages send). Not a number: refused, naming
    the action. A number is never refused, only clamped here and by ``tap_time``: the
    device's clocks are not trusted, and a tap kept through an outage must not be lost over
    them (below 0 counts as 0, beyond any bound as the bound)."""
    age = data.get("age_ms")
    if age is None:
        return None
    if not isinstance(age, int | float) or isinstance(age, bool):
        action = data.get("action")
        named = action if _is_id(action) else None
        raise BadMessage("bad-message", "'age_ms' must be a number of milliseconds.", named)
    return min(max(0.0, float(age)), MAX_AGE_MS) / 1000


def _action(data: dict[str, Any], *, required: bool) -> str | None:
    action = data.get("action")
    if action is None and not required:
        return None
    return _id(action, "action")


def _required(data: dict[str, Any]) -> str:
    return _id(data.get("action"), "action")


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID


def _id(value: object, name: str) -> str:
    if not _is_id(value):
        raise BadMessage("bad-message", f"'{name}' must be a short string.")
    assert isinstance(value, str)
    return value


def _seq(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SEQ:
        raise BadMessage("bad-message", f"'{name}' must be a whole number from 0.")
    return value
