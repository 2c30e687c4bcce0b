"""Schedule checks: unknown and duplicate sets, and run-sheet conflicts with file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from controlroom.scenario import Scenario, load_scenario
from controlroom.scenario.loader import validate_scenario
from tests.support.scenario_folders import edit, line_of, only_problem

CONTROLROOM = Path(sys.executable).parent / "controlroom"
SAMPLE = Path(__file__).resolve().parents[1] / "injects" / "trafficking-week"

SETS = """sets:
  - id: site
    name: {en: Construction site, ru: Стройка}
    notes: {en: The yard behind the gym, ru: Двор за спортзалом}
  - id: booth
    name: {en: Phone booth, ru: Телефонная будка}
cases:"""


def with_sets(folder: Path) -> Path:
    edit(folder / "scenario.yaml", "cases:", SETS)
    return folder


def test_sets_load_and_cues_name_them(mini: Path) -> None:
    with_sets(mini)
    edit(
        mini / "injects" / "01-day1.yaml",
        "      - role: caller\n",
        "      - role: caller\n        set: booth\n",
    )
    scenario = load_scenario(mini)
    assert [s.id for s in scenario.sets] == ["site", "booth"]
    assert scenario.sets[0].notes == {"en": "The yard behind the gym", "ru": "Двор за спортзалом"}
    assert scenario.injects[0].cues[0].set == "booth"


def test_an_unknown_set_names_file_line_and_field(mini: Path) -> None:
    with_sets(mini)
    day1 = mini / "injects" / "01-day1.yaml"
    edit(day1, "      - role: caller\n", "      - role: caller\n        set: boot\n")
    problem = only_problem(mini)
    assert str(problem) == (
        f"mini/injects/01-day1.yaml:{line_of(day1, 'set: boot')}: injects[0].cues[0].set: "
        "unknown set 'boot' (did you mean 'booth'?)"
    )


def test_a_set_without_sets_declared_is_unknown(mini: Path) -> None:
    edit(
        mini / "injects" / "01-day1.yaml",
        "      - role: caller\n",
        "      - role: caller\n        set: booth\n",
    )
    assert only_problem(mini).message == "unknown set 'booth'"


def test_a_duplicate_set_id(mini: Path) -> None:
    with_sets(mini)
    edit(mini / "scenario.yaml", "  - id: booth", "  - id: site")
    problem = only_problem(mini)
    assert problem.field == "sets[1].id"
    first = line_of(mini / "scenario.yaml", "- id: site")
    assert problem.message == f"duplicate set id 'site' (first at line {first})"


def test_a_set_name_needs_every_language(mini: Path) -> None:
    with_sets(mini)
    edit(mini / "scenario.yaml", "{en: Phone booth, ru: Телефонная будка}", "{en: Phone booth}")
    assert (only_problem(mini).field, only_problem(mini).message) == (
        "sets[1].name",
        "missing text in ru",
    )


EXTRA = """injects:
  - id: E-01
    at: D1 09:35
    channel: walk-in
    from: {en: A worker, ru: Рабочий}
    to: [labour]
    title: {en: A worker walks in, ru: Приходит рабочий}
    body: {en: He asks for help., ru: Он просит помощи.}
    cues:
      - role: worker
        set: booth
        offset: -5m
        where: {en: Phone booth, ru: Телефонная будка}
        knows: {en: The site, ru: Стройку}
        emotion: {en: Afraid, ru: Боится}
"""


def plant_conflicts(folder: Path) -> Path:
    """The worker's cue on D2 no longer shared (a role conflict: two teams at once), and
    the caller's booth taken by the labour team 5 min after the police's call (a set
    conflict: another role, so no role conflict)."""
    with_sets(folder)
    day2 = folder / "injects" / "02-day2.yaml"
    edit(day2, "        shared: true  # the joint inspection: both teams on the site at once\n", "")
    day1 = folder / "injects" / "01-day1.yaml"
    edit(day1, "      - role: caller\n", "      - role: caller\n        set: booth\n")
    (folder / "injects" / "03-extra.yaml").write_text(EXTRA, encoding="utf-8")
    return folder


def expected_conflicts(folder: Path) -> list[str]:
    day2, extra = folder / "injects" / "02-day2.yaml", folder / "injects" / "03-extra.yaml"
    return [
        f"mini/injects/03-extra.yaml:{line_of(extra, 'set: booth')}: injects[0].cues[0].set: "
        "set 'booth' is booked twice: E-01.1 for labour at D1 09:30, 5 min after S-01.1 for "
        "police at D1 09:25 (a scene holds its set 20 min, schedule.scene)",
        f"mini/injects/02-day2.yaml:{line_of(day2, 'role: worker')}: injects[0].cues[0].role: "
        "role 'worker' plays worker-at-site for police at D2 10:05, 0 min after "
        "worker-at-site for labour at D2 10:05: less than the least gap between scenes "
        "(10 min, schedule.min_gap)",
    ]


def test_validate_reports_a_planted_role_and_set_conflict_with_file_and_line(mini: Path) -> None:
    plant_conflicts(mini)
    scenario, found = validate_scenario(mini)
    assert isinstance(scenario, Scenario)  # conflicts do not stop it from loading
    assert [str(p) for p in found] == expected_conflicts(mini)


def test_the_cli_names_file_and_line_and_fails(mini: Path) -> None:
    plant_conflicts(mini)
    done = subprocess.run(
        [CONTROLROOM, "validate", mini], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[-3:] == [*expected_conflicts(mini), "2 schedule conflicts in mini"]
    assert lines[0].startswith("mini: 2 teams")


def test_the_sample_validates_clean_and_prints_the_run_sheet() -> None:
    done = subprocess.run(
        [CONTROLROOM, "validate", SAMPLE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert lines[1].startswith("run sheet: 13 sets, least gap between a role's scenes 10m")
    assert "  journalist: 4 scenes, D1 13:25 to D3 09:35, tightest gap 3 h 30 min" in lines
    assert "conflict" not in done.stdout
    scenario, found = validate_scenario(SAMPLE)
    assert found == []
    assert isinstance(scenario, Scenario)
    assert all(cue.set for inject in scenario.injects for cue in inject.cues)
