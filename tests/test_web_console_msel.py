"""The MSEL in the console: upload (sniffed, size-limited), map, preview, create or replace;
director only, CSRF-checked; the XLSX export."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from controlroom.scenario import load_scenario
from tests.support.console import Control
from tests.support.scenario_folders import copy_mini
from tests.test_scenario_msel_foreign import SHEETS


@pytest.fixture
def console_settings(tmp_path: Path) -> dict[str, Any]:
    copy_mini(tmp_path / "scenarios")
    return {"injects_dir": tmp_path / "scenarios", "max_upload_bytes": 200_000}


def fields(html: str) -> dict[str, str]:
    """The mapping form's fields as the page fills them (inputs, selected options)."""
    form = html[html.index('class="stack msel-map"') :]
    form = form[: form.index("</form>")]
    found: dict[str, str] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        found[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        found[name] = chosen[1] if chosen else ""
    for name in re.findall(
        r'<input type="radio" name="([^"]+)" value="(?:new|replace)" checked', form
    ):
        found[name] = "new" if 'value="new" checked' in form else "replace"
    return {
        k: v.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
        for k, v in found.items()
    }


async def upload(
    control: Control, data: bytes, name: str = "msel.csv", **form: str
) -> httpx.Response:
    body = {"csrf": await control.csrf(), "step": "upload", "lang": "en", **form}
    files = {"sheet": (name, data, "application/octet-stream")}
    return await control.client.post("/scenarios/msel", data=body, files=files)


async def test_upload_map_preview_then_create_a_new_scenario(
    control: Control, tmp_path: Path
) -> None:
    page = await control.get("/scenarios/msel")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    shown = await upload(control, SHEETS["cp1251"], "sheet.xlsx", target="new", scenario="foreign")
    assert shown.status_code == 200
    assert "CSV file, encoding cp1251" in shown.text
    assert "no &#39;number&#39; column" in shown.text  # not yet mapped
    assert 'value="apply"' not in shown.text  # nothing can be written with problems
    form = fields(shown.text)
    assert form["column.0"] == ""  # "Serial" is no header we know: the director maps it
    mapping = {
        "0": "number",
        "1": "scenario time",
        "2": "delivery method",
        "3": "from",
        "4": "to",
        "5": "description",
        "6": "expected player action",
        "7": "objective",
        "8": "responsible controller",
        "9": "controller notes",
    }
    for index, column in mapping.items():
        form[f"column.{index}"] = column
    mapped = await control.post("/scenarios/msel", {**form, "step": "preview"})
    assert mapped.status_code == 200
    assert "unknown delivery method &#39;Tel.&#39;" in mapped.text  # values not yet mapped
    form = fields(mapped.text)
    methods = {
        form[k]: k.replace("value.", "ours.")
        for k in form
        if k.startswith("value.delivery method.")
    }
    assert set(methods) == {"Tel.", "Courier", "Press", "Walk in"}
    assert form[methods["Walk in"]] == "walk-in"  # a spelling we know is suggested
    form[methods["Tel."]], form[methods["Courier"]], form[methods["Press"]] = (
        "phone-call",
        "letter",
        "news",
    )
    recipients = [form[k] for k in form if k.startswith("value.to.")]
    assert recipients == [
        "Police Valdoria",
        "Labour Inspectorate Karskia",
        "Полиция Валдории",
        "Border Guard",
        "All teams",
    ]
    previewed = await control.post("/scenarios/msel", {**form, "step": "preview"})
    assert "No problem" in previewed.text and 'value="apply"' in previewed.text
    assert "Labour Inspectorate Karskia <code>labour-inspectorate-karskia</code>" in previewed.text
    assert not (tmp_path / "scenarios" / "foreign").exists()  # a preview writes nothing
    made = await control.post("/scenarios/msel", {**fields(previewed.text), "step": "apply"})
    assert made.status_code == 303 and made.headers["location"] == "/scenarios/foreign"
    scenario = load_scenario(tmp_path / "scenarios" / "foreign")
    assert len(scenario.teams) == 4 and len(scenario.injects) == 4
    report = await control.get("/scenarios/foreign")
    assert "This scenario loads without a problem." in report.text


async def test_replacing_shows_the_difference_first(control: Control, tmp_path: Path) -> None:
    folder = tmp_path / "scenarios" / "mini"
    xlsx = (await control.get("/scenarios/mini/msel.xlsx?lang=en")).content
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet = book["Injects"]
    sheet["D2"] = "Somebody else"
    buffer = io.BytesIO()
    book.save(buffer)
    shown = await upload(control, buffer.getvalue(), "msel.csv", target="replace", replace="mini")
    assert shown.status_code == 200
    assert "Difference against the scenario" in shown.text
    first = sheet["A2"].value
    assert re.search(rf'data-change="changed"><code>{first}</code>: changed: from<', shown.text)
    assert (folder / "injects" / "01-day1.yaml").exists()  # nothing written yet
    done = await control.post("/scenarios/msel", {**fields(shown.text), "step": "apply"})
    assert done.status_code == 303
    replaced = load_scenario(folder)
    assert replaced.injects_by_id[first].sender["en"] == "Somebody else"
    assert replaced.injects_by_id[first].sender["ru"]  # the other language is kept


async def test_bad_files_and_limits_are_4xx_pages(control: Control) -> None:
    garbage = await upload(
        control, b"\x00\x01\x02\x03" * 100, "msel.xlsx", target="new", scenario="x"
    )
    assert garbage.status_code == 200 and "neither a CSV nor an XLSX file" in garbage.text
    large = await upload(control, b"a,b\n" * 60_000, target="new", scenario="x")
    assert large.status_code == 413
    stale = await control.post("/scenarios/msel", {"step": "preview", "token": "../../etc/passwd"})
    assert stale.status_code == 400


async def test_director_only_and_csrf(control: Control) -> None:
    for role in ("controller", "observer"):
        control.use(role)
        assert (await control.get("/scenarios/msel")).status_code == 403
        assert (await upload(control, SHEETS["utf-8"])).status_code == 403
    control.use("director")
    files = {"sheet": ("m.csv", SHEETS["utf-8"], "text/csv")}
    forged = await control.client.post(
        "/scenarios/msel", data={"step": "upload", "csrf": "forged"}, files=files
    )
    assert forged.status_code == 403


async def test_xlsx_export(control: Control) -> None:
    response = await control.get("/scenarios/mini/msel.xlsx?lang=ru")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Injects", "Cues", "Cases", "Schedule"]
    assert (await control.get("/scenarios/mini/msel.xlsx?lang=kk")).status_code == 404
    assert (await control.get("/scenarios/nope/msel.xlsx")).status_code == 404
