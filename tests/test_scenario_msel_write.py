"""The MSEL out: the XLSX's Schedule sheet (each team's own schedule) and the cues' sets."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from controlroom.scenario import load_scenario
from controlroom.scenario.msel_write import cue_rows, export_xlsx, schedule_rows

SAMPLE = Path(__file__).resolve().parents[1] / "injects" / "trafficking-week"


def test_the_schedule_sheet_is_each_teams_injects_and_scenes_in_time_order() -> None:
    scenario = load_scenario(SAMPLE)
    rows = schedule_rows(scenario, "en")
    assert rows[0] == ["Team", "Time", "Inject", "Title", "Cue", "Role", "Set"]
    valdoria = [row for row in rows[1:] if row[0] == "Team Valdoria"]
    assert valdoria[0][1:3] == ["D1 08:45", "BB-01"]
    assert valdoria[0][4:] == ["BB-01.1", "bus-driver", "Stone Gate crossing point"]
    assert [row[1] for row in valdoria[3:6]] == [
        "D1 09:00",
        "D1 09:10 (after BB-01 acknowledged +10m)",  # triggered: the earliest it comes
        "D1 09:10",  # its cue
    ]
    manual = [row for row in valdoria if row[2] == "BB-05"]
    assert manual[0][1] == "manual" and valdoria.index(manual[0]) > len(valdoria) - 10
    # every team has its own block, in the scenario's order, X-02 in each
    teams = list(dict.fromkeys(row[0] for row in rows[1:]))
    assert teams == [team.name["en"] for team in scenario.teams]
    assert sum(1 for row in rows if row[4] == "X-02.1") == 6
    times = [row[1] for row in valdoria if row[1][:1] == "D"]
    assert times == sorted(times, key=lambda t: (t[:2], t[3:8]))


def test_the_cues_sheet_names_each_cues_set_in_the_language() -> None:
    scenario = load_scenario(SAMPLE)
    header, first = cue_rows(scenario, "ru")[:2]
    assert header[:4] == ["Inject", "Cue", "Role", "Set"]
    assert first[:4] == ["BB-01", "BB-01.1", "bus-driver", "Пункт пропуска «Каменные Ворота»"]


def test_the_workbook_has_the_schedule_sheet() -> None:
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(load_scenario(SAMPLE), "ru")))
    assert book.sheetnames == ["Injects", "Cues", "Cases", "Schedule"]
    sheet = book["Schedule"]
    assert sheet.cell(2, 1).value == "Команда Валдории"
