"""The MSEL spreadsheet: export, import, and the round trip between them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from controlroom.scenario import Inject, InjectFile, load_scenario, load_scenario_file
from controlroom.scenario.model import Channel
from controlroom.scenario.msel import (
    COLUMNS,
    MselError,
    channel_of,
    export_msel,
    import_msel,
    parse_mapping,
)
from tests.support.scenario_folders import MINI, copy_mini, day1, edit

SAMPLE = Path(__file__).resolve().parents[1] / "injects" / "trafficking-week"

HEADER = ",".join(column.capitalize() for column in COLUMNS)


def msel_fields(inject: Inject, lang: str) -> dict[str, Any]:
    """Everything an MSEL row carries about an inject, in one language."""
    return {
        "id": inject.id,
        "at": inject.at,
        "trigger": inject.trigger,
        "channel": inject.channel,
        "from": inject.sender[lang],
        "to": inject.to,
        "title": inject.title[lang],
        "body": inject.body[lang],
        "expected_actions": [action[lang] for action in inject.expected_actions],
        "objectives": inject.objectives,
        "controller": inject.controller,
        "notes": inject.notes[lang] if inject.notes else None,
    }


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("folder", [MINI, SAMPLE], ids=["mini", "trafficking-week"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_round_trip(lang: str, folder: Path) -> None:
    scenario = load_scenario(folder)
    result = import_msel(export_msel(scenario, lang), lang)
    assert result.problems == []
    imported = InjectFile.model_validate(yaml.safe_load(result.yaml())).injects
    expected = {inject.id: msel_fields(inject, lang) for inject in scenario.injects}
    assert {inject.id: msel_fields(inject, lang) for inject in imported} == expected


def test_export_rows() -> None:
    [s01, s03, s02, s04] = rows(export_msel(load_scenario(MINI)))
    assert list(s01) == [column.capitalize() for column in COLUMNS]
    assert s01["Number"] == "S-01"
    assert s01["Scenario time"] == "D1 09:30"
    assert s01["Delivery method"] == "Phone call"
    assert s01["To"] == "police"
    assert s01["Description"] == (
        "A call about a building site\n\nA woman says workers sleep on the site and are never paid."
    )
    assert s01["Expected player action"] == "Record the call\nInform the labour inspectors"
    assert s01["Objective"] == "identify"
    assert s01["Responsible controller"] == "Anna"
    assert s01["Controller notes"] == "Caller hangs up if asked for a name twice."
    assert (s03["Scenario time"], s03["To"]) == ("D2 10:15", "all")
    assert s02["Scenario time"] == "after S-01 acknowledged +10m"
    assert (s04["Scenario time"], s04["Objective"], s04["Responsible controller"]) == (
        "manual",
        "",
        "",
    )


@pytest.mark.parametrize(
    ("trigger", "written"),
    [
        ("state: replied, delay: 10m", "after S-01 replied +10m"),
        (
            "state: replied, confirm: true",
            'when {"after": "S-01", "state": "replied", "confirm": true}',
        ),
    ],
)
def test_a_trigger_on_the_team_s_reply_goes_out_and_back(
    tmp_path: Path, trigger: str, written: str
) -> None:
    folder = copy_mini(tmp_path)
    edit(day1(folder), "state: acknowledged, delay: 10m", trigger)
    scenario = load_scenario(folder)
    [_, _, s02, _] = rows(export_msel(scenario))
    assert s02["Scenario time"] == written
    result = import_msel(export_msel(scenario), "en")
    assert result.problems == []
    [imported] = [i for i in InjectFile.model_validate(yaml.safe_load(result.yaml())).injects
                  if i.id == "S-02"]  # fmt: skip
    assert imported.trigger == scenario.injects_by_id["S-02"].trigger


def test_export_in_russian() -> None:
    [s01, *_] = rows(export_msel(load_scenario(MINI), "ru"))
    assert s01["From"] == "Анонимный звонящий"
    assert s01["Description"].startswith("Звонок о стройке\n\n")


def test_export_in_an_undeclared_language() -> None:
    with pytest.raises(ValueError, match="no language 'kk'"):
        export_msel(load_scenario(MINI), "kk")


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("Phone call", Channel.PHONE_CALL),
        ("phone-call", Channel.PHONE_CALL),
        ("E-mail", Channel.EMAIL),
        ("EMAIL", Channel.EMAIL),
        ("Field event", Channel.FIELD_EVENT),
        ("News item", Channel.NEWS),
        ("Social media post", Channel.SOCIAL_POST),
        ("walk in", Channel.WALK_IN),
        ("Document pack", Channel.DOCUMENT_PACK),
        ("SimCell answer", Channel.SIMCELL_ANSWER),
        ("Letter", Channel.LETTER),
        ("carrier pigeon", None),
    ],
)
def test_delivery_method_spellings(text: str, channel: Channel | None) -> None:
    assert channel_of(text) == channel


SPREADSHEET = (
    "Inject No;Time;Inject type;Sender;Recipients;Description;Expected action;Capability;"
    "Controller;Notes;Status\n"
    '1;D1 09:30;Phone call;Caller;police;"Title one\n\nBody one";'
    '"- Record the call\n- Inform labour";identify;Anna;;draft\n'
    "2;after 1 delivered 5m;E-mail;Anna;police, labour;One line only;;;;Careful;\n"
)


def test_column_mapping_and_common_headers() -> None:
    mapping = parse_mapping(["Inject No=number", "Time=scenario time", "sender=from"])
    result = import_msel(SPREADSHEET, "en", mapping=mapping)
    assert result.problems == []
    assert result.ignored_columns == ["Status"]
    first, second = result.injects
    assert first == {
        "id": "1",
        "at": "D1 09:30",
        "channel": "phone-call",
        "from": {"en": "Caller"},
        "to": ["police"],
        "title": {"en": "Title one"},
        "body": {"en": "Body one"},
        "expected_actions": [{"en": "Record the call"}, {"en": "Inform labour"}],
        "objectives": ["identify"],
        "controller": "Anna",
    }
    assert second["trigger"] == {"after": "1", "state": "delivered", "delay": "5m"}
    assert second["to"] == ["police", "labour"]
    assert (second["title"], second["body"]) == ({"en": "One line only"}, {"en": "One line only"})
    assert second["notes"] == {"en": "Careful"}


def test_header_match_ignores_case_and_spaces() -> None:
    text = HEADER.upper().replace(" ", "") + "\nA-1,D1 10:00,email,x,all,t\n\nb,,,,\n"
    assert [inject["id"] for inject in import_msel(text, "en").injects] == ["A-1"]


def test_bad_mapping() -> None:
    with pytest.raises(MselError, match="bad column mapping 'Time=when'"):
        parse_mapping(["Time=when"])
    with pytest.raises(MselError):
        parse_mapping(["no equals sign"])


def test_missing_column() -> None:
    result = import_msel("Number,Scenario time,From,To,Description\n", "en")
    [problem] = result.problems
    assert (problem.line, problem.field) == (1, "")
    assert "no 'delivery method' column" in problem.message


def test_bad_rows_are_reported_with_line_and_column() -> None:
    text = (
        f"{HEADER}\n"
        'A-1,D1 09:30,Phone call,Caller,police,"Title\n\nBody\nwith three lines",,,,\n'
        "A-2,D1 9.30,Fax,Caller,police,Title,,,,\n"
        "A-3,whenever,Phone call,,police,Title,,,,\n"
        "\n"
        "A-1,manual,Letter,Caller,all,Title,,,,\n"
        "A 5,after A-1 +5m,Letter,Caller,all,Title,,,,\n"
    )
    result = import_msel(text, "en", name="sheet.csv")
    found = [(p.file, p.line, p.field, p.message.split(" (")[0]) for p in result.problems]
    assert [(file, line, column) for file, line, column, _ in found] == [
        ("sheet.csv", 6, "Scenario time"),
        ("sheet.csv", 6, "Delivery method"),
        ("sheet.csv", 7, "Scenario time"),
        ("sheet.csv", 7, "From"),
        ("sheet.csv", 9, "Number"),
        ("sheet.csv", 10, "Number"),
    ]
    assert found[1][3] == "unknown delivery method 'Fax'"
    assert found[2][3].startswith("scenario time 'whenever' is not of the form")
    assert found[3][3] == "empty text"
    assert found[4][3] == "duplicate number 'A-1'"
    assert str(result.problems[0]).startswith("sheet.csv:6: Scenario time: scenario time 'D1 9.30'")
    assert [inject["id"] for inject in result.injects] == ["A-1"]


def test_scenario_checks_teams_and_objectives() -> None:
    text = f"{HEADER}\nA-1,D1 09:30,Phone call,Caller,police; border,Title,,identify; protect,,\n"
    result = import_msel(text, "ru", scenario=load_scenario_file(MINI))
    assert [(p.line, p.field, p.message) for p in result.problems] == [
        (2, "To", "unknown team 'border' (teams: police, labour)"),
        (2, "Objective", "unknown objective 'protect' (objectives: identify)"),
    ]


def test_scenario_language_must_be_declared() -> None:
    with pytest.raises(MselError, match="no language 'kk'"):
        import_msel(HEADER + "\n", "kk", scenario=load_scenario_file(MINI))


def test_yaml_output_keeps_unicode_and_key_order() -> None:
    text = f'{HEADER}\nR-1,D1 09:30,Phone call,Звонящий,all,"Звонок\n\nТекст\nвторая строка",,,,\n'
    output = import_msel(text, "ru").yaml()
    assert "Звонящий" in output
    assert output.index("id:") < output.index("at:") < output.index("channel:")
    assert "|-" in output  # multi-line text as a block
    [inject] = InjectFile.model_validate(yaml.safe_load(output)).injects
    assert inject.body == {"ru": "Текст\nвторая строка"}
