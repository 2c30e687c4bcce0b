"""Loading a scenario folder: schema errors with file, line and field; every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlroom.scenario import (
    Scenario,
    ScenarioInvalid,
    load_scenario,
    load_scenario_file,
    load_scenarios,
    summary,
)
from controlroom.scenario.model import AfterTrigger
from tests.support.scenario_folders import (
    MINI,
    copy_mini,
    day1,
    day2,
    edit,
    line_of,
    only_problem,
    problems,
)


def test_mini_loads() -> None:
    scenario = load_scenario(MINI)
    assert scenario.id == "mini"
    assert scenario.languages == ["en", "ru"]
    assert [inject.id for inject in scenario.injects] == ["S-01", "S-02", "S-03", "S-04"]
    assert scenario.injects[0].cue_ids() == ["S-01.1"]
    assert scenario.recipients(scenario.injects[2]) == ["police", "labour"]


def test_summary() -> None:
    assert summary(load_scenario(MINI)) == (
        "mini: 2 teams, 2 roles, 1 case, 4 injects, 2 cues, languages en, ru"
    )


def test_inject_files_are_merged_in_file_name_order(mini: Path) -> None:
    (day2(mini)).rename(mini / "injects" / "00-first.yaml")
    ids = [inject.id for inject in load_scenario(mini).injects]
    assert ids == ["S-03", "S-04", "S-01", "S-02"]


def test_unknown_key_typo(mini: Path) -> None:
    edit(day2(mini), "    controller: Boris", "    controler: Boris")
    problem = only_problem(mini)
    assert problem.file == "mini/injects/02-day2.yaml"
    assert problem.line == line_of(day2(mini), "controler: Boris")
    assert problem.field == "injects[0].controler"
    assert problem.message == "unknown key 'controler' (did you mean 'controller'?)"


def test_unknown_key_in_scenario_yaml(mini: Path) -> None:
    edit(mini / "scenario.yaml", "days: 2", "dayz: 2")
    found = {(p.field, p.line, p.message) for p in problems(mini)}
    line = line_of(mini / "scenario.yaml", "dayz: 2")
    assert ("dayz", line, "unknown key 'dayz' (did you mean 'days'?)") in found
    assert ("days", 1, "required, but missing") in found


def test_wrong_channel(mini: Path) -> None:
    edit(day1(mini), "channel: phone-call", "channel: telegram")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == ("mini/injects/01-day1.yaml", "injects[0].channel")
    assert problem.line == line_of(day1(mini), "channel: telegram")
    assert problem.message.startswith("expected 'phone-call', 'email', ")


def test_bad_time_format(mini: Path) -> None:
    edit(day2(mini), "at: D2 10:15", "at: D2 1015")
    problem = only_problem(mini)
    assert (problem.field, problem.line) == ("injects[0].at", line_of(day2(mini), "at: D2 1015"))
    assert problem.message.startswith("scenario time 'D2 1015' is not of the form")


def test_bad_cue_offset(mini: Path) -> None:
    edit(day1(mini), "offset: -5m", "offset: 5 minutes before")
    problem = only_problem(mini)
    assert problem.field == "injects[0].cues[0].offset"
    assert problem.line == line_of(day1(mini), "offset: 5 minutes")


def test_yaml_syntax_error(mini: Path) -> None:
    edit(
        day1(mini),
        "    to: [police]\n    title: {en: A call",
        "    to: [police\n    title: {en: A call",
    )
    problem = only_problem(mini)
    assert problem.file == "mini/injects/01-day1.yaml"
    assert problem.line == line_of(day1(mini), "title: {en: A call")
    assert problem.message.startswith("YAML syntax error")


def test_duplicate_yaml_key(mini: Path) -> None:
    edit(day2(mini), "    controller: Boris\n", "    controller: Boris\n    controller: Anna\n")
    problem = only_problem(mini)
    assert problem.field == "injects[0].controller"
    assert problem.line == line_of(day2(mini), "controller: Anna")
    assert problem.message == f"duplicate key (first at line {problem.line - 1})"


def test_no_recipients(mini: Path) -> None:
    edit(day2(mini), "to: all\n    title: {en: A complaint", "to: []\n    title: {en: A complaint")
    problem = only_problem(mini)
    assert (problem.field, problem.line) == ("injects[0].to", line_of(day2(mini), "to: []"))
    assert problem.message == "no recipients: expected 'all' or at least one team"


def test_empty_text(mini: Path) -> None:
    edit(day2(mini), "ru: Письмо с жалобой}", "ru: ''}")
    problem = only_problem(mini)
    assert (problem.field, problem.message) == ("injects[0].title.ru", "empty text")


def test_missing_required_key(mini: Path) -> None:
    edit(day2(mini), "    channel: news\n", "")
    problem = only_problem(mini)
    assert (problem.field, problem.message) == ("injects[1].channel", "required, but missing")
    assert problem.line == line_of(day2(mini), "id: S-04")


def test_bad_id(mini: Path) -> None:
    edit(day2(mini), "id: S-04", "id: S 04")
    problem = only_problem(mini)
    assert problem.field == "injects[1].id"
    assert problem.message.startswith("'S 04' is not a valid id")


def test_unknown_trigger_word(mini: Path) -> None:
    edit(day2(mini), "trigger: manual", "trigger: by hand")
    problem = only_problem(mini)
    assert problem.field == "injects[1].trigger"
    assert problem.message == "expected 'manual' or a mapping (key: value), got 'by hand'"


def test_a_trigger_on_the_team_s_reply_loads(mini: Path) -> None:
    edit(day1(mini), "state: acknowledged, delay: 10m", "state: replied, delay: 5m, confirm: true")
    trigger = load_scenario(mini).injects_by_id["S-02"].trigger
    assert isinstance(trigger, AfterTrigger)
    assert (trigger.after, trigger.state, trigger.delay_seconds, trigger.confirm) == (
        "S-01",
        "replied",
        300,
        True,
    )


def test_an_unknown_after_state_is_named_at_its_file_line_and_field(mini: Path) -> None:
    edit(day1(mini), "state: acknowledged,", "state: answered,")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == (
        "mini/injects/01-day1.yaml",
        "injects[1].trigger.state",
    )
    assert problem.line == line_of(day1(mini), "state: answered,")
    assert "replied" in problem.message and "acknowledged" in problem.message


def test_confirm_goes_with_a_reply_trigger_only(mini: Path) -> None:
    edit(day1(mini), "delay: 10m}", "delay: 10m, confirm: true}")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == (
        "mini/injects/01-day1.yaml",
        "injects[1].trigger.confirm",
    )
    assert problem.line == line_of(day1(mini), "confirm: true")
    assert problem.message == (
        "'confirm' goes with state: replied (or a trigger on what players do)"
    )


def test_missing_scenario_yaml(mini: Path) -> None:
    (mini / "scenario.yaml").unlink()
    problem = only_problem(mini)
    assert str(problem) == "mini/scenario.yaml:1: file not found"


def test_inject_file_without_a_list(mini: Path) -> None:
    (mini / "injects" / "03-empty.yaml").write_text("injects: S-05\n", encoding="utf-8")
    problem = only_problem(mini)
    assert (problem.file, problem.line, problem.field) == (
        "mini/injects/03-empty.yaml",
        1,
        "injects",
    )
    assert problem.message == "expected a list"


def test_unknown_key_beside_injects(mini: Path) -> None:
    (mini / "injects" / "03-more.yaml").write_text("# day 3\ninject: []\n", encoding="utf-8")
    problem = only_problem(mini)
    assert (problem.file, problem.line, problem.field) == ("mini/injects/03-more.yaml", 2, "inject")


def test_empty_inject_file_is_fine(mini: Path) -> None:
    (mini / "injects" / "03-later.yaml").write_text("# written tomorrow\n", encoding="utf-8")
    assert len(load_scenario(mini).injects) == 4


def test_one_bad_inject_does_not_hide_the_others(mini: Path) -> None:
    edit(day1(mini), "channel: phone-call", "channel: pigeon")
    edit(day1(mini), "channel: document-pack", "chanel: document-pack")
    edit(day2(mini), "at: D2 10:15", "at: D2 25:00")
    edit(day2(mini), "channel: news", "channel: tv")
    found = [(p.file, p.field) for p in problems(mini)]
    assert found == [
        ("mini/injects/01-day1.yaml", "injects[0].channel"),
        ("mini/injects/01-day1.yaml", "injects[1].channel"),
        ("mini/injects/01-day1.yaml", "injects[1].chanel"),
        ("mini/injects/02-day2.yaml", "injects[0].at"),
        ("mini/injects/02-day2.yaml", "injects[1].channel"),
    ]


def test_a_broken_scenario_yaml_does_not_hide_inject_problems(mini: Path) -> None:
    edit(mini / "scenario.yaml", "languages: [en, ru]", "languages: en, ru")
    edit(day2(mini), "trigger: manual", "trigger: {after: S-09}")
    edit(day1(mini), "attachments: [passport-scan.txt]", "attachments: [nope.txt]")
    found = [(p.file, p.field) for p in problems(mini)]
    assert found == [
        ("mini/scenario.yaml", "languages"),
        ("mini/injects/01-day1.yaml", "injects[1].attachments[0]"),
        ("mini/injects/02-day2.yaml", "injects[1].trigger.after"),
    ]


def test_every_kind_of_problem_in_one_run(mini: Path) -> None:
    scenario = mini / "scenario.yaml"
    edit(scenario, "- id: labour\n", "- id: labour\n    name: {en: Again, ru: Снова}\n")
    edit(day1(mini), "case: site\n    at: D1 09:30", "case: site\n    at: D1 9.30")
    edit(day1(mini), "role: caller", "role: calller")
    edit(day2(mini), "id: S-04", "id: S-02")
    edit(day2(mini), "objectives: [identify]", "objectives: [identity]")
    lines = str(load_error(mini)).splitlines()
    assert lines == [
        f"mini/scenario.yaml:{line_of(scenario, 'name: {en: Labour')}: teams[1].name: "
        f"duplicate key (first at line {line_of(scenario, 'name: {en: Again')})",
        f"mini/injects/01-day1.yaml:{line_of(day1(mini), 'at: D1 9.30')}: injects[0].at: "
        "scenario time 'D1 9.30' is not of the form 'D<day> HH:MM', e.g. 'D2 10:15'",
        f"mini/injects/02-day2.yaml:{line_of(day2(mini), 'objectives: [identity]')}: "
        "injects[0].objectives[0]: unknown objective 'identity' (did you mean 'identify'?)",
        f"mini/injects/02-day2.yaml:{line_of(day2(mini), 'id: S-02')}: injects[1].id: "
        f"duplicate inject id 'S-02' (first at mini/injects/01-day1.yaml:"
        f"{line_of(day1(mini), 'id: S-02')})",
        "4 problems in mini",
    ]


def load_error(folder: Path) -> ScenarioInvalid:
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario(folder)
    return caught.value


def test_bad_folder_name(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path, "week one")
    problem = only_problem(folder)
    assert (problem.file, problem.field) == ("week one/scenario.yaml", "id")


def test_load_scenario_file_only_reads_scenario_yaml(mini: Path) -> None:
    edit(day1(mini), "channel: phone-call", "channel: pigeon")
    header = load_scenario_file(mini)
    assert [team.id for team in header.teams] == ["police", "labour"]


def test_load_scenarios(tmp_path: Path) -> None:
    copy_mini(tmp_path, "good")
    bad = copy_mini(tmp_path, "bad")
    edit(bad / "scenario.yaml", "days: 2", "days: 0")
    (tmp_path / "notes.txt").write_text("not a scenario", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    found = load_scenarios(tmp_path)
    assert sorted(found) == ["bad", "good"]
    assert isinstance(found["good"], Scenario)
    invalid = found["bad"]
    assert isinstance(invalid, ScenarioInvalid)
    assert [problem.field for problem in invalid.problems] == ["days"]
    assert str(invalid).endswith("\n1 problem in bad")
