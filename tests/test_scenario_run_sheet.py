"""The actors' run sheet: planned scenes, conflicts, the resolving shift, the summary."""

from __future__ import annotations

from dataclasses import replace

from controlroom.scenario import load_scenario
from controlroom.scenario.model import Inject, Schedule
from controlroom.scenario.run_sheet import (
    Conflict,
    Scene,
    Shift,
    conflicts,
    planned_scenes,
    planned_times,
    resolving_shift,
    role_scenes,
    set_scenes,
    shifted,
    summaries,
)
from controlroom.scenario.time import parse_time
from tests.support.scenario_folders import MINI

SCHEDULE = Schedule()  # least gap 10 min, a scene holds its set 20 min
T = parse_time


def scene(at: str, team: str, role: str = "driver", cue: str = "", set_id: str | None = "gate",
          shared: bool = False) -> Scene:  # fmt: skip
    return Scene(T(at), team, role, cue or f"{team}-{at}", "X", set_id, shared)


def inject(data: dict[str, object]) -> Inject:
    base = {"channel": "news", "from": {"en": "x"}, "title": {"en": "x"}, "body": {"en": "x"}}
    return Inject.model_validate({**base, **data})


def cue(role: str, offset: str = "-10m", **more: object) -> dict[str, object]:
    return {"role": role, "offset": offset, "where": {"en": "w"}, "knows": {"en": "k"},
            "emotion": {"en": "e"}, **more}  # fmt: skip


def test_planned_times_follow_after_triggers_and_leave_manual_ones_out() -> None:
    injects = [
        inject({"id": "A", "at": "D1 09:00", "to": "all"}),
        inject({"id": "B", "trigger": {"after": "A", "delay": "10m"}, "to": "all"}),
        inject({"id": "C", "trigger": {"after": "B", "delay": "5m"}, "to": "all"}),
        inject({"id": "M", "trigger": "manual", "to": "all"}),
        inject({"id": "N", "trigger": {"after": "M"}, "to": "all"}),
        # a reply is what players do: it may never come, so no earliest time
        inject({"id": "R", "trigger": {"after": "A", "state": "replied"}, "to": "all"}),
        inject({"id": "S", "trigger": {"after": "R", "delay": "5m"}, "to": "all"}),
    ]
    assert planned_times(injects) == {"A": T("D1 09:00"), "B": T("D1 09:10"), "C": T("D1 09:15")}


def test_planned_scenes_one_per_team_with_the_cue_offset_and_set() -> None:
    injects = [
        inject(
            {
                "id": "A",
                "at": "D1 09:00",
                "to": ["t1", "t2"],
                "cues": [cue("driver", "-15m", set="gate")],
            }
        ),
        inject({"id": "M", "trigger": "manual", "to": ["t1"], "cues": [cue("girl")]}),
    ]
    scenes = planned_scenes(["t1", "t2", "t3"], injects)
    assert scenes == [
        Scene(T("D1 08:45"), "t1", "driver", "A.1", "A", "gate"),
        Scene(T("D1 08:45"), "t2", "driver", "A.1", "A", "gate"),
        Scene(None, "t1", "girl", "M.1", "M", None),
    ]
    assert role_scenes(scenes, "girl") == [scenes[2]]
    assert set_scenes(scenes, "gate") == scenes[:2]


def test_a_role_closer_than_the_least_gap_is_a_conflict_reported_once() -> None:
    a = scene("D1 09:00", "t1", set_id=None)
    b = scene("D1 09:05", "t2", set_id=None)
    c = scene("D1 09:15", "t3", set_id=None)  # 10 min after b: just enough
    assert conflicts([c, b, a], SCHEDULE) == [Conflict("role", a, b, 600)]
    assert conflicts([a, b, c], SCHEDULE)[0].gap == 300


def test_a_set_another_team_still_holds_is_a_conflict_but_a_teams_own_play_is_not() -> None:
    a = scene("D1 09:00", "t1", role="driver")
    own = scene("D1 09:05", "t1", role="girl")
    other = scene("D1 09:19", "t2", role="father")
    later = scene("D1 09:40", "t3", role="mother")
    found = conflicts([a, own, other, later], SCHEDULE)
    assert found == [Conflict("set", own, other, 1200)]


def test_a_shared_cue_at_one_time_is_one_scene() -> None:
    shared = [scene("D2 10:45", team, cue="X-02.1", shared=True) for team in ("a", "b", "c")]
    assert conflicts(shared, SCHEDULE) == []
    apart = [*shared, scene("D2 10:50", "d", cue="X-02.1", shared=True)]  # d held 5 min
    [clash] = [c for c in conflicts(apart, SCHEDULE) if c.kind == "role"]
    assert (clash.first.team, clash.second.team, clash.gap) == ("c", "d", 300)
    [line] = summaries(["driver"], apart)
    assert (line.scenes, line.tightest) == (2, 300)


def test_a_shared_scene_a_team_reaches_moments_later_is_still_one_scene() -> None:
    # A 45 s team hold moved d's instance across a minute boundary: 10:45:20 and 10:46:05
    # are one joint scene (grouping by clock minute had made them two, and a false clash).
    at = T("D2 10:45") + 20
    shared = [replace(scene("D2 10:45", t, cue="X-02.1", shared=True), time=at) for t in "abc"]
    late = replace(scene("D2 10:45", "d", cue="X-02.1", shared=True), time=at + 45)
    assert conflicts([*shared, late], SCHEDULE) == []
    [line] = summaries(["driver"], [*shared, late])
    assert line.scenes == 1


def test_the_resolving_shift_clears_the_conflict_without_a_new_one() -> None:
    a = scene("D1 09:00", "t1", set_id=None)
    b = scene("D1 09:05", "t2", set_id=None)
    assert resolving_shift([a, b], Conflict("role", a, b, 600), SCHEDULE) == Shift("t2", 300)
    # t2's next girl scene would come too near t3's (13 min later): the shift goes on
    # until that is clear too, past t3's scene
    b2 = scene("D1 09:30", "t2", role="girl", set_id=None)
    c = scene("D1 09:43", "t3", role="girl", set_id=None)
    shift = resolving_shift([a, b, b2, c], Conflict("role", a, b, 600), SCHEDULE)
    assert shift == Shift("t2", 1500)
    assert conflicts(shifted([a, b, b2, c], shift, lambda s: True), SCHEDULE) == []


def test_no_shift_for_one_teams_own_clash_nor_for_a_scene_that_cannot_move() -> None:
    a = scene("D1 09:00", "t1", set_id=None)
    b = scene("D1 09:05", "t1", cue="other", set_id=None)
    assert resolving_shift([a, b], Conflict("role", a, b, 600), SCHEDULE) is None
    c = scene("D1 09:05", "t2", set_id=None)
    no_move = resolving_shift([a, c], Conflict("role", a, c, 600), SCHEDULE, lambda s: False)
    assert no_move is None


def test_shifted_moves_only_the_teams_movable_scenes() -> None:
    a, b = scene("D1 09:00", "t1"), scene("D1 09:30", "t1")
    moved = shifted([a, b], Shift("t1", 600), lambda s: s.time == T("D1 09:30"))
    assert [s.time for s in moved] == [T("D1 09:00"), T("D1 09:40")]


def test_summaries_count_scenes_unscheduled_first_last_and_tightest() -> None:
    scenes = planned_scenes(load_scenario(MINI).team_ids, load_scenario(MINI).injects)
    caller, worker = summaries(["caller", "worker"], scenes)
    assert (caller.scenes, caller.first, caller.tightest) == (1, T("D1 09:25"), None)
    assert (worker.scenes, worker.unscheduled, worker.first) == (1, 0, T("D2 10:05"))
