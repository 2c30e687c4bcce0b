"""Every exercise this process serves: created from a scenario, reopened from its journal.

Design: docs/exercise.md. In scaled mode another worker may create an exercise; ``get``
opens it from the shared journal store the first time it is asked for here.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import secrets
from collections.abc import Callable

from controlroom.exercise.events import ExerciseCreated, JournalRecovered
from controlroom.journal import JournalStore
from controlroom.live.release_clock import ReleaseClock
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.snapshots import Snapshots
from controlroom.live.timesource import TimeSource
from controlroom.scenario.model import Scenario

logger = logging.getLogger("controlroom.live.registry")

OpenHook = Callable[[ExerciseRuntime], None]


class Exercises:
    def __init__(
        self,
        store: JournalStore,
        time: TimeSource,
        *,
        run_clock: bool = True,
        replay_events: int = 0,
        snapshots: Snapshots | None = None,
    ) -> None:
        self.store = store
        self.time = time
        self.run_clock = run_clock
        # an opened exercise's last events, announced to the open hooks once they listen
        self.replay_events = replay_events
        self.snapshots = snapshots  # folded states, so a restart folds only the tail
        self._runtimes: dict[str, ExerciseRuntime] = {}
        self._clocks: dict[str, ReleaseClock] = {}
        self._opening = asyncio.Lock()
        self._on_open: list[OpenHook] = []

    def on_open(self, hook: OpenHook) -> None:
        """Call ``hook(runtime)`` for every exercise opened here (the delivery hub attaches)."""
        self._on_open.append(hook)

    async def open_all(self) -> None:
        for exercise_id in await self.store.list():
            try:
                await self.get(exercise_id)
            except Exception:
                logger.exception("could not open exercise %s", exercise_id)

    async def create(self, scenario: Scenario, name: str, by: str) -> ExerciseRuntime:
        day = datetime.datetime.fromtimestamp(self.time.now(), datetime.UTC).strftime("%Y%m%d")
        exercise_id = f"{scenario.id.lower()[:40]}-{day}-{secrets.token_hex(3)}"
        journal = await self.store.create(exercise_id)
        created = ExerciseCreated(
            exercise=exercise_id, name=name.strip()[:120] or scenario.id, scenario=scenario, by=by
        )
        await journal.append(created.TYPE, created.data(), at=self.time.now(), expect_seq=0)
        return await self.get(exercise_id)

    async def get(self, exercise_id: str) -> ExerciseRuntime:
        """The exercise's runtime (``KeyError`` if no such exercise)."""
        runtime = self._runtimes.get(exercise_id)
        if runtime is not None:
            return runtime
        async with self._opening:
            if exercise_id not in self._runtimes:
                await self._open(exercise_id)
        return self._runtimes[exercise_id]

    def loaded(self) -> list[ExerciseRuntime]:
        return list(self._runtimes.values())

    async def refresh(self) -> list[ExerciseRuntime]:
        """Open exercises other workers created; returns every exercise, newest first."""
        for exercise_id in await self.store.list():
            if exercise_id not in self._runtimes:
                try:
                    await self.get(exercise_id)
                except Exception:
                    logger.exception("could not open exercise %s", exercise_id)
        return sorted(self._runtimes.values(), key=lambda r: r.state.created_at, reverse=True)

    async def _open(self, exercise_id: str) -> None:
        journal = await self.store.open(exercise_id)
        runtime = await ExerciseRuntime.load(
            journal, self.time, hold_back=self.replay_events, snapshots=self.snapshots
        )
        for hook in self._on_open:
            hook(runtime)
        await runtime.catch_up()  # the last events, announced: the hub's resume history
        for torn in getattr(journal, "recovered", []):
            logger.warning("exercise %s: torn journal tail kept in %s", exercise_id, torn.saved_to)
            record = JournalRecovered(line=torn.line, size=torn.size, saved_to=str(torn.saved_to))
            await runtime.execute(_constant(record))
        await runtime.start()
        self._runtimes[exercise_id] = runtime
        if self.run_clock:
            clock = ReleaseClock(runtime, self.time)
            await clock.start()
            self._clocks[exercise_id] = clock

    async def close(self) -> None:
        for clock in self._clocks.values():
            await clock.stop()
        for runtime in self._runtimes.values():
            await runtime.stop()
            await runtime.journal.close()
        self._clocks.clear()
        self._runtimes.clear()


def _constant(payload: JournalRecovered) -> Callable[[object], JournalRecovered]:
    return lambda state: payload
