"""Snapshots of the folded state (controlroom.live.snapshots): a snapshot and the journal's
tail fold to exactly the state of the whole journal; a snapshot that is not ours, not this
journal's or not this fold's is never used. The parse of a journal line is the slow one's."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest

from controlroom.exercise import commands
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.journal.file import FileJournalStore, _parse_event
from controlroom.live.runtime import ExerciseRuntime, scenario_of
from controlroom.live.snapshots import Snapshots
from controlroom.live.timesource import ManualTime
from scripts.week_journal import play

SECRET = "s" * 40


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A short week of the sample (every kind of event), written once for this module."""
    import asyncio

    folder = tmp_path_factory.mktemp("week")
    exercise, _count = asyncio.run(play(folder, 2500, seed=11))
    return folder, exercise


@pytest.fixture
async def store(week: tuple[Path, str], tmp_path: Path) -> AsyncIterator[FileJournalStore]:
    folder = tmp_path / "data"
    shutil.copytree(week[0], folder)
    store = FileJournalStore(folder)
    yield store
    await store.close()


def full_fold(events: list[Event], exercise: str) -> ExerciseState:
    return ExerciseState.fold(scenario_of(events, exercise), events, exercise)


async def test_a_snapshot_and_the_tail_fold_to_the_whole_journal_s_state(
    store: FileJournalStore, week: tuple[Path, str], tmp_path: Path
) -> None:
    exercise = week[1]
    journal = await store.open(exercise)
    events = await journal.read()
    assert len(events) >= 2500
    kinds = {e.type for e in events}
    assert {"cue.status", "inject.created", "request.answered", "observation.added"} <= kinds
    assert {"reply.sent", "reply.answered"} <= kinds  # teams answer back
    snapshots = Snapshots(tmp_path / "snapshots", SECRET, every=1000)
    first = await ExerciseRuntime.load(journal, ManualTime(), hold_back=700, snapshots=snapshots)
    assert first.state.seq == len(events) - 700
    assert first.snapshot_seq == first.state.seq  # written: it folded more than 1000
    assert snapshots.path(exercise).is_file()
    await first.catch_up()
    expected = full_fold(events, exercise)
    assert first.state == expected
    # the teams' own times the fold keeps (held and shifted teams: not the exercise clock's)
    releases = expected.releases.values()
    assert any(r.released_team not in (None, r.released_scenario) for r in releases)
    assert any(r.sent_team not in (None, r.sent_scenario) for r in expected.replies.values())
    assert any(a.team_time is not None for r in expected.replies.values() for a in r.answers)

    # a restart: the snapshot, then only the tail
    loaded = snapshots.load(exercise, journal.epoch, events)
    assert loaded is not None and loaded.seq == len(events) - 700
    assert loaded == full_fold(events[: loaded.seq], exercise)
    again = await ExerciseRuntime.load(journal, ManualTime(), hold_back=200, snapshots=snapshots)
    assert again.snapshot_seq == len(events) - 700  # read, not written again (500 < 1000)
    await again.catch_up()
    assert again.state == expected


async def test_a_snapshot_not_ours_not_this_journal_s_or_damaged_is_not_used(
    store: FileJournalStore, week: tuple[Path, str], tmp_path: Path
) -> None:
    exercise = week[1]
    journal = await store.open(exercise)
    events = await journal.read()
    snapshots = Snapshots(tmp_path / "snapshots", SECRET, every=1)
    state = full_fold(events[:1500], exercise)
    data = snapshots.dump(state, journal.epoch, events[1499])
    snapshots.write(exercise, data)
    assert snapshots.load(exercise, journal.epoch, events) == state
    # another server's secret, another epoch, a journal that does not hold that event
    assert (
        Snapshots(tmp_path / "snapshots", "t" * 40, 1).load(exercise, journal.epoch, events) is None
    )
    assert snapshots.load(exercise, "0" * 32, events) is None
    assert snapshots.load(exercise, journal.epoch, events[:1000]) is None
    other = [*events[:1499], Event(1500, events[1499].type, events[1499].at + 1, events[1499].data)]
    assert snapshots.load(exercise, journal.epoch, other) is None
    # one byte changed anywhere
    for offset in (0, 40, len(data) // 2, len(data) - 1):
        damaged = bytearray(data)
        damaged[offset] ^= 0xFF
        snapshots.path(exercise).write_bytes(bytes(damaged))
        assert snapshots.load(exercise, journal.epoch, events) is None
    # and the runtime then folds the whole journal, to the same state
    runtime = await ExerciseRuntime.load(journal, ManualTime(), snapshots=snapshots)
    assert runtime.state == full_fold(events, exercise)


async def test_each_journal_line_is_parsed_once_to_what_the_two_step_parse_gave(
    week: tuple[Path, str],
) -> None:
    folder, exercise = week
    lines = (folder / "exercises" / exercise / "journal.jsonl").read_bytes().splitlines()[1:]
    for line in lines:
        assert _parse_event(line) == Event.from_json(line)


async def test_a_running_exercise_writes_a_snapshot_that_leaves_a_restart_its_history(
    store: FileJournalStore, week: tuple[Path, str], tmp_path: Path
) -> None:
    """A server that runs all week still restarts from a recent snapshot: one is made every
    ``every`` events folded while running, and written once ``hold_back`` more events came
    after it (before, and at stop, the older one stays), so a start from it still folds the
    last ``hold_back`` events into the resume history."""
    exercise = week[1]
    journal = await store.open(exercise)
    events = await journal.read()
    snapshots = Snapshots(tmp_path / "snapshots", SECRET, every=1000)
    runtime = await ExerciseRuntime.load(
        journal, ManualTime(), hold_back=len(events) - 500, snapshots=snapshots
    )
    assert runtime.snapshot_seq == 0 and not snapshots.path(exercise).exists()  # 500 < 1000
    runtime.hold_back = 50  # what this server's starts leave to the resume history
    await runtime.catch_up()  # the rest, announced as live events are: one is made now...
    while runtime._saving is not None:
        await runtime._saving
    made = len(events)
    assert runtime._pending is not None and runtime._pending[0] == made
    assert not snapshots.path(exercise).exists()  # ... but not written yet
    for n in range(49):
        await runtime.execute(partial(commands.add_note, by="p", text=f"note {n}"))
    assert runtime.snapshot_seq == 0 and not snapshots.path(exercise).exists()
    for n in range(3):  # 50 events after it: written
        await runtime.execute(partial(commands.add_note, by="p", text=f"more {n}"))
    while runtime._saving is not None:
        await runtime._saving
    assert runtime.snapshot_seq == made and runtime._pending is None
    events = await journal.read()
    written = snapshots.load(exercise, journal.epoch, events)
    assert written is not None and written == full_fold(events[:made], exercise)
    await runtime.stop()
    assert runtime.snapshot_seq == made  # nothing pending: the written one stays
    again = await ExerciseRuntime.load(journal, ManualTime(), hold_back=50, snapshots=snapshots)
    assert again.snapshot_seq == made and again.state.seq == len(events) - 50
    await again.catch_up()
    assert again.state == full_fold(events, exercise)


async def test_snapshots_made_while_running_do_not_read_the_journal_back(
    store: FileJournalStore, week: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event a snapshot names is the one just folded, kept: no read of the journal (a
    network round trip in scaled mode, which fast events used to outrun)."""
    exercise = week[1]
    journal = await store.open(exercise)
    snapshots = Snapshots(tmp_path / "snapshots", SECRET, every=20)
    runtime = await ExerciseRuntime.load(journal, ManualTime(), snapshots=snapshots)
    read = journal.read
    looked_back: list[int] = []

    async def counted(after: int = 0, limit: int | None = None) -> list[Event]:
        if limit is not None:
            looked_back.append(after)
        return await read(after=after, limit=limit)

    monkeypatch.setattr(journal, "read", counted)
    for n in range(45):
        await runtime.execute(partial(commands.add_note, by="p", text=f"note {n}"))
        while runtime._saving is not None:
            await runtime._saving
    assert looked_back == []
    assert runtime.snapshot_seq >= runtime.state.seq - 20
    events = await read()
    written = snapshots.load(exercise, journal.epoch, events)
    assert written is not None and written == full_fold(events[: written.seq], exercise)
    await runtime.stop()
