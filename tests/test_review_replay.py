"""Replay against what devices really showed: a live exercise on a real server (holds, a
jump, a speed change, edits, releases to several teams, the release clock, a SimCell answer,
devices dropping and resuming), recorded by real websocket clients. At random moments, each
team's replay (folded from the journal up to then) equals the team's view rebuilt from the
frames its device received up to then; ``controlroom replay`` prints the same as JSON."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import subprocess
import sys
from typing import Any

import orjson

from controlroom.delivery.views import TeamInjectView
from controlroom.journal import Event
from controlroom.review.log import review_log
from controlroom.review.replay import moment_at, moment_of, replay
from tests.support.server import (
    ROOT,
    Client,
    ClientFactory,
    LiveServer,
    LiveServerFactory,
    marked_scenario,
    marker,
)

TEAMS = ("t1", "t2", "t3")
Shown = dict[str, tuple[int, str, str]]  # inject -> (version, status, body marker)
_ARTICLE = re.compile(
    r'<article id="inject-[^"]+" class="card inject-card" data-inject="([^"]+)" '
    r'data-version="(\d+)" data-status="([a-z-]+)".*?</article>',
    re.S,
)
_BODY = re.compile(r"MK\[BODY:[^\]]*\]")


def shown_by_frames(client: Client, seq: int) -> Shown:
    """The team's injects as its device showed them once it had every frame up to ``seq``."""
    shown: Shown = {}
    for frame_seq, kind, raw in sorted(client.received, key=lambda r: r[0]):
        if frame_seq > seq:
            break
        content = orjson.loads(raw)["content"]
        if kind == "snapshot":
            shown = {}
        for found in _ARTICLE.finditer(content):
            body = _BODY.search(found[0])
            shown[found[1]] = (int(found[2]), found[3], body[0] if body else "")
    return shown


def shown_by_replay(events: list[Event], team: str, seq: int) -> Shown:
    view = replay(events, f"team:{team}", moment_of(events, seq)).view
    shown: Shown = {}
    for item in view.injects:
        assert isinstance(item, TeamInjectView)
        body = _BODY.search(item.body.get("en", ""))
        shown[item.inject] = (item.version, str(item.status), body[0] if body else "")
    return shown


class Device:
    """A client that reads every frame as it comes (a tablet's page does), until dropped."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        await self.client.connect()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                await self.client.recv(timeout=60)

    async def drop(self) -> None:
        await asyncio.sleep(0.3)  # what was on its way has arrived
        self.client.drop()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def stop(self) -> None:
        await self.drop()
        await self.client.close()


async def drive(server: LiveServer, exercise: str, devices: dict[str, Device]) -> None:
    def run(*steps: tuple[str, dict[str, Any]]) -> None:
        server.run(exercise, *steps)

    edit = {"body": {"en": marker("BODY", "I-t1-0", "v2")}}
    run(("startex", {"by": "d"}), ("release_now", {"by": "d", "inject": "I-t1-0"}))
    run(("release_now", {"by": "d", "inject": "ALL-0", "teams": ["t1", "t3"]}))
    run(("hold", {"by": "d", "reason": "fire drill"}))
    await devices["t2"].drop()
    run(("edit", {"by": "d", "inject": "I-t1-0", "changes": edit}))
    run(("release_now", {"by": "d", "inject": "I-t2-0"}), ("resume", {"by": "d"}))
    run(("set_speed", {"by": "d", "speed": 30}))
    await asyncio.sleep(1.5)  # 45 scenario seconds
    await devices["t2"].connect()
    run(("jump", {"by": "d", "scenario_time": 9 * 3600 + 150}))  # past S-0 and S-1: due now
    await asyncio.sleep(1.0)  # the release clock releases them to t1
    await devices["t3"].drop()
    run(
        ("release_now", {"by": "d", "inject": "ALL-0", "teams": ["t2"]}),
        ("acknowledge", {"inject": "I-t1-0", "team": "t1", "device": "x"}),
        ("send_request", {"team": "t3", "device": "y", "kind": "interpreter", "text": "please"}),
        ("answer_request", {"by": "c", "request": "R001", "answer": "soon"}),
        ("release_now", {"by": "d", "inject": "I-t3-0"}),
        ("cancel", {"by": "d", "inject": "I-t3-2"}),
    )
    await devices["t3"].connect()
    run(("release_now", {"by": "d", "inject": "I-t2-1"}), ("endex", {"by": "d"}))


async def test_each_teams_replay_equals_what_its_device_showed(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server()
    scenario = marked_scenario(teams=3, roles=2, injects_per_team=3, scheduled=2)
    exercise = server.create_exercise(scenario)
    tablets = {team: Device(clients(server, exercise, f"team:{team}")) for team in TEAMS}
    for tablet in tablets.values():
        await tablet.connect()
    await drive(server, exercise, tablets)
    _epoch, journal = server.journal(exercise)
    events = [Event(e["seq"], e["type"], e["at"], e["data"]) for e in journal]
    last = events[-1].seq
    await asyncio.sleep(1.0)  # the last frames arrive
    for tablet in tablets.values():
        await tablet.stop()
    devices = {team: tablet.client for team, tablet in tablets.items()}
    for device in devices.values():  # each device has caught up with the journal
        assert device.last_seq == last and device.live
    types = [e.type for e in events]
    for needed in ("clock.held", "clock.jumped", "clock.speed", "inject.edited", "clock.ended"):
        assert needed in types, needed
    assert types.count("inject.released") >= 8  # the release clock released S-0 and S-1 too

    rng = random.Random(20261129)
    moments = sorted({*rng.sample(range(1, last + 1), min(15, last)), last})
    for seq in moments:
        for team, device in devices.items():
            assert shown_by_replay(events, team, seq) == shown_by_frames(device, seq), (team, seq)
    # by scenario time: the moment is the last event by then; it shows no more than the device
    times = [e.scenario_time for e in review_log(events, {}) if e.scenario_time is not None]
    for _ in range(6):
        at = rng.uniform(min(times), max(times))
        moment = moment_at(events, at)
        assert moment.scenario_time is not None and moment.scenario_time <= at
        for team, device in devices.items():
            shown = shown_by_replay(events, team, moment.seq)
            assert shown == shown_by_frames(device, moment.seq), (team, at)
    final = shown_by_replay(events, "t1", last)
    assert final["I-t1-0"] == (2, "acknowledged", marker("BODY", "I-t1-0", "v2"))
    assert "I-t2-0" not in final and {"S-0", "S-1"} <= set(final)

    # the command line prints the same view, read from the server's data folder
    env = {**os.environ, "CONTROLROOM_DATA_DIR": str(server.data_dir)}
    seq = moments[len(moments) // 2]
    command = [sys.executable, "-m", "controlroom", "replay", exercise]
    command += ["--team", "t2", "--seq", str(seq)]
    printed = await asyncio.to_thread(
        subprocess.run, command, cwd=ROOT, env=env, capture_output=True, check=True, timeout=60
    )
    document = orjson.loads(printed.stdout)
    assert document["replay"] is True and document["moment"]["seq"] == seq
    from_cli = {i["inject"]: (i["version"], i["status"]) for i in document["view"]["injects"]}
    expected = shown_by_frames(devices["t2"], seq)
    assert from_cli == {k: v[:2] for k, v in expected.items()}
    assert "MK[NOTE" not in printed.stdout.decode() and "MK[EXPECT" not in printed.stdout.decode()
