"""Cross-reference checks: each mistake is reported at its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from controlroom.scenario import Problem
from controlroom.scenario.checks import format_loc, validation_problems
from controlroom.scenario.loader import load_scenario
from controlroom.scenario.model import Inject
from controlroom.scenario.source import parse_source
from tests.support.scenario_folders import day1, day2, edit, line_of, only_problem, problems


def test_unknown_team_in_to(mini: Path) -> None:
    edit(
        day2(mini),
        "to: all\n    title: {en: A victim",
        "to: [labour, polise]\n    title: {en: A victim",
    )
    problem = only_problem(mini)
    assert problem.file == "mini/injects/02-day2.yaml"
    assert problem.line == line_of(day2(mini), "to: [labour, polise]")
    assert problem.field == "injects[1].to[1]"
    assert problem.message == "unknown team 'polise' (did you mean 'police'?)"


def test_duplicate_inject_id_across_two_files(mini: Path) -> None:
    edit(day2(mini), "id: S-04", "id: S-01")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == ("mini/injects/02-day2.yaml", "injects[1].id")
    assert problem.line == line_of(day2(mini), "id: S-01")
    first = line_of(day1(mini), "id: S-01")
    assert (
        problem.message
        == f"duplicate inject id 'S-01' (first at mini/injects/01-day1.yaml:{first})"
    )


def test_duplicate_team_id(mini: Path) -> None:
    scenario = mini / "scenario.yaml"
    edit(scenario, "- id: labour\n", "- id: police\n")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == ("mini/scenario.yaml", "teams[1].id")
    assert problem.line == line_of(scenario, "id: police", occurrence=2)
    assert "duplicate team id 'police' (first at line" in problem.message


def test_duplicate_cue_id_with_a_default_one(mini: Path) -> None:
    # The first cue of S-01 has no id: it is "S-01.1" by default.
    edit(day2(mini), "id: worker-at-site", "id: S-01.1")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == ("mini/injects/02-day2.yaml", "injects[0].cues[0].id")
    assert problem.line == line_of(day2(mini), "id: S-01.1")


def test_duplicate_prepared_answer_and_task_ids(mini: Path) -> None:
    scenario = mini / "scenario.yaml"
    edit(
        scenario,
        "      - id: in-an-hour\n",
        "      - id: in-an-hour\n        text: {en: Soon., ru: Скоро.}\n      - id: in-an-hour\n",
    )
    problem = only_problem(mini)
    assert problem.field == "requests[0].answers[1].id"
    assert problem.line == line_of(scenario, "id: in-an-hour", occurrence=2)


def test_scenario_time_after_the_last_day(mini: Path) -> None:
    edit(day2(mini), "at: D2 10:15", "at: D3 10:15")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == ("mini/injects/02-day2.yaml", "injects[0].at")
    assert problem.line == line_of(day2(mini), "at: D3 10:15")
    assert "after the last day of the exercise (D2)" in problem.message


def test_start_after_the_last_day(mini: Path) -> None:
    edit(mini / "scenario.yaml", "start: D1 09:00", "start: D4 09:00")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == ("mini/scenario.yaml", "start")
    assert problem.line == line_of(mini / "scenario.yaml", "start: D4 09:00")


def test_cue_for_an_unknown_role(mini: Path) -> None:
    edit(day1(mini), "role: caller", "role: neighbour")
    problem = only_problem(mini)
    assert problem.field == "injects[0].cues[0].role"
    assert problem.line == line_of(day1(mini), "role: neighbour")
    assert problem.message.startswith("unknown role 'neighbour' (known: caller, worker)")


def test_unknown_case_and_objective(mini: Path) -> None:
    edit(day2(mini), "    case: site\n    at: D2", "    case: brothel\n    at: D2")
    edit(day2(mini), "objectives: [identify]", "objectives: [identify, protect]")
    case, objective = problems(mini)
    assert (case.field, case.line) == ("injects[0].case", line_of(day2(mini), "case: brothel"))
    assert case.message == "unknown case 'brothel' (known: site)"
    assert objective.field == "injects[0].objectives[1]"
    assert objective.line == line_of(day2(mini), "objectives: [identify, protect]")
    assert objective.message == "unknown objective 'protect' (known: identify)"


def test_trigger_after_an_unknown_inject(mini: Path) -> None:
    edit(day1(mini), "after: S-01,", "after: S-1,")
    problem = only_problem(mini)
    assert problem.field == "injects[1].trigger.after"
    assert problem.line == line_of(day1(mini), "after: S-1,")
    assert problem.message == "unknown inject 'S-1' (did you mean 'S-01'?)"


def test_trigger_cycle_reports_the_path(mini: Path) -> None:
    # S-01 waits for S-04, S-04 for S-02, and S-02 already waits for S-01.
    edit(day1(mini), "    at: D1 09:30\n", "    trigger: {after: S-04}\n")
    edit(day2(mini), "trigger: manual", "trigger: {after: S-02}")
    edit(day2(mini), "to: all\n    title: {en: A victim", "to: [police]\n    title: {en: A victim")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == (
        "mini/injects/01-day1.yaml",
        "injects[0].trigger.after",
    )
    assert problem.line == line_of(day1(mini), "trigger: {after: S-04}")
    assert problem.message == "trigger cycle: S-01 -> S-04 -> S-02 -> S-01"


def test_trigger_cycle_reached_from_an_earlier_inject(mini: Path) -> None:
    # S-01 waits for S-03, which waits for S-04, which waits for S-03: S-01 is not in the loop.
    edit(day1(mini), "    at: D1 09:30\n", "    trigger: {after: S-03}\n")
    edit(day2(mini), "    at: D2 10:15\n", "    trigger: {after: S-04}\n")
    edit(day2(mini), "trigger: manual", "trigger: {after: S-03}")
    [problem] = [p for p in problems(mini) if "cycle" in p.message]
    assert (problem.file, problem.field) == (
        "mini/injects/02-day2.yaml",
        "injects[0].trigger.after",
    )
    assert problem.message == "trigger cycle: S-03 -> S-04 -> S-03"


def test_trigger_after_itself(mini: Path) -> None:
    edit(day2(mini), "trigger: manual", "trigger: {after: S-04}")
    assert only_problem(mini).message == "trigger cycle: S-04 -> S-04"


def test_trigger_after_an_inject_that_misses_a_recipient(mini: Path) -> None:
    # S-02 goes to police after S-01 (police): fine. Sent to all, labour never gets S-01.
    edit(
        day1(mini),
        "    to: [police]\n    title: {en: Passport",
        "    to: all\n    title: {en: Passport",
    )
    problem = only_problem(mini)
    assert problem.field == "injects[1].trigger.after"
    assert problem.message == "'S-01' does not go to labour: this inject can never fire for it"


def test_a_reply_trigger_is_checked_as_the_other_after_triggers(mini: Path) -> None:
    edit(day1(mini), "after: S-01, state: acknowledged", "after: S-01, state: replied")
    load_scenario(mini)  # fine as it is: S-01 goes to police, as S-02 does
    edit(
        day1(mini),
        "    to: [police]\n    title: {en: Passport",
        "    to: all\n    title: {en: Passport",
    )
    problem = only_problem(mini)
    assert (problem.file, problem.field) == (
        "mini/injects/01-day1.yaml",
        "injects[1].trigger.after",
    )
    assert problem.message == "'S-01' does not go to labour: this inject can never fire for it"
    edit(day1(mini), "after: S-01, state: replied", "after: S-1, state: replied")
    assert only_problem(mini).message == "unknown inject 'S-1' (did you mean 'S-01'?)"


def test_a_reply_trigger_can_be_part_of_a_cycle(mini: Path) -> None:
    edit(day2(mini), "trigger: manual", "trigger: {after: S-04, state: replied}")
    problem = only_problem(mini)
    assert (problem.field, problem.message) == (
        "injects[1].trigger.after",
        "trigger cycle: S-04 -> S-04",
    )


def test_neither_at_nor_trigger(mini: Path) -> None:
    edit(day2(mini), "    at: D2 10:15\n", "")
    problem = only_problem(mini)
    assert (problem.field, problem.line) == ("injects[0]", line_of(day2(mini), "id: S-03"))
    assert "needs either 'at'" in problem.message


def test_both_at_and_trigger(mini: Path) -> None:
    edit(day2(mini), "    trigger: manual\n", "    trigger: manual\n    at: D1 12:00\n")
    problem = only_problem(mini)
    assert (problem.field, problem.line) == ("injects[1].trigger", line_of(day2(mini), "trigger:"))
    assert problem.message == "has both 'at' and 'trigger': keep one"


def test_missing_attachment(mini: Path) -> None:
    (mini / "attachments" / "passport-scan.txt").unlink()
    problem = only_problem(mini)
    assert problem.field == "injects[1].attachments[0]"
    assert problem.line == line_of(day1(mini), "attachments:")
    assert problem.message == "file not found: attachments/passport-scan.txt"


@pytest.mark.parametrize(
    "path", ["../scenario.yaml", "/etc/passwd", "a/../../injects/01-day1.yaml"]
)
def test_attachment_outside_the_attachments_folder(mini: Path, path: str) -> None:
    edit(day1(mini), "attachments: [passport-scan.txt]", f"attachments: ['{path}']")
    problem = only_problem(mini)
    assert problem.field == "injects[1].attachments[0]"
    assert "outside the scenario's attachments/ folder" in problem.message


VARIANTS = """attachments:
      - title: {en: Witness statement, ru: Показания свидетеля}
        files: {en: statement.en.md, ru: statement.ru.md}
      - title: {en: Site plan, ru: План}
        files:
          en: site-plan.en.md
          ru: site-plan.ru.md
      - photo.jpg"""


def test_attachment_variants_name_the_missing_file_and_its_language(mini: Path) -> None:
    edit(day1(mini), "attachments: [passport-scan.txt]", VARIANTS)
    (mini / "attachments" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    found = problems(mini)
    assert [(p.field, p.line, p.message) for p in found] == [
        (
            "injects[1].attachments[1].files.ru",
            line_of(day1(mini), "ru: site-plan.ru.md"),
            "file not found: attachments/site-plan.ru.md",
        )
    ]


def test_attachment_without_a_file_or_in_an_undeclared_language(mini: Path) -> None:
    edit(
        day1(mini),
        "attachments: [passport-scan.txt]",
        "attachments:\n      - title: {en: A, ru: Б}\n      - files: {de: statement.en.md}",
    )
    found = [(p.field, p.message) for p in problems(mini)]
    assert ("injects[1].attachments[0]", "an attachment needs a file, or files per language") in [
        (field, message.removeprefix("Value error, ")) for field, message in found
    ]


def test_undeclared_attachment_language_and_a_key_listed_twice(mini: Path) -> None:
    edit(
        day1(mini),
        "attachments: [passport-scan.txt]",
        "attachments:\n      - files: {de: statement.en.md}\n"
        "      - {id: statement, file: passport-scan.txt}",
    )
    found = [(p.field, p.message) for p in problems(mini)]
    assert found == [
        (
            "injects[1].attachments[0].files.de",
            "language 'de' is not declared in scenario.yaml (en, ru)",
        ),
        ("injects[1].attachments[1]", "attachment 'statement' is listed twice (first at [0])"),
    ]


def test_the_old_list_of_file_names_still_loads() -> None:
    """Journals written before attachments had languages embed a list of names."""
    old = {
        "id": "X",
        "trigger": "manual",
        "channel": "email",
        "from": {"en": "a"},
        "to": ["police"],
        "title": {"en": "t"},
        "body": {"en": "b"},
        "attachments": ["bus-manifest.en.md", "bus-manifest.ru.md"],
    }
    inject = Inject.model_validate(old)
    assert [(a.key, a.file, a.files) for a in inject.attachments] == [
        ("bus-manifest.en.md", "bus-manifest.en.md", {}),
        ("bus-manifest.ru.md", "bus-manifest.ru.md", {}),
    ]
    again = Inject.model_validate(inject.model_dump(by_alias=True))
    assert again == inject


def test_missing_russian_text(mini: Path) -> None:
    edit(day2(mini), "      ru: Нам не платят три месяца. Работодатель держит наши паспорта.\n", "")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == ("mini/injects/02-day2.yaml", "injects[0].body")
    assert problem.line == line_of(day2(mini), "body:")
    assert problem.message == "missing text in ru"


def test_missing_russian_text_in_scenario_yaml(mini: Path) -> None:
    edit(
        mini / "scenario.yaml",
        "country: {en: Norland, ru: Норланд}\n    agencies: [labour",
        "country: {en: Norland}\n    agencies: [labour",
    )
    problem = only_problem(mini)
    assert (problem.file, problem.field) == ("mini/scenario.yaml", "teams[1].country")
    assert problem.line == line_of(mini / "scenario.yaml", "country: {en: Norland}")


def test_undeclared_language(mini: Path) -> None:
    edit(
        day2(mini),
        "emotion: {en: Tired and afraid, ru: Устал и боится}",
        "emotion: {en: Tired, ru: Устал, kk: Шаршаған}",
    )
    problem = only_problem(mini)
    assert problem.field == "injects[0].cues[0].emotion.kk"
    assert problem.line == line_of(day2(mini), "kk: Шаршаған")
    assert problem.message == "language 'kk' is not declared in scenario.yaml (languages: en, ru)"


def test_blank_text(mini: Path) -> None:
    edit(
        day2(mini),
        "title: {en: A complaint letter, ru: Письмо с жалобой}",
        "title: {en: A complaint letter, ru: '  '}",
    )
    problem = only_problem(mini)
    assert (problem.field, problem.message) == ("injects[0].title.ru", "empty text")


def test_a_broken_inject_is_still_a_known_trigger_target(mini: Path) -> None:
    # S-01 fails the schema; S-02 waits for it: only the schema error is reported.
    edit(day1(mini), "channel: phone-call", "channel: telegram")
    [problem] = problems(mini)
    assert problem.field == "injects[0].channel"


def test_several_problems_are_all_reported_in_file_order(mini: Path) -> None:
    edit(mini / "scenario.yaml", "start: D1 09:00", "start: D9 09:00")
    edit(day1(mini), "role: caller", "role: neighbour")
    edit(day1(mini), "attachments: [passport-scan.txt]", "attachments: [missing.pdf]")
    edit(day2(mini), "at: D2 10:15", "at: D5 10:15")
    edit(day2(mini), "to: all\n    title: {en: A victim", "to: [press]\n    title: {en: A victim")
    found = [(problem.file, problem.field) for problem in problems(mini)]
    assert found == [
        ("mini/scenario.yaml", "start"),
        ("mini/injects/01-day1.yaml", "injects[0].cues[0].role"),
        ("mini/injects/01-day1.yaml", "injects[1].attachments[0]"),
        ("mini/injects/02-day2.yaml", "injects[0].at"),
        ("mini/injects/02-day2.yaml", "injects[1].to[0]"),
    ]


def test_problem_text() -> None:
    problem = Problem("mini/scenario.yaml", 9, "start", "out of range")
    assert str(problem) == "mini/scenario.yaml:9: start: out of range"
    assert str(Problem("mini/scenario.yaml", 1, "", "file not found")) == (
        "mini/scenario.yaml:1: file not found"
    )


def test_format_loc() -> None:
    assert format_loc(("injects", 3, "cues", 0, "role")) == "injects[3].cues[0].role"
    assert format_loc(()) == ""


def test_union_alternatives_become_one_problem() -> None:
    text = "injects:\n  - id: A\n    trigger: manul\n    to: al\n"
    source = parse_source(text, Path("x.yaml"), "x.yaml")
    item = {**source.data["injects"][0], "channel": "email", "from": {"en": "a"}}
    item |= {"title": {"en": "t"}, "body": {"en": "b"}}
    with pytest.raises(ValidationError) as caught:
        Inject.model_validate(item)
    found = {
        (p.line, p.field): p.message
        for p in validation_problems(source, caught.value, ("injects", 0))
    }
    assert found == {
        (3, "injects[0].trigger"): "expected 'manual' or a mapping (key: value), got 'manul'",
        (4, "injects[0].to"): "expected 'all' or a list, got 'al'",
    }


def test_union_error_deeper_in_one_alternative_wins() -> None:
    text = "trigger: {after: A, stat: delivered}\n"
    source = parse_source(text, Path("x.yaml"), "x.yaml")
    item = {**source.data, "id": "B", "channel": "email", "from": {"en": "a"}, "to": "all"}
    item |= {"title": {"en": "t"}, "body": {"en": "b"}}
    with pytest.raises(ValidationError) as caught:
        Inject.model_validate(item)
    [problem] = validation_problems(source, caught.value)
    assert (problem.field, problem.message) == (
        "trigger.stat",
        "unknown key 'stat' (did you mean 'state'?)",
    )


def test_a_prepared_answers_attachment_and_a_bad_delay_are_found_in_scenario_yaml(
    mini: Path,
) -> None:
    scenario = mini / "scenario.yaml"
    edit(
        scenario,
        "      - id: in-an-hour\n",
        "      - id: in-an-hour\n        attachments: [interpreter-roster.pdf]\n",
    )
    problem = only_problem(mini)
    assert (problem.file, problem.field) == (
        "mini/scenario.yaml",
        "requests[0].answers[0].attachments[0]",
    )
    assert problem.line == line_of(scenario, "attachments: [interpreter-roster.pdf]")
    assert problem.message == "file not found: attachments/interpreter-roster.pdf"
    edit(scenario, "        attachments: [interpreter-roster.pdf]\n", "")
    edit(
        scenario,
        "    answers:\n      - id: in-an-hour",
        "    delay: -5m\n    answers:\n      - id: in-an-hour",
    )
    problem = only_problem(mini)
    assert (problem.field, problem.line) == ("requests[0].delay", line_of(scenario, "delay: -5m"))
    assert "must not be negative" in problem.message


def test_triggers_on_what_players_do_name_known_types_answers_cues_and_tasks(
    mini: Path,
) -> None:
    edit(
        day2(mini),
        "    trigger: manual\n",
        "    trigger: {request: interpretr, confirm: true}\n",
    )
    problem = only_problem(mini)
    assert (problem.file, problem.field) == (
        "mini/injects/02-day2.yaml",
        "injects[1].trigger.request",
    )
    assert problem.line == line_of(day2(mini), "request: interpretr")
    assert problem.message == "unknown request type 'interpretr' (did you mean 'interpreter'?)"
    edit(
        day2(mini), "{request: interpretr, confirm: true}", "{request: interpreter, answer: never}"
    )
    assert only_problem(mini).field == "injects[1].trigger.answer"
    assert "unknown answer of 'interpreter' 'never'" in only_problem(mini).message
    edit(day2(mini), "{request: interpreter, answer: never}", "{cue: worker-at-sight}")
    problem = only_problem(mini)
    assert problem.field == "injects[1].trigger.cue"
    assert problem.message == "unknown cue 'worker-at-sight' (did you mean 'worker-at-site'?)"
    edit(day2(mini), "{cue: worker-at-sight}", "{task: intervew, ratings: [M, U]}")
    problem = only_problem(mini)
    assert (problem.field, problem.line) == (
        "injects[1].trigger.task",
        line_of(day2(mini), "task: intervew"),
    )
    assert problem.message == "unknown task 'intervew' (did you mean 'interview'?)"
    edit(day2(mini), "{task: intervew, ratings: [M, U]}", "{task: interview, ratings: [M, X]}")
    assert only_problem(mini).field == "injects[1].trigger.ratings[1]"


def test_a_cue_trigger_that_waits_for_itself_is_a_cycle(mini: Path) -> None:
    # S-04 waits for the cue of S-03, and S-03 waits for S-04
    edit(day2(mini), "    trigger: manual\n", "    trigger: {cue: worker-at-site}\n")
    edit(day2(mini), "    at: D2 10:15\n", "    trigger: {after: S-04}\n")
    problem = only_problem(mini)
    assert problem.message == "trigger cycle: S-03 -> S-04 -> S-03"
    assert (problem.field, problem.line) == (
        "injects[0].trigger.after",
        line_of(day2(mini), "trigger: {after: S-04}"),
    )


def test_a_reveal_trigger_names_a_known_reveal_of_its_cue(mini: Path) -> None:
    edit(day2(mini), "    trigger: manual\n", "    trigger: {cue: S-01.1, reveal: '2'}\n")
    problem = only_problem(mini)
    assert (problem.file, problem.field) == (
        "mini/injects/02-day2.yaml",
        "injects[1].trigger.reveal",
    )
    assert problem.line == line_of(day2(mini), "reveal: '2'")
    assert problem.message == "unknown reveal of cue 'S-01.1' '2' (known: 1)"
    edit(day2(mini), "reveal: '2'", "reveal: '1'")
    load_scenario(mini)  # valid: the first reveal is "1" by its position


def test_two_reveals_of_a_cue_with_one_id(mini: Path) -> None:
    edit(
        day1(mini),
        "          - what: {en: The foreman's",
        "          - id: '2'\n            what: {en: The foreman's",
    )
    edit(
        day1(mini),
        "            condition: {en: If asked gently, ru: Если спросить мягко}\n",
        "            condition: {en: If asked gently, ru: Если спросить мягко}\n"
        "          - what: {en: The address, ru: Адрес}\n"
        "            condition: {en: If asked, ru: Если спросить}\n",
    )
    problem = only_problem(mini)
    assert (problem.file, problem.field) == (
        "mini/injects/01-day1.yaml",
        "injects[0].cues[0].reveals[1]",
    )
    assert "duplicate reveal id '2'" in problem.message
