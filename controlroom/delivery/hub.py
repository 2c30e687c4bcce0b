"""The delivery hub: events rendered once per stream, fanned out. Design: docs/delivery.md.

``Delivery.attach`` is the ``Exercises.on_open`` hook: it gives
every exercise opened in this worker an ``ExerciseFeed`` that listens to the runtime. The
runtime calls the feed after each folded event, whichever worker appended it, so every
worker fans out every event to its own sockets. A stream is an audience in a language; each
event is routed once (``Audiences.route``), rendered once per stream it concerns, kept in
that stream's history and queued to the stream's live connections. While the runtime runs a
``batch`` (the clock releasing everything due), the frames are kept in the histories at
once but held back from the sockets until the batch ends, then written to each socket in
one write (at most ``HOLD_SECONDS`` late).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from controlroom.delivery.audience import SEES_ALL, Audiences, audiences_of, current_view, split
from controlroom.delivery.connection import CloseCode, Connection, SocketState
from controlroom.delivery.frames import (
    error_frame,
    event_frame,
    live_frame,
    presence_frame,
    reload_frame,
    snapshot_frame,
    to_wire,
)
from controlroom.delivery.history import Frame, History, Reload, plan_resume
from controlroom.delivery.presence import Presence
from controlroom.delivery.projections import presence_view
from controlroom.delivery.render import FragmentRenderer, FrameRenderer
from controlroom.delivery.shared_presence import SharedPresence
from controlroom.delivery.views import Update
from controlroom.exercise import commands
from controlroom.exercise.events import DeviceRevoked, Fact
from controlroom.exercise.state import ExerciseState
from controlroom.i18n import LANGUAGES
from controlroom.journal import JournalUnavailable
from controlroom.journal.redis_client import RedisClient
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.timesource import TimeSource
from controlroom.settings import Settings

logger = logging.getLogger("controlroom.delivery")

StreamKey = tuple[str, str]  # (audience, language)
CATCH_UP_FIRST, CATCH_UP_MAX = 0.05, 1.0  # a resume's retries while the journal is away (s)
HOLD_SECONDS = 0.005  # the longest a batch holds an event's frames back from the sockets


class ExerciseFeed:
    """One exercise's streams: histories, live connections, resume and receipts."""

    def __init__(
        self, runtime: ExerciseRuntime, renderer: FragmentRenderer, settings: Settings
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.epoch = runtime.journal.epoch
        self.seq = runtime.state.seq  # the last event routed
        self.ready = asyncio.Event()  # set by ``start``
        self.presence = Presence(self._presence_changed)
        self.render = FrameRenderer(
            renderer, runtime.id, runtime.scenario.original_language, self.presence.online
        )
        self._presence_frames: dict[StreamKey, tuple[tuple[int, int], str]] = {}
        self._audiences = Audiences(runtime.state)
        self._histories: dict[StreamKey, History] = {
            key: History(settings.history_events, floor=self.seq) for key in _streams(runtime.state)
        }
        self._live: dict[StreamKey, set[Connection]] = {key: set() for key in self._histories}
        self._devices: dict[str, set[Connection]] = {}
        self._delivering: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._held: list[dict[StreamKey, Frame]] = []  # each event's frames, during a batch
        self._hold_timer: asyncio.TimerHandle | None = None
        self.renders = 0  # fragments rendered (render-once is tested on it)

    # -- events in ---------------------------------------------------------------------------

    def on_event(self, event: Fact, state: ExerciseState) -> None:
        """The runtime's listener: route, render once per stream, keep, fan out."""
        try:
            frames = self._frames(self._audiences.route(event, state), event)
        except Exception:
            logger.exception("could not route event %s of %s", event.seq, self.runtime.id)
            self._lost(event.seq)
            return
        for key, frame in frames.items():
            self._histories[key].append(frame)
        if self.runtime.batching:
            self._hold(frames)
        else:
            if self._held:
                self.flush()  # in order: what a batch held goes first
            self._push(frames)
        self.seq = event.seq
        if isinstance(event.payload, DeviceRevoked):
            for connection in list(self._devices.get(event.payload.device, ())):
                connection.close(CloseCode.REVOKED, "device revoked")

    def _push(self, frames: dict[StreamKey, Frame]) -> None:
        for key, frame in frames.items():
            for connection in list(self._live[key]):
                connection.push(frame)

    def _hold(self, frames: dict[StreamKey, Frame]) -> None:
        self._held.append(frames)
        if self._hold_timer is None:
            loop = asyncio.get_running_loop()
            self._hold_timer = loop.call_later(HOLD_SECONDS, self.flush)

    def flush(self) -> None:
        """Write what a batch held: each socket gets its stream's frames in one write
        (joined once per sequence of frames, shared by the streams that got the same)."""
        if not self._held:
            return
        held, self._held = self._held, []
        if self._hold_timer is not None:
            self._hold_timer.cancel()
            self._hold_timer = None
        if len(held) <= 1:
            for frames in held:
                self._push(frames)
            return
        streams: dict[StreamKey, list[Frame]] = {}
        for frames in held:
            for key, frame in frames.items():
                if self._live[key]:
                    streams.setdefault(key, []).append(frame)
        joined: dict[tuple[int, ...], bytes] = {}
        for key, stream in streams.items():
            wires = [frame.wire for frame in stream]
            same = tuple(map(id, wires))  # the frames alive here: their ids are theirs
            wire = joined.get(same)
            if wire is None:
                wire = joined[same] = b"".join(wires)
            for connection in list(self._live[key]):
                connection.push_all(stream, wire)

    def answer(self, connection: Connection, text: str) -> None:
        """Say ``text`` (``done``: a device's action landed) after what a batch holds, so
        that the answer never overtakes the event it confirms."""
        self.flush()
        connection.say(text)

    def _frames(self, updates: dict[str, Update], event: Fact) -> dict[StreamKey, Frame]:
        """Each concerned stream's frame: rendered now if someone follows it, else later.

        Equal updates that render the same for every audience (``same_for_all``: a release
        to every team) are rendered once per language and their frame's bytes shared."""
        frames: dict[StreamKey, Frame] = {}
        shared: list[tuple[Update, str, Callable[[], str]]] = []
        wires: dict[Callable[[], str], bytes] = {}  # each maker's text as a frame, made once
        for audience, update in updates.items():
            same = self.render.same_for_all(update)
            for language in LANGUAGES:
                make = self._maker(update, audience, language, event.seq)
                if same:
                    make = _shared(shared, update, language, make)
                if self._live.get((audience, language)):
                    wire = wires.get(make)
                    if wire is None:
                        wire = wires[make] = to_wire(make())
                    frames[audience, language] = Frame(event.seq, wire, update.receipt)
                else:
                    frames[audience, language] = Frame.later(event.seq, make, update.receipt)
        return frames

    def _maker(self, update: Update, audience: str, language: str, seq: int) -> Callable[[], str]:
        def make() -> str:
            self.renders += 1
            content = self.render.update(update, audience, language)
            return event_frame(self.epoch, seq, content, receipt=bool(update.receipt))

        return make

    def _lost(self, seq: int) -> None:
        """An event could not be delivered: nobody may resume across it; live clients reload."""
        self.seq = seq
        for key, history in self._histories.items():
            history.floor = max(history.floor, seq)
            for connection in list(self._live[key]):
                connection.close(CloseCode.INTERNAL, "delivery failed: reconnect")

    # -- the history before this worker started ------------------------------------------------

    def start(self) -> None:
        """Ready at once: the history holds what the runtime announced since ``attach``.

        The registry opens an exercise with its last events held back and announces them
        after the hub attached (``Exercises.replay_events``), so they are routed here like
        live events, from the one fold; a client that last saw an older event reloads.
        """
        self.ready.set()

    # -- connections -------------------------------------------------------------------------

    def join(self, connection: Connection) -> None:
        """Register a connection before it is accepted (so a revocation finds it)."""
        if connection.key not in self._histories:
            raise KeyError(connection.key)
        if connection.device is not None:
            self._devices.setdefault(connection.device, set()).add(connection)

    def leave(self, connection: Connection) -> None:
        live = self._live.get(connection.key, set())
        if connection in live:
            live.discard(connection)
            if connection.device is not None:
                self.presence.left(connection.device)
        if connection.device is not None:
            devices = self._devices.get(connection.device)
            if devices is not None:
                devices.discard(connection)
                if not devices:
                    del self._devices[connection.device]

    async def resume(self, connection: Connection, epoch: str | None, last_seq: int) -> int:
        """Replay what ``connection`` missed and make it live, with no gap and no repeat.

        Returns the number of frames replayed (-1 for a reload, 0 if it could not answer).
        Everything after the awaits happens in one step of the event loop, so no event can
        fall between the replay and the live frames. A client ahead of this worker (it saw
        later events through another one) waits until this worker has caught up with the
        journal; if that takes longer than ``resume_wait_seconds`` (the journal is away) it
        gets ``unavailable`` and a close (1013), never a ``reload`` for a position the
        journal holds or a snapshot older than what it has seen.
        """
        if not await self._caught_up(epoch, last_seq):
            logger.warning(
                "resume of %s after seq %d: not caught up within %.1fs, try again",
                self.runtime.id,
                last_seq,
                self.settings.resume_wait_seconds,
            )
            connection.say(error_frame("unavailable", "Cannot catch up now: try again."))
            connection.close(CloseCode.TRY_AGAIN, "journal unavailable", flush=True)
            return 0
        if connection.state is not SocketState.OPEN:
            return 0
        key = connection.key
        plan = plan_resume(self._histories[key], self.epoch, self.seq, epoch, last_seq)
        if isinstance(plan, Reload):
            reload = reload_frame(plan.reason, self.epoch, self.seq)
            connection.go_live([self.snapshot(connection)], before=[reload])
            replayed = -1
        else:
            connection.go_live(plan.frames)
            replayed = len(plan.frames)
        # it has every event up to self.seq now: none of them again (a batch may hold some)
        connection.last_seq = max(connection.last_seq, self.seq)
        connection.say(live_frame(self.seq, max(replayed, 0)))
        self._live[key].add(connection)
        if connection.device is not None:
            self.presence.arrived(connection.device)
        if connection.audience in SEES_ALL:
            connection.say(self._presence_frame(key))
        return replayed

    async def _caught_up(self, epoch: str | None, last_seq: int) -> bool:
        """Wait (bounded) for the history and, if the client is ahead, for the journal."""
        delay = CATCH_UP_FIRST
        try:
            async with asyncio.timeout(self.settings.resume_wait_seconds):
                await self.ready.wait()
                while epoch == self.epoch and last_seq > self.seq:
                    try:  # the client comes from a worker that is ahead: catch up first
                        await self.runtime.execute(_nothing)
                        return True  # caught up: a last_seq still beyond it is the future
                    except Exception as error:  # the journal is unreachable: wait for it
                        logger.debug("resume of %s: catching up: %r", self.runtime.id, error)
                        await asyncio.sleep(delay)
                        delay = min(delay * 2, CATCH_UP_MAX)
        except TimeoutError:
            return False
        return True

    def switch_language(self, connection: Connection, language: str) -> None:
        """Move ``connection`` to the stream of ``language`` and send it its whole view
        rendered in it, in one step of the event loop (no event falls between)."""
        if (connection.audience, language) not in self._histories:
            raise KeyError((connection.audience, language))
        live = self._live.get(connection.key, set())
        following = connection in live
        live.discard(connection)
        connection.relanguage(language)
        if following:
            view = current_view(self.runtime.state, connection.audience)
            content = self.render.view(view, connection.audience, language)
            connection.say(snapshot_frame(self.epoch, self.seq, content, receipt=False))
            connection.last_seq = max(connection.last_seq, self.seq)  # held frames: not again
            self._live[connection.key].add(connection)

    def snapshot(self, connection: Connection) -> Frame:
        """The connection's whole current view as a ``snapshot`` frame at the current seq."""
        view = current_view(self.runtime.state, connection.audience)
        content = self.render.view(view, connection.audience, connection.language)
        text = snapshot_frame(self.epoch, self.seq, content, receipt=bool(view.receipt))
        return Frame.of(self.seq, text, view.receipt)

    def confirm(self, connection: Connection, seq: int, device: str) -> None:
        """A team device has shown the frames up to ``seq``: mark their injects delivered."""
        kind, team = split(connection.audience)
        if kind != "team":
            return
        for inject in connection.take_receipts(seq):
            release = self.runtime.state.releases.get((inject, team))
            if release is None or release.delivered_at is not None:
                continue
            if (inject, team) in self._delivering:
                continue  # another device of the team got there first
            self._delivering.add((inject, team))
            self._spawn(self._deliver(inject, team, device))

    async def _deliver(self, inject: str, team: str, device: str) -> None:
        try:
            await self.runtime.execute(lambda s: commands.delivered(s, inject, team, device))
        except JournalUnavailable:  # logged once per outage by the journal's client
            pass  # a later receipt or acknowledgement marks it
        except Exception as error:  # refused: a later receipt
            logger.warning("could not mark %s delivered to %s: %r", inject, team, error)
        finally:
            self._delivering.discard((inject, team))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def connections(self) -> list[Connection]:
        return [c for live in self._live.values() for c in live]

    # -- presence: which devices have a live socket here (presence.py) ----------------------

    def online(self) -> frozenset[str]:
        return self.presence.online()

    def _presence_changed(self) -> None:
        for key, live in self._live.items():
            if live and key[0] in SEES_ALL:
                text = self._presence_frame(key)
                for connection in list(live):
                    connection.say(text)

    def _presence_frame(self, key: StreamKey) -> str:
        """The ``presence`` frame of a control stream, rendered once per change."""
        version = (self.presence.version, self.runtime.state.seq)
        cached = self._presence_frames.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        view = presence_view(self.runtime.state, self.presence.online())
        text = presence_frame(self.render.fragment(view, key[0], key[1], oob=True))
        self._presence_frames[key] = (version, text)
        return text

    async def close(self) -> None:
        self.presence.close()
        if self._hold_timer is not None:
            self._hold_timer.cancel()
            self._hold_timer = None
        for connection in {*self.connections(), *(c for s in self._devices.values() for c in s)}:
            connection.close(CloseCode.RESTART, "server restart")
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _nothing(state: ExerciseState) -> None:
    return None


def _shared(
    shared: list[tuple[Update, str, Callable[[], str]]],
    update: Update,
    language: str,
    make: Callable[[], str],
) -> Callable[[], str]:
    """The one maker of an event's frame text for ``update`` in ``language``: the first
    stream's, made once, reused by every stream with an equal update."""
    for known, known_language, made in shared:
        if known_language == language and known == update:
            return made
    text: list[str] = []

    def once() -> str:
        if not text:
            text.append(make())
        return text[0]

    shared.append((update, language, once))
    return once


def _streams(state: ExerciseState) -> list[StreamKey]:
    return [(audience, language) for audience in audiences_of(state) for language in LANGUAGES]


class Delivery:
    """Every exercise feed of this worker (``create_app``'s lifespan makes one)."""

    def __init__(
        self,
        settings: Settings,
        time: TimeSource,
        secret: str,
        renderer: FragmentRenderer,
    ) -> None:
        self.settings = settings
        self.time = time
        self.secret = secret
        self.renderer = renderer
        self._feeds: dict[str, ExerciseFeed] = {}
        self._stops: list[Callable[[], None]] = []
        self.shared: SharedPresence | None = None  # scaled mode: presence through Redis
        if settings.sessions.startswith(("redis://", "rediss://", "unix://")):
            self.shared = SharedPresence(
                RedisClient(settings.sessions, "presence"), ttl=settings.heartbeat_timeout / 2
            )

    def attach(self, runtime: ExerciseRuntime) -> None:
        """``Exercises.on_open`` hook: follow ``runtime``'s events from now on."""
        feed = ExerciseFeed(runtime, self.renderer, self.settings)
        self._stops.append(runtime.listen(feed.on_event, feed.flush))
        self._feeds[runtime.id] = feed
        if self.shared is not None:
            self.shared.track(runtime.id, feed.presence)
        feed.start()

    def feed(self, exercise_id: str) -> ExerciseFeed:
        return self._feeds[exercise_id]

    def online(self, exercise_id: str) -> frozenset[str]:
        """The devices of an exercise with a live socket to any worker (docs/delivery.md)."""
        feed = self._feeds.get(exercise_id)
        return feed.online() if feed is not None else frozenset()

    async def close(self) -> None:
        for stop in self._stops:
            stop()
        for feed in self._feeds.values():
            await feed.close()
        self._feeds.clear()
        if self.shared is not None:
            await self.shared.close()
