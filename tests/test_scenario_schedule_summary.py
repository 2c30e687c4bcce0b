"""The run-sheet summary ``controlroom validate`` prints."""

from __future__ import annotations

from pathlib import Path

from controlroom.scenario import load_scenario
from controlroom.scenario.schedule_summary import duration, run_sheet_summary
from tests.support.scenario_folders import edit


def test_duration_in_hours_and_minutes() -> None:
    assert [duration(s) for s in (0, 600, 3600, 3900, 93600)] == [
        "0 min", "10 min", "1 h", "1 h 5 min", "26 h",
    ]  # fmt: skip


def test_a_line_per_role_with_scenes_first_last_and_tightest_gap(mini: Path) -> None:
    edit(mini / "scenario.yaml", "cases:", "schedule: {min_gap: 5m, scene: 30m}\ncases:")
    edit(
        mini / "injects" / "02-day2.yaml",
        "        shared: true  # the joint inspection: both teams on the site at once\n",
        "",
    )
    text = run_sheet_summary(load_scenario(mini))
    assert text.splitlines() == [
        "run sheet: 0 sets, least gap between a role's scenes 5m, a scene holds its set 30m",
        "  caller: 1 scene, at D1 09:25",
        "  worker: 2 scenes, at D2 10:05, tightest gap 0 min",  # one for each team
    ]


def test_unscheduled_scenes_and_the_tightest_gap(mini: Path) -> None:
    # the caller also plays on S-04 (manual): no time, counted apart
    edit(
        mini / "injects" / "02-day2.yaml",
        "    expected_actions:\n      - {en: Protect",
        """    cues:
      - role: caller
        where: {en: Newsroom, ru: Редакция}
        knows: {en: The photo, ru: Фото}
        emotion: {en: Sorry, ru: Сожалеет}
    expected_actions:
      - {en: Protect""",
    )
    lines = run_sheet_summary(load_scenario(mini)).splitlines()
    assert lines[1] == "  caller: 3 scenes (2 on a manual or player trigger), at D1 09:25"
