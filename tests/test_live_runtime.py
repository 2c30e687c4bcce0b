"""The runtime: commands land once, other workers' events are folded, errors don't stop it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from controlroom.exercise import commands
from controlroom.exercise.events import EventType
from controlroom.journal import Event, Journal
from controlroom.journal.memory import MemoryJournalStore
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.timesource import ManualTime
from tests.support.scenarios import inject, make_scenario
from tests.support.waiting import until


async def new_journal(store: MemoryJournalStore, name: str = "rt") -> Journal:
    journal = await store.create(name)
    scenario = make_scenario(inject("A", at="D1 09:30"), inject("B", trigger="manual"))
    data = {"exercise": name, "scenario": scenario.model_dump(mode="json", by_alias=True)}
    await journal.append(EventType.CREATED, data, at=0.0, expect_seq=0)
    return journal


async def test_a_command_decided_on_stale_state_is_decided_again() -> None:
    store, time = MemoryJournalStore(), ManualTime()
    journal = await new_journal(store)
    first = await ExerciseRuntime.load(journal, time)
    second = await ExerciseRuntime.load(journal, time)
    await first.execute(lambda s: commands.release_now(s, "director", "B", ["alpha"]))
    # ``second`` has not seen that release: it catches up, and the same wish is refused
    event = await second.execute(lambda s: commands.acknowledge(s, "B", "alpha", "dev"))
    assert event is not None and event.seq == 3
    assert await second.execute(lambda s: commands.acknowledge(s, "B", "alpha", "dev")) is None
    assert [e.type for e in await journal.read()] == [
        EventType.CREATED,
        EventType.INJECT_RELEASED,
        EventType.INJECT_ACKNOWLEDGED,
    ]


async def test_the_follower_folds_other_workers_events_and_calls_listeners() -> None:
    store, time = MemoryJournalStore(), ManualTime()
    journal = await new_journal(store)
    watcher = await ExerciseRuntime.load(journal, time)
    seen: list[int] = []
    watcher.listen(lambda event, state: seen.append(event.seq))
    await watcher.start()
    other = await ExerciseRuntime.load(journal, time)
    await other.execute(lambda s: commands.startex(s, "director"))
    await other.execute(lambda s: commands.add_note(s, "pavel", "hello"))
    await until(lambda: watcher.state.seq == 3)
    assert seen == [2, 3]
    assert watcher.state.notes[-1].text == "hello"
    await watcher.stop()


class FlakyJournal(Journal):
    """A journal whose first follow breaks after one event, like a dropped connection."""

    def __init__(self, inner: Journal) -> None:
        self.inner = inner
        self.exercise_id = inner.exercise_id
        self.epoch = inner.epoch
        self.broken = False

    @property
    def last_seq(self) -> int:
        return self.inner.last_seq

    async def append(
        self, type: str, data: Mapping[str, Any], *, at: float, expect_seq: int | None = None
    ) -> Event:
        return await self.inner.append(type, data, at=at, expect_seq=expect_seq)

    async def read(self, after: int = 0, limit: int | None = None) -> list[Event]:
        return await self.inner.read(after, limit)

    async def follow(self, after: int = 0) -> AsyncIterator[Event]:
        async for event in self.inner.follow(after):
            yield event
            if not self.broken:
                self.broken = True
                raise ConnectionError("connection dropped")


async def test_the_follower_resumes_after_a_journal_error() -> None:
    store, time = MemoryJournalStore(), ManualTime()
    journal = await new_journal(store)
    flaky = FlakyJournal(journal)
    watcher = await ExerciseRuntime.load(flaky, time)
    await watcher.start()
    writer = await ExerciseRuntime.load(journal, time)
    for n in range(5):
        text = f"note {n}"
        await writer.execute(lambda s: commands.add_note(s, "pavel", text))  # noqa: B023
    await until(lambda: watcher.state.seq == 6)
    assert flaky.broken
    assert [note.text for note in watcher.state.notes] == [f"note {n}" for n in range(5)]
    await watcher.stop()
