"""Random disconnects against a real server: nothing lost, duplicated, reordered or leaked.

54 clients (teams' tablets, actors' tablets, controllers, observers) follow an exercise of
over 200 events while each drops its connection at random moments (an abrupt TCP abort or a
clean close), waits a little and resumes. At the end every client's whole history is
compared with what its audience must see, computed from the journal by the independent
``Oracle``: the same seqs, in the same order, once each, and no marker it may not see.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any

import httpx
import orjson
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.server import (
    Client,
    ClientFactory,
    LiveServer,
    LiveServerFactory,
    Oracle,
    marked_scenario,
    marker,
)

SEED = 20240611
TEAMS, ROLES, INJECTS_PER_TEAM = 4, 3, 40
DEVICES = {"team": 9, "actor": 4, "control": 3, "observer": 3}


def script(scenario: dict[str, Any], rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """Over 200 commands: every release, notes, cue reports, requests and holds, shuffled."""
    steps: list[tuple[str, dict[str, Any]]] = []
    for inject in scenario["injects"]:
        steps.append(("release_now", {"by": "d", "inject": inject["id"]}))
        for n, cue in enumerate(inject["cues"], start=1):
            status = rng.choice(["ready", "in-scene", "done"])
            cue_id = f"{inject['id']}.{n}"
            report = {"role": cue["role"], "cue": cue_id, "status": status, "device": "a"}
            steps.append(("cue_status", report))
    for n in range(30):
        team = f"t{rng.randrange(1, TEAMS + 1)}"
        steps.append(("add_note", {"by": "c", "text": marker("NOTE", str(n)), "team": team}))
    rng.shuffle(steps)
    for n in range(1, 11):
        team = f"t{rng.randrange(1, TEAMS + 1)}"
        request = {"team": team, "device": "x", "kind": "interpreter", "text": f"r{n}"}
        steps.insert(rng.randrange(len(steps)), ("send_request", request))
    for n in range(1, 11):
        steps.append(("answer_request", {"by": "c", "request": f"R{n:03d}", "answer": "soon"}))
    holds = set(rng.sample(range(len(steps)), 5))
    hold = ("hold", {"by": "d", "reason": marker("NOTE", "hold")})
    with_holds: list[tuple[str, dict[str, Any]]] = []
    for at, step in enumerate(steps):
        if at in holds:
            with_holds += [hold, ("resume", {"by": "d"})]
        with_holds.append(step)
    steps = with_holds
    return [("startex", {"by": "d"}), *steps]


async def drive(server: LiveServer, exercise: str, steps: list[Any], rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        while steps:
            batch = steps[: rng.randint(1, 4)]
            steps = steps[len(batch) :]
            body = [{"command": name, "args": args} for name, args in batch]
            response = await http.post(
                f"/test/exercises/{exercise}/commands", content=orjson.dumps(body)
            )
            assert response.status_code == 200, response.text
            await asyncio.sleep(rng.uniform(0, 0.01))


async def wander(client: Client, done: asyncio.Event, rng: random.Random) -> int:
    """Connect, read a while, drop or close, pause, resume... until the driver is done."""
    drops = 0
    while not done.is_set():
        try:
            await client.connect()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(rng.uniform(0.0, 0.4)):
                    while True:
                        frame = await client.recv(timeout=5)
                        if frame.get("receipt") and rng.random() < 0.5:
                            await client.send({"type": "seen", "seq": frame["seq"]})
        except (ConnectionClosed, InvalidStatus, OSError) as error:
            raise AssertionError(f"{client.audience}: connection failed: {error!r}") from error
        if rng.random() < 0.6:
            client.drop()
        else:
            await client.close()
        drops += 1
        await asyncio.sleep(rng.uniform(0.0, 0.1))
    return drops


async def test_random_disconnects_lose_nothing(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    rng = random.Random(SEED)
    server = live_server(journal_url="memory://")
    scenario = marked_scenario(teams=TEAMS, roles=ROLES, injects_per_team=INJECTS_PER_TEAM)
    exercise = server.create_exercise(scenario)
    audiences = (
        [f"team:t{n}" for n in range(1, TEAMS + 1) for _ in range(DEVICES["team"])]
        + [f"actor:r{n}" for n in range(ROLES) for _ in range(DEVICES["actor"])]
        + ["control"] * DEVICES["control"]
        + ["observer"] * DEVICES["observer"]
    )
    devices = [clients(server, exercise, audience) for audience in audiences]
    assert len(devices) >= 50
    done = asyncio.Event()
    wanderers = [
        asyncio.create_task(wander(device, done, random.Random(rng.random()))) for device in devices
    ]
    await drive(server, exercise, script(scenario, rng), rng)
    done.set()
    drops = await asyncio.gather(*wanderers)
    assert sum(drops) > 200  # plenty of disconnects happened during the exercise

    _, events = server.journal(exercise)
    assert len(events) >= 200
    assert any(e["type"] == "inject.delivered" for e in events)  # receipts under fire
    oracle = Oracle(scenario, events)
    for device in devices:  # the final reconnect: everyone catches up
        await device.connect()
        expected = oracle.seqs(device.audience)
        await device.until_seq(expected[-1], timeout=10)
        if not device.live:
            await device.until(lambda f: f["type"] == "live", timeout=10)
    for device in devices:
        await device.close()
        await device.wait_dropped()
        assert all(kind == "event" for _, kind, _ in device.received), "no reload was needed"
        got = device.event_seqs()
        expected = oracle.seqs(device.audience)
        assert len(got) == len(set(got)), f"{device.audience}: duplicates"
        assert got == sorted(got), f"{device.audience}: out of order"
        assert got == expected, f"{device.audience}: lost {sorted(set(expected) - set(got))}"
        for seq, _, text in device.received:
            assert oracle.leaks(device.audience, seq, text) == [], (device.audience, seq)
