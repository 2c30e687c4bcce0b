"""A live exercise in this process: its journal, its folded state, and how commands land.

Design: docs/exercise.md. Every change goes through ``execute``: catch up with the journal,
decide on the current state, append with ``expect_seq``; if another worker appended first,
catch up and decide again. That loop is why a release happens once however many workers run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from controlroom.exercise.commands import Decision
from controlroom.exercise.endex import refuse_after_endex
from controlroom.exercise.events import EventType
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event, Journal, JournalConflict
from controlroom.live.timesource import TimeSource
from controlroom.scenario.model import Scenario

logger = logging.getLogger("controlroom.live.runtime")

Listener = Callable[[Event, ExerciseState], None]
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
        self._follower: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()  # set on every applied event (the clock waits on it)

    @property
    def id(self) -> str:
        return self.journal.exercise_id

    @property
    def scenario(self) -> Scenario:
        return self.state.scenario

    @classmethod
    async def load(cls, journal: Journal, time: TimeSource) -> ExerciseRuntime:
        """Fold an existing journal: the scenario snapshot is its first event."""
        events = await journal.read()
        if not events or events[0].type != EventType.CREATED:
            raise ValueError(
                f"journal of {journal.exercise_id} does not start with exercise.created"
            )
        scenario = Scenario.model_validate(events[0].data["scenario"])
        state = ExerciseState.fold(scenario, events, journal.exercise_id)
        return cls(journal, state, time)

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after each event is folded in; returns the way to stop."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def start(self) -> None:
        """Follow the journal so events appended by other workers are folded in too."""
        self._follower = asyncio.create_task(self._follow(), name=f"follow {self.id}")

    async def stop(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
            self._follower = None

    async def execute(self, decide: Callable[[ExerciseState], Decision | None]) -> Event | None:
        """Decide on the latest state and append the result, once (raises CommandRefused)."""
        async with self._lock:
            for _ in range(MAX_ATTEMPTS):
                await self._catch_up()
                decision = decide(self.state)
                if decision is None:
                    return None
                type_, data = decision
                refuse_after_endex(self.state, type_)
                try:
                    event = await self.journal.append(
                        type_, data, at=self.time.now(), expect_seq=self.state.seq
                    )
                except JournalConflict:
                    continue  # another worker appended first: catch up and decide again
                self._apply(event)
                return event
        raise RuntimeError(f"could not append to {self.id}: the journal kept moving")

    async def _catch_up(self) -> None:
        for event in await self.journal.read(after=self.state.seq):
            self._apply(event)

    def _apply(self, event: Event) -> None:
        if event.seq <= self.state.seq:
            return  # already folded (appended here, then seen again by the follower)
        self.state.apply(event)
        self.changed.set()
        for listener in list(self._listeners):
            try:
                listener(event, self.state)
            except Exception:
                logger.exception("listener failed on event %s of %s", event.seq, self.id)

    async def _follow(self) -> None:
        """Fold what other workers append; on a journal error, wait and resume where we are."""
        backoff = FOLLOW_BACKOFF
        while True:
            try:
                async for event in self.journal.follow(after=self.state.seq):
                    if event.seq > self.state.seq + 1:
                        await self._catch_up()  # never skip: read what lies between
                    self._apply(event)
                    backoff = FOLLOW_BACKOFF
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("following the journal of %s failed; resuming", self.id)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_FOLLOW_BACKOFF)
