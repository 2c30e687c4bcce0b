"""The release clock, driven by a hand-moved time source: no test sleeps to move the clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from controlroom.exercise import commands
from controlroom.exercise.events import EventType, Fact, InjectReleased, fact_of
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Journal
from controlroom.journal.file import FileJournalStore
from controlroom.journal.memory import MemoryJournalStore
from controlroom.live.release_clock import ReleaseClock
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.timesource import ManualTime
from controlroom.scenario.model import Scenario
from tests.support.scenarios import inject, make_scenario
from tests.support.waiting import until

T0 = 1_800_000_000.0
D1_0900 = 9 * 3600


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.001)


Release = tuple[str, tuple[str, ...], float, bool]
_recorded: dict[int, list[Fact]] = {}


def released(runtime: ExerciseRuntime) -> list[Release]:
    """(inject, teams, wall time, late) of every release the runtime has folded."""
    return [
        (e.payload.inject, e.payload.teams, e.at, e.payload.late)
        for e in _recorded[id(runtime)]
        if isinstance(e.payload, InjectReleased)
    ]


async def new_runtime(journal: Journal, scenario: Scenario, time: ManualTime) -> ExerciseRuntime:
    if journal.last_seq == 0:
        snapshot = scenario.model_dump(mode="json", by_alias=True)
        await journal.append(
            EventType.CREATED,
            {"exercise": journal.exercise_id, "scenario": snapshot},
            at=time.now(),
            expect_seq=0,
        )
    runtime = await ExerciseRuntime.load(journal, time)
    record = _recorded[id(runtime)] = [fact_of(e) for e in await journal.read()]
    runtime.listen(lambda event, state: record.append(event))
    return runtime


@pytest.fixture
def time() -> ManualTime:
    return ManualTime(T0)


@pytest.fixture
async def journal() -> AsyncIterator[Journal]:
    store = MemoryJournalStore()
    yield await store.create("clock-test")
    await store.close()


@pytest.fixture
async def running(
    journal: Journal, time: ManualTime
) -> AsyncIterator[tuple[ExerciseRuntime, ReleaseClock]]:
    scenario = make_scenario(
        inject("A", at="D1 09:30"),
        inject("B", at="D1 10:00", to=["bravo"]),
        inject("M", trigger="manual"),
    )
    runtime = await new_runtime(journal, scenario, time)
    await runtime.execute(lambda s: commands.startex(s, "director"))
    clock = ReleaseClock(runtime, time)
    await clock.start()
    yield runtime, clock
    await clock.stop()


async def test_a_release_fires_within_a_second_of_its_due_time(
    running: tuple[ExerciseRuntime, ReleaseClock], time: ManualTime
) -> None:
    runtime, _ = running
    await time.advance(1800 - 0.5)
    await settle()
    assert released(runtime) == []
    await time.advance(0.6)
    await until(lambda: len(released(runtime)) == 1)
    assert released(runtime) == [("A", ("alpha", "bravo"), T0 + 1800.1, False)]


async def test_a_hold_shifts_every_later_release_by_its_length(
    running: tuple[ExerciseRuntime, ReleaseClock], time: ManualTime
) -> None:
    runtime, _ = running
    await time.advance(600)
    await runtime.execute(lambda s: commands.hold(s, "director", "fire alarm"))
    await time.advance(300)
    await runtime.execute(lambda s: commands.resume(s, "director"))
    await time.advance(1199)  # 1800 s of running scenario time would have passed without the hold
    await settle()
    assert released(runtime) == []
    await time.advance(2)
    await until(lambda: len(released(runtime)) == 1)
    assert released(runtime)[0][2] == T0 + 2101


async def test_a_hold_without_shift_keeps_time_running_and_releases_late_on_resume(
    running: tuple[ExerciseRuntime, ReleaseClock], time: ManualTime
) -> None:
    runtime, _ = running
    await time.advance(1700)
    await runtime.execute(lambda s: commands.hold(s, "director", "lunch", shift=False))
    await time.advance(200)  # A fell due during the hold
    await settle()
    assert released(runtime) == []
    await runtime.execute(lambda s: commands.resume(s, "director"))
    await until(lambda: len(released(runtime)) == 1)
    inject_id, _, at, late = released(runtime)[0]
    assert (inject_id, at, late) == ("A", T0 + 1900, True)


async def test_speed_runs_scenario_time_faster(
    running: tuple[ExerciseRuntime, ReleaseClock], time: ManualTime
) -> None:
    runtime, _ = running
    await runtime.execute(lambda s: commands.set_speed(s, "director", 4.0))
    await time.advance(449)
    await settle()
    assert released(runtime) == []
    await time.advance(1.5)
    await until(lambda: len(released(runtime)) == 1)


async def test_a_jump_releases_what_it_skipped_at_once_and_not_late(
    running: tuple[ExerciseRuntime, ReleaseClock], time: ManualTime
) -> None:
    runtime, _ = running
    await time.advance(10)
    await runtime.execute(lambda s: commands.jump(s, "director", 10 * 3600 + 60))
    await until(lambda: len(released(runtime)) == 2)
    assert [(i, late) for i, _, _, late in released(runtime)] == [("A", False), ("B", False)]
    assert runtime.state.clock.scenario_now(time.now()) == 10 * 3600 + 60


async def test_what_falls_due_together_is_released_in_one_batch(
    running: tuple[ExerciseRuntime, ReleaseClock], time: ManualTime
) -> None:
    """A jump past A and B releases both in one ``batch``: the hub writes them to each
    socket in one go (docs/delivery.md), settled once after both, not after each."""
    runtime, _ = running
    seen: list[str] = []
    runtime.listen(lambda event, state: seen.append(event.type), lambda: seen.append("settled"))
    await time.advance(10)
    await runtime.execute(lambda s: commands.jump(s, "director", 10 * 3600 + 60))
    await until(lambda: len(released(runtime)) == 2)
    await until(lambda: seen[-1:] == ["settled"])
    # nothing settled between the two releases (a tick with nothing due settles alone)
    first = seen.index("settled")
    assert seen[:first] == [EventType.JUMPED, EventType.INJECT_RELEASED, EventType.INJECT_RELEASED]
    assert set(seen[first:]) == {"settled"}


async def test_manual_injects_wait_for_control(
    running: tuple[ExerciseRuntime, ReleaseClock], time: ManualTime
) -> None:
    runtime, _ = running
    await time.advance(3 * 3600)
    await until(lambda: len(released(runtime)) == 2)
    assert "M" not in {r[0] for r in released(runtime)}
    await runtime.execute(lambda s: commands.release_now(s, "director", "M", ["alpha"]))
    assert released(runtime)[-1][:2] == ("M", ("alpha",))


async def test_catch_up_after_a_restart_releases_late_and_never_twice(
    tmp_path: Path, time: ManualTime
) -> None:
    scenario = make_scenario(
        inject("A", at="D1 09:30"), inject("B", at="D1 10:00"), inject("C", at="D1 12:00")
    )
    store = FileJournalStore.from_url(f"file://{tmp_path}")
    runtime = await new_runtime(await store.create("restart"), scenario, time)
    await runtime.execute(lambda s: commands.startex(s, "director"))
    clock = ReleaseClock(runtime, time)
    await clock.start()
    await time.advance(1801)
    await until(lambda: len(released(runtime)) == 1)
    await clock.stop()  # the server goes down ...
    await store.close()
    await time.advance(2 * 3600)  # ... for two hours: B fell due meanwhile

    for _ in range(2):  # restart twice: the second restart must release nothing again
        reopened = FileJournalStore.from_url(f"file://{tmp_path}")
        runtime = await new_runtime(await reopened.open("restart"), scenario, time)
        await ReleaseClock(runtime, time).tick()
        await reopened.close()

    final = FileJournalStore.from_url(f"file://{tmp_path}")
    history = await (await final.open("restart")).read()
    await final.close()
    releases = [
        (e.data["inject"], e.data["late"]) for e in history if e.type == EventType.INJECT_RELEASED
    ]
    assert releases == [("A", False), ("B", True)]


async def test_two_clocks_on_one_journal_release_each_inject_once(
    journal: Journal, time: ManualTime
) -> None:
    scenario = make_scenario(*[inject(f"I{n:02d}", at=f"D1 09:{n:02d}") for n in range(1, 40)])
    first = await new_runtime(journal, scenario, time)
    second = await new_runtime(journal, scenario, time)
    await first.execute(lambda s: commands.startex(s, "director"))
    clocks = [ReleaseClock(first, time), ReleaseClock(second, time)]
    for clock in clocks:
        await clock.start()
    await second.start()
    await first.start()
    for _ in range(45):
        await time.advance(60)
    await until(lambda: first.state.seq == second.state.seq and len(released(first)) >= 39)
    for clock in clocks:
        await clock.stop()
    await first.stop()
    await second.stop()
    everything = await journal.read()
    ids = [e.data["inject"] for e in everything if e.type == EventType.INJECT_RELEASED]
    assert sorted(ids) == [f"I{n:02d}" for n in range(1, 40)]
    assert isinstance(first.state, ExerciseState)
