"""Histories and resume plans (controlroom.delivery.history)."""

from __future__ import annotations

import pytest

from controlroom.delivery.history import Frame, History, Reload, Replay, plan_resume


def frames(*seqs: int) -> list[Frame]:
    return [Frame.of(seq, f"frame {seq}") for seq in seqs]


def test_after_returns_newer_frames_in_order() -> None:
    history = History(limit=10)
    for frame in frames(2, 5, 9):
        history.append(frame)
    assert [f.seq for f in history.after(0) or []] == [2, 5, 9]
    assert [f.seq for f in history.after(5) or []] == [9]
    assert history.after(9) == []


def test_a_bounded_history_raises_its_floor() -> None:
    history = History(limit=2)
    for frame in frames(1, 2, 3, 4):
        history.append(frame)
    assert len(history) == 2
    assert history.floor == 2
    assert history.after(1) is None  # frame 2 is gone: cannot replay exactly
    assert [f.seq for f in history.after(2) or []] == [3, 4]


def test_frames_only_go_forward() -> None:
    history = History(limit=5)
    history.append(Frame.of(3, "x"))
    with pytest.raises(ValueError):
        history.append(Frame.of(3, "again"))


def test_backfill_goes_in_front() -> None:
    history = History(limit=10, floor=7)
    history.append(Frame.of(8, "live"))
    history.extend_before(frames(1, 4, 7), floor=0)
    assert [f.seq for f in history.after(0) or []] == [1, 4, 7, 8]
    assert history.floor == 0


def test_backfill_respects_the_bound() -> None:
    history = History(limit=2, floor=7)
    history.append(Frame.of(8, "live"))
    history.extend_before(frames(1, 4, 7), floor=0)
    assert history.floor == 4
    assert [f.seq for f in history.after(4) or []] == [7, 8]


@pytest.mark.parametrize(
    ("client_epoch", "last_seq", "expected"),
    [
        ("E", 3, Replay(frames(5))),
        ("E", 5, Replay([])),
        (None, 0, Replay(frames(2, 5))),  # a fresh client, history complete
        (None, 3, Reload("epoch")),  # a seq without an epoch means nothing
        ("OTHER", 3, Reload("epoch")),
        ("E", 6, Reload("future")),
        ("E", 2**40, Reload("future")),
    ],
)
def test_plan_resume(client_epoch: str | None, last_seq: int, expected: object) -> None:
    history = History(limit=10)
    for frame in frames(2, 5):
        history.append(frame)
    assert plan_resume(history, "E", 5, client_epoch, last_seq) == expected


def test_plan_resume_too_old() -> None:
    history = History(limit=1)
    for frame in frames(2, 5):
        history.append(frame)
    assert plan_resume(history, "E", 5, "E", 1) == Reload("too-old")
    assert plan_resume(history, "E", 5, None, 0) == Reload("too-old")
    assert plan_resume(history, "E", 5, "E", 2) == Replay(frames(5))
