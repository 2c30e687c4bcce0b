"""A device's outbox on a real server: every action applied once, answered ``done`` or with
an error naming it, also when it is sent again after a server restart (docs/protocol.md)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support.server import ClientFactory, LiveServerFactory, marked_scenario


def done(action: str) -> Any:
    return lambda f: f.get("type") == "done" and f.get("action") == action


def joined(server: Any, exercise: str) -> None:
    server.run(
        exercise,
        ("join_device", {"device": "tab-1", "name": "Tab", "team": "t1"}),
        ("join_device", {"device": "act-1", "name": "Act", "role": "r0"}),
    )


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


async def test_a_repeated_action_is_applied_once_and_answered_done_each_time(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    joined(server, exercise)
    server.run(exercise, ("startex", {"by": "d"}), ("release_now", {"by": "d", "inject": "I-t1-0"}))
    team = clients(server, exercise, "team:t1", device="tab-1")
    await team.connect()
    await team.until(lambda f: f["type"] == "live")
    for _ in range(3):
        await team.send({"type": "ack", "inject": "I-t1-0", "action": "a-1"})
        await team.until(done("a-1"))
    for _ in range(2):
        await team.send({"type": "request", "kind": None, "text": "A car", "action": "a-2"})
        await team.until(done("a-2"))
    _, events = server.journal(exercise)
    acks = of_type(events, "inject.acknowledged")
    assert [(e["data"]["action"], e["data"]["device"]) for e in acks] == [("a-1", "tab-1")]
    requests = of_type(events, "request.sent")
    assert [(e["data"]["action"], e["data"]["text"]) for e in requests] == [("a-2", "A car")]


async def test_a_refused_action_is_answered_with_its_id_and_translated(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    joined(server, exercise)
    team = clients(server, exercise, "team:t1", device="tab-1", language="ru")
    await team.connect()
    await team.until(lambda f: f["type"] == "live")
    await team.send({"type": "request", "kind": "no-such-kind", "text": "", "action": "r-1"})
    await team.until(lambda f: f.get("type") == "error" and f.get("action") == "r-1")
    error = team.frames[-1]
    assert error["code"] == "refused"
    assert error["reason"] == "unknown-request-kind"
    assert error["message"] == "Неизвестный тип запроса."
    await team.send({"type": "request", "text": "x", "action": ""})
    await team.until(lambda f: f.get("type") == "error" and f.get("code") == "bad-message")


async def test_after_endex_an_action_is_refused_with_the_ended_code_but_stop_goes_in(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    joined(server, exercise)
    server.run(
        exercise,
        ("startex", {"by": "d"}),
        ("release_now", {"by": "d", "inject": "I-t1-0"}),
        ("endex", {"by": "d"}),
    )
    team = clients(server, exercise, "team:t1", device="tab-1", language="ru")
    actor = clients(server, exercise, "actor:r0", device="act-1")
    for client in (team, actor):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    await team.send({"type": "ack", "inject": "I-t1-0", "action": "late-1"})
    await team.until(lambda f: f.get("type") == "error" and f.get("action") == "late-1")
    error = team.frames[-1]
    assert (error["code"], error["reason"]) == ("refused", "ended")
    assert error["message"] == "Учения завершены."
    await actor.send({"type": "stop", "action": "stop-1"})
    await actor.until(done("stop-1"))
    _, events = server.journal(exercise)
    assert of_type(events, "inject.acknowledged") == []
    assert [e["data"]["action"] for e in of_type(events, "safety.stop")] == ["stop-1"]


async def test_an_action_sent_again_after_a_restart_is_not_applied_twice(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    """The file:// journal remembers the applied action ids: a restart forgets nothing."""
    server = live_server()  # the embedded default: file:// in the data folder
    exercise = server.create_exercise(marked_scenario())
    joined(server, exercise)
    server.run(exercise, ("startex", {"by": "d"}), ("release_now", {"by": "d", "inject": "I-t1-0"}))
    team = clients(server, exercise, "team:t1", device="tab-1")
    actor = clients(server, exercise, "actor:r0", device="act-1")
    for client in (team, actor):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    await team.send({"type": "ack", "inject": "I-t1-0", "action": "k-1"})
    await team.until(done("k-1"))
    await team.send({"type": "request", "kind": None, "text": "Bank records", "action": "k-2"})
    await team.until(done("k-2"))
    await actor.send({"type": "cue", "cue": "I-t1-0.1", "status": "done", "action": "k-3"})
    await actor.until(done("k-3"))
    await actor.send({"type": "stop", "cue": "I-t1-0.1", "action": "k-4"})
    await actor.until(done("k-4"))
    _, before = server.journal(exercise)

    team.drop()
    actor.drop()
    server.restart()
    for client in (team, actor):
        await client.wait_dropped()
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    # the answers were lost on the way: the devices send everything again
    await team.send({"type": "ack", "inject": "I-t1-0", "action": "k-1"})
    await team.until(done("k-1"))
    await team.send({"type": "request", "kind": None, "text": "Bank records", "action": "k-2"})
    await team.until(done("k-2"))
    await actor.send({"type": "cue", "cue": "I-t1-0.1", "status": "ready", "action": "k-3"})
    await actor.until(done("k-3"))
    await actor.send({"type": "stop", "cue": "I-t1-0.1", "action": "k-4"})
    await actor.until(done("k-4"))
    _, after = server.journal(exercise)
    assert after == before
    assert len(of_type(after, "request.sent")) == 1
    assert len(of_type(after, "safety.stop")) == 1
    assert of_type(after, "cue.status")[0]["data"]["status"] == "done"


async def test_stop_reaches_the_console_with_role_and_team(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    joined(server, exercise)
    server.run(exercise, ("startex", {"by": "d"}))
    console = clients(server, exercise, "control")
    actor = clients(server, exercise, "actor:r0", device="act-1")
    team = clients(server, exercise, "team:t1", device="tab-1")
    for client in (console, actor, team):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    await team.send({"type": "stop", "action": "x"})
    await team.until(lambda f: f.get("type") == "error" and f.get("code") == "forbidden")
    await actor.send({"type": "stop", "cue": "I-t1-0.1", "action": "s-1"})
    await actor.until(done("s-1"))
    await console.until(lambda f: f.get("type") == "event" and "safety-alert" in f["content"])
    alert = console.frames[-1]["content"]
    assert 'data-kind="stop"' in alert and 'data-teams="t1"' in alert


async def test_a_reveal_and_a_cue_per_team_are_applied_once_and_only_from_an_actor(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    joined(server, exercise)
    server.run(exercise, ("startex", {"by": "d"}))
    team = clients(server, exercise, "team:t1", device="tab-1")
    actor = clients(server, exercise, "actor:r0", device="act-1")
    for client in (team, actor):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    reveal = {"type": "reveal", "cue": "ALL-0.1", "team": "t2", "reveal": "1", "action": "v-1"}
    for _ in range(2):
        await actor.send(reveal)
        await actor.until(done("v-1"))
    await actor.send(
        {"type": "cue", "cue": "ALL-0.1", "team": "t2", "status": "done", "action": "v-2"}
    )
    await actor.until(done("v-2"))
    await team.send({**reveal, "action": "v-3"})
    await team.until(lambda f: f.get("type") == "error" and f.get("action") == "v-3")
    await actor.send({**reveal, "reveal": "9", "action": "v-4"})
    await actor.until(
        lambda f: (
            f.get("type") == "error" and f.get("action") == "v-4" and f["reason"] == "no-reveal"
        )
    )
    _, events = server.journal(exercise)
    marks = of_type(events, "cue.revealed")
    assert [(e["data"]["team"], e["data"]["reveal"], e["data"]["device"]) for e in marks] == [
        ("t2", "1", "act-1")
    ]
    [status] = of_type(events, "cue.status")
    assert status["data"]["team"] == "t2"


async def test_a_tap_sent_late_counts_when_it_was_tapped_clamped_to_what_the_device_saw(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    """``age_ms`` becomes ``tapped_at`` on the server's clock (docs/devices.md, the outbox):
    received minus the age, never before the release an acknowledgement answers, never after
    its arrival; without an age the event is written as before (no ``tapped_at``)."""
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    joined(server, exercise)
    server.run(
        exercise,
        ("startex", {"by": "d"}),
        ("release_now", {"by": "d", "inject": "I-t1-0"}),
        ("release_now", {"by": "d", "inject": "I-t1-1"}),
    )
    team = clients(server, exercise, "team:t1", device="tab-1")
    actor = clients(server, exercise, "actor:r0", device="act-1")
    for client in (team, actor):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    await asyncio.sleep(1.0)  # the server's clock moves on past the joins and releases
    # a day old: no earlier than the release it answers
    await team.send({"type": "ack", "inject": "I-t1-0", "action": "t-1", "age_ms": 86_400_000})
    await team.until(done("t-1"))
    await team.send({"type": "request", "text": "Interpreter", "action": "t-2", "age_ms": 500})
    await team.until(done("t-2"))
    # a clock gone backwards: counts as just now
    await actor.send({"type": "stop", "cue": "I-t1-0.1", "action": "t-3", "age_ms": -9000})
    await actor.until(done("t-3"))
    await team.send({"type": "ack", "inject": "I-t1-1", "action": "t-4"})
    await team.until(done("t-4"))
    _, events = server.journal(exercise)
    released = {e["data"]["inject"]: e["at"] for e in of_type(events, "inject.released")}
    [ack, plain] = of_type(events, "inject.acknowledged")
    assert ack["data"]["tapped_at"] == released["I-t1-0"]
    assert ack["at"] - ack["data"]["tapped_at"] >= 1.0  # received a second later
    [request] = of_type(events, "request.sent")
    assert 0.5 <= request["at"] - request["data"]["tapped_at"] < 0.75
    [stop] = of_type(events, "safety.stop")
    assert 0 <= stop["at"] - stop["data"]["tapped_at"] < 0.1
    assert "tapped_at" not in plain["data"]


@pytest.mark.parametrize("age", ["5000", True, {"ms": 5}, [5]])
async def test_an_age_that_is_not_a_number_is_refused_naming_the_action(
    live_server: LiveServerFactory, clients: ClientFactory, age: object
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    joined(server, exercise)
    server.run(exercise, ("startex", {"by": "d"}), ("release_now", {"by": "d", "inject": "I-t1-0"}))
    team = clients(server, exercise, "team:t1", device="tab-1", language="ru")
    await team.connect()
    await team.until(lambda f: f["type"] == "live")
    await team.send({"type": "ack", "inject": "I-t1-0", "action": "b-1", "age_ms": age})
    await team.until(lambda f: f.get("type") == "error" and f.get("action") == "b-1")
    error = team.frames[-1]
    assert error["code"] == "bad-message"
    assert error["message"] == "«age_ms» должно быть числом миллисекунд."
    # the socket stays: the same tap with a good age goes in
    await team.send({"type": "ack", "inject": "I-t1-0", "action": "b-1", "age_ms": 10})
    await team.until(done("b-1"))
    _, events = server.journal(exercise)
    assert len(of_type(events, "inject.acknowledged")) == 1
