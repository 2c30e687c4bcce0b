"""Client messages (controlroom.delivery.messages)."""

from __future__ import annotations

import pytest

from controlroom.delivery.messages import (
    Ack,
    AskControl,
    BadMessage,
    CueReport,
    Ping,
    Pong,
    Resume,
    Safety,
    Seen,
    parse,
)
from controlroom.exercise.safety import SafetyKind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "resume", "epoch": "abc", "last_seq": 12}', Resume("abc", 12)),
        ('{"type": "resume", "epoch": null, "last_seq": 0}', Resume(None, 0)),
        ('{"type": "resume"}', Resume(None, 0)),
        ('{"type": "ping", "t": 5}', Ping(5)),
        ('{"type": "ping", "t": {"x": 1}}', Ping(None)),
        ('{"type": "pong", "t": 5}', Pong()),
        ('{"type": "ack", "inject": "S-01", "headers": {"X-CSRF-Token": "x"}}', Ack("S-01")),
        ('{"type": "seen", "seq": 7}', Seen(7)),
        ('{"type": "cue", "cue": "S-01.1", "status": "ready"}', CueReport("S-01.1", "ready")),
    ],
)
def test_valid_messages(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad-json"),
        ("[1, 2]", "bad-message"),
        ('{"no": "type"}', "unknown-type"),
        ('{"type": "subscribe", "audience": "control"}', "unknown-type"),
        ('{"type": "resume", "last_seq": -1}', "bad-message"),
        ('{"type": "resume", "last_seq": "12"}', "bad-message"),
        ('{"type": "resume", "last_seq": true}', "bad-message"),
        ('{"type": "resume", "last_seq": 1.5}', "bad-message"),
        ('{"type": "resume", "epoch": 5, "last_seq": 1}', "bad-message"),
        ('{"type": "ack"}', "bad-message"),
        ('{"type": "ack", "inject": ""}', "bad-message"),
        ('{"type": "ack", "inject": "' + "x" * 65 + '"}', "bad-message"),
        ('{"type": "seen", "seq": null}', "bad-message"),
        ('{"type": "cue", "cue": "a"}', "bad-message"),
    ],
)
def test_invalid_messages(text: str, code: str) -> None:
    with pytest.raises(BadMessage) as raised:
        parse(text)
    assert raised.value.code == code


def test_device_actions_carry_their_id() -> None:
    """The outbox (docs/protocol.md): ack and cue may carry ``action``; request, stop, call must."""
    assert parse('{"type": "ack", "inject": "S-01"}') == Ack("S-01", None)
    assert parse('{"type": "ack", "inject": "S-01", "action": "a1"}') == Ack("S-01", "a1")
    assert parse('{"type": "cue", "cue": "c", "status": "done", "action": "q"}') == CueReport(
        "c", "done", "q"
    )
    assert parse('{"type": "request", "kind": "", "text": "car", "action": "r"}') == AskControl(
        None, "car", "r"
    )
    assert parse('{"type": "stop", "action": "s"}') == Safety(SafetyKind.STOP, None, "s")
    assert parse('{"type": "call", "cue": "c", "action": "s"}') == Safety(SafetyKind.CALL, "c", "s")
    for bad in (
        '{"type": "request", "text": "car"}',
        '{"type": "request", "text": 5, "action": "r"}',
        '{"type": "stop"}',
        '{"type": "stop", "action": ""}',
        '{"type": "ack", "inject": "S-01", "action": 7}',
        '{"type": "call", "cue": 3, "action": "x"}',
    ):
        with pytest.raises(BadMessage):
            parse(bad)
