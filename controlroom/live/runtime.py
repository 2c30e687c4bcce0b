"""A live exercise in this process: its journal, its folded state, and how commands land.

Design: docs/exercise.md. Every change goes through ``execute``: catch up with the journal,
decide on the current state, check the decided event against the state (``plan``: an event
that would not fold is refused, never written), append with ``expect_seq``; if another worker
appended first, catch up and decide again. That loop is why a release happens once however
many workers run. Listeners get each event once as a typed ``Fact`` (built once per event).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Iterator

from controlroom.exercise.events import ExerciseCreated, Fact, Unreadable, decode
from controlroom.exercise.precheck import Decide, decided
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event, Journal, JournalConflict, JournalError
from controlroom.live.snapshots import Snapshots
from controlroom.live.timesource import TimeSource
from controlroom.scenario.model import Scenario

logger = logging.getLogger("controlroom.live.runtime")

Listener = Callable[[Fact, ExerciseState], None]
Settled = Callable[[], None]
MAX_ATTEMPTS = 50
FOLLOW_BACKOFF = 0.1
MAX_FOLLOW_BACKOFF = 5.0


class ExerciseRuntime:
    def __init__(self, journal: Journal, state: ExerciseState, time: TimeSource) -> None:
        self.journal = journal
        self.state = state
        self.time = time
        self._lock = asyncio.Lock()
        self._listeners: list[Listener] = []
        self._settled: list[Settled] = []
        self._batches = 0  # open ``batch`` blocks
        self._following_batch = False  # the follower's batch of this step of the loop is open
        self._follower: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()  # set on every applied event (the clock waits on it)
        self.snapshot_seq = 0  # the seq of the last snapshot read or written
        self.snapshots: Snapshots | None = None  # where snapshots go (``load``)
        self.hold_back = 0  # events a start leaves to the resume history (``load``)
        self._saving: asyncio.Task[None] | None = None  # a snapshot being made or written
        # a snapshot made while running, written once ``hold_back`` more events are folded
        self._pending: tuple[int, bytes] | None = None
        # The seq ``execute`` is appending (0: none) and the moment it is done: the follower
        # waits for it rather than decode and plan again an event about to be committed.
        self._own = 0
        self._own_done = asyncio.Event()
        self._last: Event | None = None  # the journal's event of ``state.seq`` (snapshots)

    @property
    def id(self) -> str:
        return self.journal.exercise_id

    @property
    def scenario(self) -> Scenario:
        return self.state.scenario

    @classmethod
    async def load(
        cls,
        journal: Journal,
        time: TimeSource,
        *,
        hold_back: int = 0,
        snapshots: Snapshots | None = None,
    ) -> ExerciseRuntime:
        """Fold an existing journal: the scenario snapshot is its first event.

        ``hold_back`` leaves the journal's last events for ``catch_up``, which folds them
        and hands them to the listeners: a delivery hub that listens in between routes them
        as it routes live events (its resume history after a restart) without folding the
        journal a second time. With ``snapshots``, the fold starts from this journal's
        snapshot if there is a good one, and a new one is written after a long fold.
        """
        events = await journal.read()
        scenario = scenario_of(events, journal.exercise_id)
        upto = max(0, len(events) - max(0, hold_back))
        state = None
        if snapshots is not None:
            state = snapshots.load(journal.exercise_id, journal.epoch, events)
        if state is None:
            state = ExerciseState.new(scenario, journal.exercise_id)
        runtime = cls(journal, state, time)
        runtime.snapshot_seq = state.seq
        runtime.snapshots = snapshots
        runtime.hold_back = max(0, hold_back)
        for event in itertools.islice(events, state.seq, upto):
            state.apply(event)
        if 0 < state.seq <= len(events):
            runtime._last = events[state.seq - 1]
        if snapshots is not None and snapshots.every:
            await runtime.save_snapshot(snapshots, at_least=snapshots.every)
        return runtime

    async def save_snapshot(self, snapshots: Snapshots, at_least: int = 1) -> None:
        """Write the state's snapshot if it folded ``at_least`` events since the last one."""
        seq = self.state.seq
        if seq == 0 or seq - self.snapshot_seq < at_least:
            return
        data = await self._dump(snapshots)
        if data is not None:
            await self._write(snapshots, seq, data)

    async def _dump(self, snapshots: Snapshots) -> bytes | None:
        """The state's snapshot as bytes (None if it cannot be made now)."""
        seq = self.state.seq
        try:
            last = self._last
            if last is None or last.seq != seq:  # not kept (folded before a restart's load)
                (last,) = await self.journal.read(after=seq - 1, limit=1)
                if self.state.seq != seq:
                    return None  # folded on meanwhile (a read over the network): next time
            return snapshots.dump(self.state, self.journal.epoch, last)
        except JournalError as error:  # the journal is away (Redis down...)
            logger.warning("no snapshot of %s at %d: %s", self.id, seq, error)
        except Exception:  # a snapshot only saves time: the journal is the truth
            logger.exception("could not make the snapshot of %s at %d", self.id, seq)
        return None

    async def _write(self, snapshots: Snapshots, seq: int, data: bytes) -> None:
        try:
            await asyncio.to_thread(snapshots.write, self.id, data)
        except Exception:
            logger.exception("could not write the snapshot of %s at %d", self.id, seq)
            return
        self.snapshot_seq = seq

    def listen(self, listener: Listener, settled: Settled | None = None) -> Callable[[], None]:
        """Call ``listener`` after each event is folded in, and ``settled`` when a ``batch``
        ends; returns the way to stop."""
        self._listeners.append(listener)
        if settled is not None:
            self._settled.append(settled)

        def stop() -> None:
            self._listeners.remove(listener)
            if settled is not None:
                self._settled.remove(settled)

        return stop

    @property
    def batching(self) -> bool:
        """Inside a ``batch``: listeners may hold what they send until it ends."""
        return self._batches > 0

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Several commands that land together (the clock releasing everything due, a
        request of several steps): each event is folded and announced as it is appended,
        as always, and the listeners' ``settled`` hooks run once when the outermost batch
        ends, whatever ends it. The delivery hub writes what it held meanwhile to each
        socket in one go (docs/delivery.md)."""
        self._batches += 1
        try:
            yield
        finally:
            self._end_batch()

    def _end_batch(self) -> None:
        self._batches -= 1
        if not self._batches:
            for settled in list(self._settled):
                try:
                    settled()
                except Exception:
                    logger.exception("a settled hook of %s failed", self.id)

    def _fold_together(self) -> None:
        """What the follower folds in one step of the event loop (one read of the journal:
        another worker's batch, say) is a batch too, ended as that step ends."""
        if not self._following_batch:
            self._following_batch = True
            self._batches += 1
            asyncio.get_running_loop().call_soon(self._end_fold_together)

    def _end_fold_together(self) -> None:
        self._following_batch = False
        self._end_batch()

    async def start(self) -> None:
        """Follow the journal so events appended by other workers are folded in too."""
        self._follower = asyncio.create_task(self._follow(), name=f"follow {self.id}")

    async def stop(self) -> None:
        """Stop following; a snapshot made while running is written if it may be already."""
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
            self._follower = None
        if self._saving is not None:
            await self._saving
        pending, snapshots = self._pending, self.snapshots
        if pending is not None and snapshots is not None and self._publishable(pending[0]):
            await self._write(snapshots, *pending)
            self._pending = None

    def _publishable(self, seq: int) -> bool:
        """A snapshot may replace the written one once ``hold_back`` events came after it:
        a start folds from a snapshot, and only what follows it can go into the resume
        history (``load``); a newer one would leave devices less to resume from."""
        return self.state.seq - seq >= self.hold_back

    def _snapshot_due(self) -> None:
        """While running: a snapshot made every ``snapshots.every`` events and written
        ``hold_back`` events later, so that a kill -9 after a long run folds only a tail
        and still has its resume history (one task at a time)."""
        snapshots = self.snapshots
        if snapshots is None or not snapshots.every or self._saving is not None:
            return
        pending = self._pending
        if pending is not None:
            if not self._publishable(pending[0]):
                return
        elif self.state.seq - self.snapshot_seq < snapshots.every:
            return
        self._saving = asyncio.create_task(self._save_due(snapshots), name=f"snapshot {self.id}")

    async def _save_due(self, snapshots: Snapshots) -> None:
        try:
            pending = self._pending
            if pending is not None:
                self._pending = None
                await self._write(snapshots, *pending)
                return
            seq = self.state.seq
            data = await self._dump(snapshots)
            if data is None:
                return
            if self._publishable(seq):
                await self._write(snapshots, seq, data)
            else:
                self._pending = (seq, data)  # pickled now, written hold_back events later
        finally:
            self._saving = None

    async def execute(self, decide: Decide) -> Fact | None:
        """Decide on the latest state and append the result, once (raises CommandRefused)."""
        async with self._lock:
            for _ in range(MAX_ATTEMPTS):
                await self._catch_up()
                plan = decided(self.state, decide)  # or CommandRefused
                if plan is None:
                    return None
                payload, commit = plan
                seq = self.state.seq
                self._own = seq + 1
                self._own_done.clear()
                try:
                    event = await self.journal.append(
                        payload.TYPE, payload.data(), at=self.time.now(), expect_seq=seq
                    )
                except JournalConflict:
                    continue  # another worker appended first: catch up and decide again
                finally:
                    self._own = 0
                    self._own_done.set()  # the follower goes on after the commit below
                fact = Fact(event.seq, event.at, payload)
                if self.state.seq == seq:  # nothing folded meanwhile: the plan still holds
                    self.state.commit(fact, commit)
                    self._last = event
                    self._announce(fact)
                return fact
        raise RuntimeError(f"could not append to {self.id}: the journal kept moving")

    async def catch_up(self) -> None:
        """Fold and announce what the journal holds beyond the state (see ``load``)."""
        async with self._lock:
            await self._catch_up()

    async def _catch_up(self) -> None:
        for event in await self.journal.read(after=self.state.seq):
            self._apply(event)

    def _apply(self, event: Event) -> None:
        if event.seq <= self.state.seq:
            return  # already folded (appended here, then seen again by the follower)
        fact = self.state.apply(event)
        self._last = event
        self._announce(fact)

    def _announce(self, fact: Fact) -> None:
        self.changed.set()
        self._snapshot_due()
        for listener in list(self._listeners):
            try:
                listener(fact, self.state)
            except Exception:
                logger.exception("listener failed on event %s of %s", fact.seq, self.id)

    async def _follow(self) -> None:
        """Fold what other workers append; on a journal error, wait and resume where we are."""
        backoff = FOLLOW_BACKOFF
        while True:
            try:
                async for event in self.journal.follow(after=self.state.seq):
                    if event.seq == self._own:  # ours, being committed: not folded twice
                        await self._own_done.wait()
                    if event.seq > self.state.seq + 1:
                        await self._catch_up()  # never skip: read what lies between
                    if event.seq > self.state.seq:
                        self._fold_together()
                    self._apply(event)
                    backoff = FOLLOW_BACKOFF
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("following the journal of %s failed; resuming", self.id)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_FOLLOW_BACKOFF)


def scenario_of(events: list[Event], exercise_id: str) -> Scenario:
    """The scenario snapshot in a journal's first event (``ValueError`` if there is none)."""
    try:
        if not events:
            raise Unreadable("the journal is empty")
        created = decode(events[0]).payload
    except Unreadable as error:
        raise ValueError(
            f"journal of {exercise_id}: no readable exercise.created: {error}"
        ) from None
    if not isinstance(created, ExerciseCreated):
        raise ValueError(f"journal of {exercise_id} does not start with exercise.created")
    return created.scenario
