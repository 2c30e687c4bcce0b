"""A foreign MSEL (other headers, other method names, ';'-separated recipients with spaces
in their names) into a new scenario, from every encoding Excel writes and from XLSX, on the
command line as a real process. Also: reading (msel_read), mapping (msel_map), the
neutralised export (msel_write) and the difference against a scenario (msel_scenario)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from controlroom.cli import main
from controlroom.scenario import ScenarioInvalid, load_scenario
from controlroom.scenario.msel import import_sheet
from controlroom.scenario.msel_map import MselError, parse_mapping_yaml, split_values
from controlroom.scenario.msel_read import SheetError, read_sheet
from controlroom.scenario.msel_scenario import (
    new_scenario_files,
    replace_scenario_injects,
    replaced_injects,
    sheet_changes,
    write_new_scenario,
)
from controlroom.scenario.msel_write import export_msel, export_xlsx, neutralise
from tests.support.scenario_folders import MINI, copy_mini

CONTROLROOM = Path(sys.executable).parent / "controlroom"

FOREIGN_ROWS = [
    [
        "Serial",
        "Day/Time",
        "Mode",
        "Originator",
        "Addressees",
        "Inject text",
        "Expected response",
        "Exercise objective",
        "Owner",
        "Remarks",
        "Status",
    ],
    [
        "1",
        "D1 09:30",
        "Tel.",
        "Anonymous caller",
        "Police Valdoria; Labour Inspectorate Karskia",
        "A call about a building site\n\nWorkers sleep in containers.",
        "- Record the call\n- Inform the labour inspectorate",
        "Identify victims early and correctly; Protect child victims",
        "Amira",
        '=HYPERLINK("http://x")',
        "ready",
    ],
    [
        "2",
        "D1 11:00",
        "Courier",
        "Полиция Валдории",
        "Полиция Валдории\nBorder Guard",
        "Письмо с вокзала\n\nКонверт без обратного адреса.",
        "",
        "Protect child victims",
        "Pavel",
        "",
        "draft",
    ],
    [
        "3",
        "D2 10:00",
        "Press",
        "Daily Herald",
        "All teams",
        "A newspaper story",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "4",
        "manual",
        "Walk in",
        "A woman",
        "Labour Inspectorate Karskia",
        "She asks for help",
        "",
        "",
        "",
        "",
        "",
    ],
]

MAPPING = """\
columns:
  Serial: number
  Day/Time: scenario time
  Mode: delivery method
  Originator: from
  Addressees: to
  Inject text: description
  Expected response: expected player action
  Exercise objective: objective
  Owner: responsible controller
  Remarks: controller notes
values:
  delivery method:
    Tel.: phone-call
    courier: letter
    PRESS: news
  to:
    All teams: all
"""


def csv_text(rows: list[list[str]], delimiter: str = ";") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHEETS = {
    "utf-8": csv_text(FOREIGN_ROWS).encode("utf-8"),
    "utf-8-bom": csv_text(FOREIGN_ROWS).encode("utf-8-sig"),
    "cp1251": csv_text(FOREIGN_ROWS).encode("cp1251"),
    "utf-16": csv_text(FOREIGN_ROWS, "\t").encode("utf-16"),  # Excel's "Unicode text"
    "utf-16-le-no-bom": csv_text(FOREIGN_ROWS).encode("utf-16-le"),
    "xlsx": xlsx_bytes(FOREIGN_ROWS),
}


@pytest.mark.parametrize("kind", sorted(SHEETS))
def test_a_foreign_msel_becomes_a_new_scenario_that_validates(kind: str, tmp_path: Path) -> None:
    # the name lies on purpose: the content decides what the file is
    sheet = tmp_path / "msel.txt"
    sheet.write_bytes(SHEETS[kind])
    mapping = tmp_path / "MAPPING.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    folder = tmp_path / "scenarios" / "foreign"
    args = ["msel", "import", str(sheet), "--mapping", str(mapping), "--new-scenario", str(folder)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    scenario = load_scenario(folder)
    assert [(team.id, team.name["en"]) for team in scenario.teams] == [
        ("police-valdoria", "Police Valdoria"),
        ("labour-inspectorate-karskia", "Labour Inspectorate Karskia"),
        ("politsiya-valdorii", "Полиция Валдории"),
        ("border-guard", "Border Guard"),
    ]
    assert [(o.id, o.title["en"]) for o in scenario.objectives] == [
        ("identify-victims-early-and-correctly", "Identify victims early and correctly"),
        ("protect-child-victims", "Protect child victims"),
    ]
    one, two, three, four = scenario.injects
    assert (one.channel, two.channel, three.channel, four.channel) == (
        "phone-call",
        "letter",
        "news",
        "walk-in",
    )
    assert one.to == ["police-valdoria", "labour-inspectorate-karskia"]
    assert two.to == ["politsiya-valdorii", "border-guard"] and three.to == "all"
    assert two.body["en"] == "Конверт без обратного адреса."
    if kind == "xlsx":  # a workbook's formula is read as its value (none here), never run
        assert one.notes is None
    else:  # a CSV's cell is text, kept as the sheet has it
        assert one.notes == {"en": '=HYPERLINK("http://x")'}
    assert [a["en"] for a in one.expected_actions] == [
        "Record the call",
        "Inform the labour inspectorate",
    ]
    assert (scenario.days, scenario.start) == (2, "D1 09:00")


def test_the_command_line_as_a_real_process(tmp_path: Path) -> None:
    sheet, mapping = tmp_path / "msel.csv", tmp_path / "MAPPING.yaml"
    sheet.write_bytes(SHEETS["cp1251"])
    mapping.write_text(MAPPING, encoding="utf-8")
    folder = tmp_path / "foreign"
    command: list[str | Path] = [CONTROLROOM, "msel", "import", sheet, "--mapping", mapping]
    made = subprocess.run(
        [*command, "--new-scenario", folder], capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "foreign: 4 teams, 0 roles, 0 cases, 4 injects" in made.stdout
    valid = subprocess.run(
        [CONTROLROOM, "validate", folder], capture_output=True, text=True, check=False
    )
    assert valid.returncode == 0, valid.stdout
    again = subprocess.run(
        [*command, "--new-scenario", folder], capture_output=True, text=True, check=False
    )
    assert again.returncode == 2 and "already exists" in again.stderr


def test_without_the_value_mapping_every_bad_cell_is_reported(tmp_path: Path) -> None:
    only_columns = MAPPING.split("values:")[0]
    result = import_sheet(
        SHEETS["cp1251"], "en", name="msel.csv", mapping=parse_mapping_yaml(only_columns)
    )
    assert [(p.line, p.field, p.message) for p in result.problems] == [
        (2, "Mode", "unknown delivery method 'Tel.'"),
        (6, "Mode", "unknown delivery method 'Courier'"),
        (10, "Mode", "unknown delivery method 'Press'"),
    ]
    assert "all-teams" not in result.teams  # "All teams" means every team, mapped or not


def test_bad_files_are_a_problem_never_a_traceback() -> None:
    for data, expected in [
        (b"", "the file is empty"),
        (b"PK\x03\x04not really a zip", "not a readable Excel workbook"),
        (b"\x00\x01\x02\x03\xff\xfe\xfd" * 10, "neither a CSV nor an XLSX file"),
        (b"x" * 2_000, "larger than"),
    ]:
        result = import_sheet(data, "en", name="upload", max_bytes=1_000)
        [problem] = result.problems
        assert expected in problem.message, (data[:10], problem.message)
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(SheetError, match="not an Excel workbook"):
        read_sheet(zipped.getvalue(), "upload")


def test_bad_mapping_files() -> None:
    with pytest.raises(MselError, match=r"mapping\.yaml: expected only"):
        parse_mapping_yaml("cols: {}\n")
    with pytest.raises(MselError, match="'when' is not one of"):
        parse_mapping_yaml("columns: {Time: when}\n")
    with pytest.raises(MselError, match=r"mapping.yaml:3: not valid YAML"):
        parse_mapping_yaml("columns:\n  a: [\n")


def test_split_values_keeps_names_with_spaces() -> None:
    assert split_values("All teams") == ["All teams"]
    assert split_values("Identify victims early and correctly") == [
        "Identify victims early and correctly"
    ]
    assert split_values("Police Valdoria; Labour Inspectorate\nBorder Guard") == [
        "Police Valdoria",
        "Labour Inspectorate",
        "Border Guard",
    ]
    assert split_values("police, labour") == ["police", "labour"]  # older sheets


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_cells_are_neutralised_in_csv_and_xlsx(start: str, tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    day1 = folder / "injects" / "01-day1.yaml"
    text = day1.read_text("utf-8")
    day1.write_text(text.replace("from: {en: Police records,", f"from: {{en: '{start}cmd|x',"))
    scenario = load_scenario(folder)
    exported = export_msel(scenario, "en")
    assert f"'{start}cmd|x" in exported
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(scenario, "en")))
    assert book.sheetnames == ["Injects", "Cues", "Cases", "Schedule"]
    cells = [c for row in book["Injects"].iter_rows() for c in row if c.value]
    hit = [c for c in cells if "cmd|x" in str(c.value)]
    assert hit and all(c.data_type == "s" and str(c.value) == f"'{start}cmd|x" for c in hit)
    assert neutralise("plain") == "plain"
    # and back in: the apostrophe comes off
    again = import_sheet(exported.encode(), "en", name="back.csv")
    assert again.problems == []
    assert {i["from"]["en"] for i in again.injects} >= {f"{start}cmd|x"}


def test_xlsx_export_has_injects_cues_and_cases() -> None:
    scenario = load_scenario(MINI)
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(scenario, "ru")))
    injects = list(book["Injects"].values)
    assert injects[0][0] == "Number" and len(injects) == 1 + len(scenario.injects)
    cues = list(book["Cues"].values)
    assert len(cues) == 1 + sum(len(i.cues) for i in scenario.injects)
    assert list(book["Cases"].values)[1][0] == scenario.cases[0].id
    back = import_sheet(export_xlsx(scenario, "ru"), "ru", name="mini.xlsx")
    assert back.problems == [] and len(back.injects) == len(scenario.injects)


def test_the_difference_against_a_scenario_then_the_replacement(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    scenario = load_scenario(folder)
    rows = list(csv.reader(io.StringIO(export_msel(scenario, "en"))))
    rows[1][3] = "Someone else"  # S-01's sender
    removed = rows.pop(2)[0]
    rows.append(["NEW-1", "manual", "E-mail", "HQ", "police", "New\n\nText", "", "", "", "", ""])
    result = import_sheet(csv_text(rows).encode(), "en", name="edited.csv", mapping=None)
    assert result.problems == []
    changes = sheet_changes(scenario, result, "en")
    assert [(c.inject, c.kind, c.fields) for c in changes.changes] == [
        (rows[1][0], "changed", ("from",)),
        ("NEW-1", "added", ()),
        (removed, "removed", ()),
    ]
    merged = replaced_injects(scenario, result, "en")
    before = sorted(p.name for p in (folder / "injects").iterdir())
    with pytest.raises(ScenarioInvalid, match="missing text in ru"):  # NEW-1 has no Russian
        replace_scenario_injects(folder, merged)
    assert sorted(p.name for p in (folder / "injects").iterdir()) == before  # untouched
    merged = [item for item in merged if item["id"] != "NEW-1"]
    replaced = replace_scenario_injects(folder, merged)
    first = replaced.injects_by_id[rows[1][0]]
    assert first.sender["en"] == "Someone else"
    assert first.sender["ru"] == scenario.injects_by_id[rows[1][0]].sender["ru"]  # kept
    assert first.cues == scenario.injects_by_id[rows[1][0]].cues
    assert removed not in replaced.injects_by_id
    assert list((folder / "injects" / ".replaced").rglob("*.yaml"))  # the old files, kept


def test_a_new_scenario_is_never_written_invalid(tmp_path: Path) -> None:
    result = import_sheet(SHEETS["utf-8"], "en", mapping=parse_mapping_yaml(MAPPING))
    files = new_scenario_files(result, "en", "Foreign")
    files["injects/01-msel.yaml"] += "  - id: broken\n"
    with pytest.raises(Exception, match="problem"):
        write_new_scenario(tmp_path / "broken", files)
    assert not (tmp_path / "broken").exists()
    assert [p.name for p in tmp_path.iterdir()] == []
