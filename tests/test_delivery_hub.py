"""The delivery hub (controlroom.delivery.hub) in one process, on a memory journal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from controlroom.delivery import hub as hub_module
from controlroom.delivery.connection import CloseCode, Connection
from controlroom.delivery.hub import Delivery, ExerciseFeed
from controlroom.delivery.render import AUDIENCE_NAMES, FrameRenderer
from controlroom.delivery.views import ClockView, Patch, Update
from controlroom.exercise import commands
from controlroom.exercise.lifecycles import ClockPhase
from controlroom.i18n import Catalogues
from controlroom.journal.memory import MemoryJournalStore
from controlroom.live.registry import Exercises
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.timesource import ManualTime
from controlroom.package_data import web_dir
from controlroom.scenario.model import Scenario
from controlroom.settings import Settings
from controlroom.web.templating import Pages
from tests.support.server import marked_scenario
from tests.support.sockets import FakeSansIOProtocol, texts_of

WEB_DIR = web_dir()


class Wire:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def __call__(self, message: Any) -> None:
        self.messages.append(dict(message))

    def frames(self) -> list[dict[str, Any]]:
        return [orjson.loads(m["text"]) for m in self.messages if m["type"] == "websocket.send"]

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames() if f["type"] in ("event", "snapshot")]

    def closes(self) -> list[int]:
        return [m["code"] for m in self.messages if m["type"] == "websocket.close"]


async def settle() -> None:
    for _ in range(30):
        await asyncio.sleep(0)


class Rig:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = MemoryJournalStore()
        self.time = ManualTime()
        self.pages = Pages(WEB_DIR / "templates", Catalogues(WEB_DIR / "locale"))
        replay = min(settings.restart_history_events, settings.history_events)  # as app.py
        self.exercises = Exercises(self.store, self.time, run_clock=False, replay_events=replay)
        self.delivery = Delivery(settings, self.time, "secret", renderer=self.pages)
        self.exercises.on_open(self.delivery.attach)

    async def create(self) -> ExerciseRuntime:
        scenario = Scenario.model_validate(marked_scenario())
        return await self.exercises.create(scenario, "test", "d")

    async def connect(
        self, feed: ExerciseFeed, audience: str, device: str | None = None
    ) -> tuple[Connection, Wire]:
        wire = Wire()
        connection = Connection(wire, audience=audience, language="en", device=device)
        feed.join(connection)
        await connection.accept()
        return connection, wire

    async def connect_direct(
        self, feed: ExerciseFeed, audience: str, language: str = "en"
    ) -> tuple[Connection, list[bytes]]:
        """A socket on the fast path, as the server runs it: what it writes, write by write."""
        protocol = FakeSansIOProtocol()
        connection = Connection(protocol.send, audience=audience, language=language)
        feed.join(connection)
        await connection.accept()
        assert connection.direct
        return connection, protocol.transport.data

    async def close(self) -> None:
        await self.delivery.close()
        await self.exercises.close()


async def release(runtime: ExerciseRuntime, inject: str) -> None:
    await runtime.execute(lambda s: commands.release_now(s, "d", inject))


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    rig = Rig(Settings(history_events=1000))
    try:
        yield rig
    finally:
        await rig.close()


async def test_each_event_is_rendered_once_per_stream_whatever_the_sockets(rig: Rig) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    wires = []
    for _ in range(40):
        connection, wire = await rig.connect(feed, "team:t1")
        await feed.resume(connection, None, 0)
        wires.append(wire)
    await runtime.execute(lambda s: commands.startex(s, "d"))
    before = feed.renders
    await runtime.execute(lambda s: commands.release_now(s, "d", "I-t1-0"))
    # only the followed stream (team:t1 in English) is rendered now, once for 40 sockets...
    assert feed.renders - before == 1
    await settle()
    assert all(wire.seqs() == [2, 3] for wire in wires)
    # ... the others when someone resumes them, once however many do
    before = feed.renders
    for _ in range(3):
        connection, wire = await rig.connect(feed, "control")
        await feed.resume(connection, None, 0)
        await settle()
        assert wire.seqs() == [1, 2, 3]
    assert feed.renders - before == 3


async def test_an_update_every_team_gets_alike_is_rendered_once_and_as_each_alone(
    rig: Rig,
) -> None:
    """A release to every team gives each team an equal update whose templates read nothing
    of the audience: rendered once per language, and each team's frame is exactly the one
    it gets when every stream renders its own (the same rig with the sharing turned off)."""
    alone = Rig(Settings(history_events=1000))
    try:
        contents: list[dict[str, list[str]]] = []
        renders = []
        shared_bytes = []
        for each, share in ((rig, True), (alone, False)):
            runtime = await each.create()
            feed = each.delivery.feed(runtime.id)
            if not share:
                feed.render.same_for_all = lambda update: False  # type: ignore[method-assign]
            wires = {}
            for audience in ("team:t1", "team:t2", "team:t3", "control", "observer"):
                connection, wires[audience] = await each.connect(feed, audience)
                await feed.resume(connection, None, 0)
            await runtime.execute(lambda s: commands.startex(s, "d"))
            before = feed.renders
            await runtime.execute(lambda s: commands.release_now(s, "d", "ALL-0"))
            renders.append(feed.renders - before)
            last = [feed._histories[a, "en"]._frames[-1] for a in ("team:t1", "team:t3")]
            shared_bytes.append(last[0].wire is last[1].wire)  # one frame's bytes for both
            await settle()
            contents.append(
                {
                    audience: [  # each rig's exercise has its own id
                        f["content"].replace(runtime.id, "EX")
                        for f in wire.frames()
                        if f["type"] == "event"
                    ]
                    for audience, wire in wires.items()
                }
            )
        assert contents[0] == contents[1]
        assert contents[0]["team:t1"][-1] == contents[0]["team:t3"][-1]
        assert "ALL-0" in contents[0]["team:t2"][-1]
        # three teams alike: 1 render (not 3); control and observer read the audience: 2
        assert renders == [3, 5]
        assert shared_bytes == [True, False]
    finally:
        await alone.close()


def test_only_updates_whose_templates_ignore_the_audience_are_shared(rig: Rig) -> None:
    renderer = FrameRenderer(rig.pages, "ex", "en")
    clock = ClockView(ClockPhase.RUNNING, 0.0, 0.0, 1.0)
    assert renderer.same_for_all(Update((Patch("replace", clock),)))
    assert rig.pages.names("fragments/control/inject.html")[0] & AUDIENCE_NAMES  # can_control
    assert not renderer._audience_blind("fragments/control/inject.html")
    assert not renderer._audience_blind("fragments/view.html")  # data-audience


async def test_resume_replays_only_the_missing_frames_then_goes_live(rig: Rig) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    await runtime.execute(lambda s: commands.startex(s, "d"))
    for inject in ("I-t1-0", "I-t2-0", "I-t1-1"):
        await release(runtime, inject)
    connection, wire = await rig.connect(feed, "team:t1")
    assert await feed.resume(connection, feed.epoch, 3) == 1  # only I-t1-1 (seq 5) is new
    await runtime.execute(lambda s: commands.release_now(s, "d", "I-t1-2"))
    await settle()
    assert wire.seqs() == [5, 6]
    kinds = [f["type"] for f in wire.frames()]
    assert kinds == ["event", "live", "event"]


async def test_a_resume_that_cannot_be_replayed_gets_reload_and_snapshot(rig: Rig) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    await runtime.execute(lambda s: commands.startex(s, "d"))
    await runtime.execute(lambda s: commands.release_now(s, "d", "I-t1-0"))
    for epoch, last_seq, reason in (("other", 1, "epoch"), (feed.epoch, 99, "future")):
        connection, wire = await rig.connect(feed, "team:t1")
        assert await feed.resume(connection, epoch, last_seq) == -1
        await settle()
        frames = wire.frames()
        assert [f["type"] for f in frames] == ["reload", "snapshot", "live"]
        assert frames[0]["reason"] == reason
        assert frames[1]["seq"] == 3 and frames[1]["receipt"] is True
        assert 'id="inject-I-t1-0"' in frames[1]["content"]


async def test_the_history_is_rebuilt_when_a_worker_opens_an_exercise(rig: Rig) -> None:
    runtime = await rig.create()
    await runtime.execute(lambda s: commands.startex(s, "d"))
    await runtime.execute(lambda s: commands.release_now(s, "d", "I-t1-0"))
    await runtime.execute(lambda s: commands.release_now(s, "d", "I-t2-0"))
    # a second worker's view of the same journal: it routes the last events it opens with
    other = Delivery(rig.settings, rig.time, "secret", renderer=rig.pages)
    worker = Exercises(rig.store, rig.time, run_clock=False, replay_events=1000)
    worker.on_open(other.attach)
    reopened = await worker.get(runtime.id)
    feed = other.feed(reopened.id)
    connection, wire = await rig.connect(feed, "team:t1")
    assert await feed.resume(connection, None, 0) == 2  # clock.started, I-t1-0
    await settle()
    assert wire.seqs() == [2, 3]
    await other.close()
    await worker.close()


async def test_a_worker_keeps_the_last_events_it_opens_with_and_reloads_older(rig: Rig) -> None:
    runtime = await rig.create()
    await runtime.execute(lambda s: commands.startex(s, "d"))
    for inject in ("I-t1-0", "I-t1-1", "I-t1-2"):
        await release(runtime, inject)  # seqs 3, 4, 5
    other = Delivery(rig.settings, rig.time, "secret", renderer=rig.pages)
    worker = Exercises(rig.store, rig.time, run_clock=False, replay_events=2)
    worker.on_open(other.attach)
    reopened = await worker.get(runtime.id)
    assert reopened.state == runtime.state  # one fold, whatever was held back
    feed = other.feed(reopened.id)
    connection, wire = await rig.connect(feed, "team:t1")
    assert await feed.resume(connection, feed.epoch, 3) == 2  # seqs 4 and 5, routed on open
    await settle()
    assert wire.seqs() == [4, 5]
    older, older_wire = await rig.connect(feed, "team:t1")
    assert await feed.resume(older, feed.epoch, 2) == -1  # before what it holds: reload
    await settle()
    frames = older_wire.frames()
    assert [f["type"] for f in frames] == ["reload", "snapshot", "live"]
    assert frames[0]["reason"] == "too-old"
    assert 'id="inject-I-t1-0"' in frames[1]["content"]
    await other.close()
    await worker.close()


async def test_a_revoked_device_is_closed_at_once(rig: Rig) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    await runtime.execute(lambda s: commands.join_device(s, "tab-1", "Tablet", team="t1"))
    tablet, tablet_wire = await rig.connect(feed, "team:t1", device="tab-1")
    await feed.resume(tablet, None, 0)
    other, other_wire = await rig.connect(feed, "team:t1")
    await feed.resume(other, None, 0)
    await runtime.execute(lambda s: commands.revoke_device(s, "d", "tab-1"))
    await settle()
    assert tablet_wire.closes() == [CloseCode.REVOKED]
    assert other_wire.closes() == []


async def test_receipts_mark_an_inject_delivered_once_per_team(rig: Rig) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    await runtime.execute(lambda s: commands.startex(s, "d"))
    connections = []
    for _ in range(5):
        connection, _wire = await rig.connect(feed, "team:t1")
        await feed.resume(connection, None, 0)
        connections.append(connection)
    await runtime.execute(lambda s: commands.release_now(s, "d", "I-t1-0"))
    await settle()
    for connection in connections:
        feed.confirm(connection, 3, "tab")
    await settle()
    events = await runtime.journal.read()
    assert [e.type for e in events].count("inject.delivered") == 1
    assert runtime.state.releases["I-t1-0", "t1"].delivered_at is not None


def events_in(written: list[bytes]) -> list[dict[str, Any]]:
    frames = [orjson.loads(text) for text in texts_of(written)]
    return [f for f in frames if f["type"] in ("event", "snapshot")]


async def test_a_batch_reaches_each_socket_in_one_write_of_the_streams_frames(rig: Rig) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    sockets = []
    for audience in ("team:t1", "team:t1", "team:t2", "control"):
        connection, written = await rig.connect_direct(feed, audience)
        await feed.resume(connection, None, 0)
        sockets.append((audience, written, len(written)))
    await runtime.execute(lambda s: commands.startex(s, "d"))
    with runtime.batch():  # as the clock releases what fell due together
        for inject in ("ALL-0", "I-t1-0", "I-t2-0"):
            await release(runtime, inject)
            await settle()
        assert all(len(written) == before + 1 for _, written, before in sockets)  # held
    for audience, written, before in sockets:
        assert len(written) == before + 2, audience  # startex, then the batch in one write
        history = [f.wire for f in feed._histories[audience, "en"]._frames if f.seq > 2]
        assert written[-1] == b"".join(history)  # what a resume would replay, byte for byte
    seqs = [[f["seq"] for f in events_in(written)] for _, written, _ in sockets]
    # each stream's events, each once, in order
    assert seqs == [[2, 3, 4], [2, 3, 4], [2, 3, 5], [1, 2, 3, 4, 5]]
    assert sockets[0][1][-1] is sockets[1][1][-1]  # joined once for the stream's sockets
    # the team's receipts are kept as for frames sent one by one
    assert sockets[0][1] and feed._live["team:t1", "en"]
    team_socket = next(iter(feed._live["team:t1", "en"]))
    assert team_socket.take_receipts(5) == ["ALL-0", "I-t1-0"]


async def test_a_socket_that_resumes_or_changes_language_during_a_batch_sees_each_event_once(
    rig: Rig,
) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    switching, switched = await rig.connect_direct(feed, "team:t1")
    await feed.resume(switching, None, 0)
    await runtime.execute(lambda s: commands.startex(s, "d"))
    with runtime.batch():
        await release(runtime, "I-t1-0")  # seq 3
        resuming, resumed = await rig.connect_direct(feed, "team:t1")
        assert await feed.resume(resuming, None, 0) == 2  # 2 and 3 (still held)
        await release(runtime, "I-t1-1")  # seq 4
        feed.switch_language(switching, "ru")  # a snapshot at seq 4, then Russian
        await release(runtime, "I-t1-2")  # seq 5
    await settle()
    assert [f["seq"] for f in events_in(resumed)] == [2, 3, 4, 5]
    assert [(f["type"], f["seq"]) for f in events_in(switched)] == [
        ("event", 2),
        ("snapshot", 4),  # its whole view at 4: 3, held then, is in it and not sent again
        ("event", 5),
    ]
    assert "I-t1-2" in events_in(switched)[-1]["content"]


async def test_a_long_batch_is_not_held_back_beyond_hold_seconds(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "HOLD_SECONDS", 0.01)
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    connection, written = await rig.connect_direct(feed, "team:t1")
    await feed.resume(connection, None, 0)
    with runtime.batch():
        await runtime.execute(lambda s: commands.startex(s, "d"))
        await release(runtime, "I-t1-0")
        await asyncio.sleep(0.05)  # the batch goes on (a slow journal): they go out anyway
        assert [f["seq"] for f in events_in(written)] == [2, 3]
        await release(runtime, "I-t1-1")
    assert [f["seq"] for f in events_in(written)] == [2, 3, 4]


async def test_a_resume_at_the_current_seq_during_a_batch_gets_no_held_event_again(
    rig: Rig,
) -> None:
    """A client that has seen the held events already (through another worker, or a page
    rendered at that seq) resumes during the batch: nothing to replay, nothing again."""
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    await runtime.execute(lambda s: commands.startex(s, "d"))  # seq 2
    with runtime.batch():
        await release(runtime, "I-t1-0")  # seq 3, held
        await release(runtime, "I-t1-1")  # seq 4, held
        connection, written = await rig.connect_direct(feed, "team:t1")
        assert await feed.resume(connection, feed.epoch, 4) == 0
        await release(runtime, "I-t1-2")  # seq 5, held: new to it
    await settle()
    assert [f["seq"] for f in events_in(written)] == [5]


async def test_a_devices_done_never_overtakes_the_event_it_confirms(rig: Rig) -> None:
    """A team's acknowledgement lands while another command's batch is open (the clock's
    tick awaiting the journal): its event is held, and its ``done`` answer waits for it."""
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    connection, written = await rig.connect_direct(feed, "team:t1")
    await feed.resume(connection, None, 0)
    await runtime.execute(lambda s: commands.startex(s, "d"))
    await release(runtime, "I-t1-0")
    with runtime.batch():  # someone else's batch, open across awaits
        await runtime.execute(lambda s: commands.acknowledge(s, "I-t1-0", "t1", "", action="a1"))
        feed.answer(connection, '{"type":"done","action":"a1"}')  # as the socket answers
    await settle()
    kinds = [orjson.loads(text)["type"] for text in texts_of(written)]
    assert kinds[-2:] == ["event", "done"]
