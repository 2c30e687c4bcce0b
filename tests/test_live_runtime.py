"""The runtime: commands land once, other workers' events are folded, errors don't stop it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from functools import partial
from typing import Any

import pytest

from controlroom.exercise import commands
from controlroom.exercise import state as state_module
from controlroom.exercise.events import EventType
from controlroom.exercise.state import ExerciseState
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


async def test_an_event_appended_here_is_folded_once_not_again_by_the_follower(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The follower sees this runtime's own appends too (often before ``execute`` resumes);
    it waits for the commit instead of decoding and planning the event a second time. A
    conflicting worker's event, and one appended while ``execute`` was cancelled, are still
    folded by it, once."""
    store, time = MemoryJournalStore(), ManualTime()
    journal = await new_journal(store)
    runtime = await ExerciseRuntime.load(journal, time)
    seen: list[int] = []
    runtime.listen(lambda event, state: seen.append(event.seq))
    await runtime.start()
    decoded: list[int] = []
    real_decode = state_module.decode  # type: ignore[attr-defined]

    def counting(event: Event) -> Any:
        decoded.append(event.seq)
        return real_decode(event)

    monkeypatch.setattr(state_module, "decode", counting)
    await runtime.execute(lambda s: commands.startex(s, "director"))
    for text in ("a", "b", "c", "d", "e"):
        await runtime.execute(partial(commands.add_note, by="pavel", text=text))
    await asyncio.sleep(0.05)
    assert decoded == [] and seen == [2, 3, 4, 5, 6, 7]
    # another worker's append is the follower's to fold
    other = await ExerciseRuntime.load(journal, time)
    await other.execute(lambda s: commands.add_note(s, "olga", "elsewhere"))
    await until(lambda: runtime.state.seq == 8)
    # a command cancelled while its append lands: the follower folds the event
    task = asyncio.create_task(runtime.execute(lambda s: commands.add_note(s, "p", "late")))
    await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await until(lambda: runtime.state.seq == 9)
    assert seen == [2, 3, 4, 5, 6, 7, 8, 9]
    assert [n.text for n in runtime.state.notes][-2:] == ["elsewhere", "late"]
    assert runtime.state == ExerciseState.fold(runtime.scenario, await journal.read(), "rt")
    await runtime.stop()


async def test_a_batch_announces_each_event_and_settles_once_when_the_outermost_ends() -> None:
    store, time = MemoryJournalStore(), ManualTime()
    runtime = await ExerciseRuntime.load(await new_journal(store), time)
    seen: list[str] = []
    stop = runtime.listen(
        lambda event, state: seen.append(f"event {event.seq}"), lambda: seen.append("settled")
    )
    assert not runtime.batching
    with runtime.batch():
        await runtime.execute(lambda s: commands.startex(s, "director"))
        with runtime.batch():  # nested: settles with the outer one only
            await runtime.execute(lambda s: commands.add_note(s, "pavel", "one"))
        assert runtime.batching
        await runtime.execute(lambda s: commands.add_note(s, "pavel", "two"))
    assert seen == ["event 2", "event 3", "event 4", "settled"]
    # a batch that ends with an error settles too, and a stopped listener hears nothing
    with pytest.raises(RuntimeError), runtime.batch():
        await runtime.execute(lambda s: commands.add_note(s, "pavel", "three"))
        raise RuntimeError("the request failed half way")
    assert seen[-2:] == ["event 5", "settled"] and not runtime.batching
    stop()
    with runtime.batch():
        await runtime.execute(lambda s: commands.add_note(s, "pavel", "four"))
    assert seen[-1] == "settled" and len(seen) == 6


async def test_what_the_follower_folds_in_one_step_is_one_batch() -> None:
    """Events another worker appended that this one reads at once (one read of the journal,
    here: appended before it follows) are one batch: its listeners settle once after them
    all (the hub writes them to each socket at once here too)."""
    store, time = MemoryJournalStore(), ManualTime()
    journal = await new_journal(store)
    watcher = await ExerciseRuntime.load(journal, time)
    seen: list[str] = []
    watcher.listen(
        lambda event, state: seen.append(f"event {event.seq}"), lambda: seen.append("settled")
    )
    other = await ExerciseRuntime.load(journal, time)
    await other.execute(lambda s: commands.startex(s, "director"))
    await other.execute(lambda s: commands.add_note(s, "pavel", "one"))
    await other.execute(lambda s: commands.add_note(s, "pavel", "two"))
    await watcher.start()
    await until(lambda: watcher.state.seq == 4 and seen[-1:] == ["settled"])
    assert seen == ["event 2", "event 3", "event 4", "settled"]
    assert not watcher.batching
    await other.execute(lambda s: commands.add_note(s, "pavel", "three"))  # alone: settled too
    await until(lambda: seen[-2:] == ["event 5", "settled"])
    await watcher.stop()
