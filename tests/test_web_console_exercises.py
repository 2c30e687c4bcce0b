"""Exercises: the list, scenarios with their validation reports, creating several at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.console import Control
from tests.support.scenario_folders import copy_mini, edit


@pytest.fixture
def console_settings(tmp_path: Path) -> dict[str, Any]:
    injects = tmp_path / "injects"
    copy_mini(injects, "mini")
    broken = copy_mini(injects, "broken")
    edit(broken / "injects" / "02-day2.yaml", "channel: letter", "channel: pigeon")
    return {"injects_dir": injects}


async def test_the_list_shows_every_scenario_and_whether_it_is_valid(control: Control) -> None:
    page = await control.get("/exercises")
    assert page.status_code == 200
    assert "Mini exercise" in page.text
    assert 'href="/scenarios/broken"' in page.text
    assert "1 problem" in page.text
    assert '<option value="mini">' in page.text  # only valid scenarios can be picked
    assert '<option value="broken">' not in page.text


async def test_a_validation_report_names_file_line_and_field(control: Control) -> None:
    report = await control.get("/scenarios/broken")
    assert report.status_code == 200
    assert "broken/injects/02-day2.yaml" in report.text
    assert ".channel</code>" in report.text
    valid = await control.get("/scenarios/mini")
    assert "This scenario loads without a problem." in valid.text
    assert (await control.get("/scenarios/nowhere")).status_code == 404


async def test_the_director_creates_several_exercises_that_run_at_once(control: Control) -> None:
    first = await control.exercise("Morning group")
    second = await control.exercise("Afternoon group")
    assert first.id != second.id
    await control.post(f"/exercises/{first.id}/clock/startex")
    assert first.state.started and not second.state.started
    listing = await control.get("/exercises")
    assert "Morning group" in listing.text and "Afternoon group" in listing.text
    console = await control.get(f"/exercises/{second.id}")
    assert console.status_code == 200 and "Afternoon group" in console.text


async def test_an_invalid_or_unknown_scenario_cannot_be_started(control: Control) -> None:
    refused = await control.post("/exercises", {"scenario": "broken", "name": "x"})
    assert refused.status_code == 422
    assert "Pick a valid scenario." in refused.text
    assert control.resources.exercises.loaded() == []


async def test_only_the_director_creates_exercises(control: Control) -> None:
    control.use("controller")
    assert (await control.get("/exercises")).status_code == 200
    refused = await control.post("/exercises", {"scenario": "mini"})
    assert refused.status_code == 403
    assert "New exercise" not in (await control.get("/exercises")).text


async def test_the_scenario_folder_is_read_again_on_request(
    control: Control, console_settings: dict[str, Any]
) -> None:
    copy_mini(console_settings["injects_dir"], "another")
    assert "another" not in (await control.get("/exercises")).text
    reread = await control.post("/scenarios/reload")
    assert reread.status_code == 303
    assert 'href="/scenarios/another"' in (await control.get("/exercises")).text


async def test_signed_out_visitors_are_sent_to_sign_in(control: Control) -> None:
    control.client.cookies.clear()
    page = await control.client.get("/exercises")
    assert page.status_code == 303
    assert page.headers["location"] == "/signin?next=/exercises"
