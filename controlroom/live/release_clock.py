"""The release clock: turns scenario time into releases, each exactly once. Design: docs/clock.md.

One ``ReleaseClock`` runs per exercise in every worker. It sleeps until the next scheduled
release falls due (not on a minute tick), or until an event changes the schedule, then asks
the runtime to release. Releases go through ``ExerciseRuntime.execute`` and so through the
journal's ``expect_seq`` check: when several workers' clocks race, one wins and the others
see the release already done. After a restart the first pass releases whatever fell due
while the server was down, marked late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from controlroom.exercise.commands import release_due
from controlroom.journal import JournalUnavailable
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.timesource import TimeSource

logger = logging.getLogger("controlroom.live.release_clock")


class ReleaseClock:
    def __init__(self, runtime: ExerciseRuntime, time: TimeSource) -> None:
        self.runtime = runtime
        self.time = time
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"clock {self.runtime.id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def tick(self) -> int:
        """Release everything due now; returns how many release events were appended."""
        released = 0
        with self.runtime.batch():  # all due at once: each socket gets them in one write
            while await self.runtime.execute(lambda state: release_due(state, self.time.now())):
                released += 1
        return released

    async def _run(self) -> None:
        while True:
            try:
                self.runtime.changed.clear()
                await self.tick()
                deadline = self.runtime.state.next_due_wall()
                await self.time.wait_until(deadline, self.runtime.changed)
            except asyncio.CancelledError:
                raise
            except JournalUnavailable:  # logged once per outage by the journal's client
                await asyncio.sleep(1.0)
            except Exception:
                logger.exception("release clock of %s failed; retrying", self.runtime.id)
                await asyncio.sleep(1.0)
