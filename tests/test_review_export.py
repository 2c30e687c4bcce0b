"""The after-action export: ``controlroom export`` and the console's download hold the
journal, the scenario as run, the MSEL with actual times, observations and the debrief packs;
no spreadsheet cell is a live formula; team-facing packs hold no secret."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import openpyxl
import orjson

from controlroom.exercise import commands
from controlroom.review.export import export_zip
from controlroom.web.console.debrief_sheets import pack_sheets
from tests.support.server import ROOT, LiveServerFactory, marked_scenario
from tests.test_review_debrief import SECRETS, drive, xlsx_text
from tests.test_review_log import T0, Recorder

FORMULA = ("=", "+", "-", "@")


def formulas(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        str(c.value)
        for sheet in book
        for row in sheet.iter_rows()
        for c in row
        if (isinstance(c.value, str) and c.value.startswith(FORMULA)) or c.data_type == "f"
    ]


def check_archive(content: bytes, journal_length: int) -> None:
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = set(archive.namelist())
    expected = {"journal.jsonl", "scenario.json", "msel-actual.csv", "msel-actual.xlsx"}
    expected |= {"observations.csv", "debrief/D1-all.csv", "debrief/D1-all.xlsx"}
    expected |= {"schedule-actual.csv", "schedule-actual.xlsx"}
    expected |= {f"debrief/D1-t{n}-team.{kind}" for n in (1, 2, 3) for kind in ("csv", "xlsx")}
    assert expected <= names, expected - names
    lines = archive.read("journal.jsonl").splitlines()
    assert len(lines) == journal_length
    assert [orjson.loads(line)["seq"] for line in lines] == list(range(1, journal_length + 1))
    scenario = orjson.loads(archive.read("scenario.json"))
    titles = {i["id"]: i["title"]["en"] for i in scenario["injects"]}
    assert titles["I-t1-1"] == "=HYPERLINK(1)"  # as run: the edit applied
    msel = archive.read("msel-actual.csv").decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in msel and "D1 09:00" in msel
    assert "I-t1-0" in msel and "I-t2-0" in msel
    schedule = archive.read("schedule-actual.csv").decode("utf-8-sig").splitlines()
    assert schedule[0].startswith("Team,Inject,Cue,Role,Venue set,Planned,Actual")
    assert any(",I-t1-0,I-t1-0.1,r0," in line for line in schedule)  # a scene of team t1
    assert xlsx_text(archive.read("schedule-actual.xlsx")).count("I-t1-0") >= 2
    observations = archive.read("observations.csv").decode("utf-8-sig")
    assert "T1-OBSERVED" in observations and "T2-OBSERVED" in observations
    for name in names:
        if name.endswith(".xlsx"):
            assert formulas(archive.read(name)) == [], name
        if name.endswith(".csv"):
            for line in archive.read(name).decode("utf-8-sig").splitlines():
                for cell in line.split(","):
                    assert not cell.strip('"').startswith(FORMULA), (name, line)
    full = archive.read("debrief/D1-all.csv").decode("utf-8-sig")
    assert "An interpreter is on the way." in full  # control's answer to R001 (requests)
    team_pack = archive.read("debrief/D1-t1-team.csv").decode("utf-8-sig")
    team_pack += xlsx_text(archive.read("debrief/D1-t1-team.xlsx"))
    assert "I-t1-0" in team_pack and "T1-OBSERVED" in team_pack
    for secret in (*SECRETS, "I-t2-0", "T2-OBSERVED"):
        assert secret not in team_pack, secret


async def test_the_export_on_the_console_and_the_command_line(
    live_server: LiveServerFactory, tmp_path: Path
) -> None:
    server = live_server()
    exercise = server.create_exercise(marked_scenario(teams=3, roles=2, injects_per_team=3))
    drive(server, exercise)
    _epoch, events = server.journal(exercise)
    session = server.session({"kind": "user", "role": "observer", "name": "olga"})
    async with httpx.AsyncClient(
        base_url=server.url, cookies={"cr_session": session}, timeout=60
    ) as client:
        download = await client.get(f"/exercises/{exercise}/export.zip")
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as stranger:
        anonymous = await stranger.get(f"/exercises/{exercise}/export.zip")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert anonymous.status_code in (302, 303, 401, 403)
    check_archive(download.content, len(events))

    output = tmp_path / "after-action.zip"
    env = {**os.environ, "CONTROLROOM_DATA_DIR": str(server.data_dir)}
    command = [sys.executable, "-m", "controlroom", "export", exercise, "-o", str(output)]
    done = await asyncio.to_thread(
        subprocess.run, command, cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    check_archive(output.read_bytes(), len(events))
    missing = [sys.executable, "-m", "controlroom", "export", "nope-1", "-o", str(output)]
    refused = await asyncio.to_thread(
        subprocess.run, missing, cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert refused.returncode == 1 and b"no exercise" in refused.stderr


def test_an_answers_markdown_is_plain_text_in_csv_and_xlsx() -> None:
    r = Recorder()
    r.play(0, commands.startex(r.state, "dina"))
    r.play(600, commands.release_due(r.state, T0 + 600))  # A to alpha
    r.play(900, commands.send_reply(r.state, "alpha", "d1", "A", "We went there", []))
    answer = "**Seen.** Ask the *driver* again."
    r.play(1200, commands.answer_reply(r.state, "carl", "A001", answer))
    scenario = r.state.scenario
    content = export_zip(r.events, lambda pack: pack_sheets(pack, scenario, "en", lambda s: s))
    archive = zipfile.ZipFile(io.BytesIO(content))
    for name in ("debrief/D1-all.csv", "debrief/D1-alpha-team.csv"):
        sheet = archive.read(name).decode("utf-8-sig")
        assert "Seen. Ask the driver again." in sheet, name
        assert "**" not in sheet and "*driver*" not in sheet, name
    book = xlsx_text(archive.read("debrief/D1-all.xlsx"))
    assert "Seen. Ask the driver again." in book and "**" not in book
