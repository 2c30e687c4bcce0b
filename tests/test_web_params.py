"""Every edge parses into types: a malformed id is a 404 page, a malformed field a 400 page,
never a 500, and nothing that would break the fold reaches the journal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from controlroom.exercise import commands
from controlroom.i18n import Catalogues
from controlroom.package_data import web_dir
from tests.support.console import Control

WEB_DIR = web_dir()

ROOT = Path(__file__).resolve().parents[1]


async def _with_request(control: Control) -> str:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    await runtime.execute(lambda s: commands.join_device(s, "dev-1", "Tablet", team="police"))
    await runtime.execute(lambda s: commands.send_request(s, "police", "dev-1", None, "Help"))
    return runtime.id


@pytest.mark.parametrize(
    "path",
    [
        "/exercises/BAD!",
        "/exercises/BAD!/devices",
        "/exercises/BAD!/devices/sheet",
        "/exercises/BAD!/simcell",
        "/exercises/bad%20id/log",
        "/exercises/" + "a" * 80,
    ],
)
async def test_a_malformed_exercise_id_is_a_404_page(control: Control, path: str) -> None:
    response = await control.get(path)
    assert response.status_code == 404, response.text
    assert "<main" in response.text and 'href="/"' in response.text
    posted = await control.post(path + "/devices/x/revoke", {})
    assert posted.status_code == 404, posted.text


async def test_malformed_item_ids_are_404_pages(control: Control) -> None:
    exercise = await _with_request(control)
    for path in (f"/exercises/{exercise}/injects/..%2F..", f"/exercises/{exercise}/simcell/R!1"):
        response = await control.get(path)
        assert response.status_code == 404, (path, response.text)
    response = await control.post(f"/exercises/{exercise}/simcell/%20/claim", {})
    assert response.status_code == 404


async def test_an_unknown_answer_language_is_a_400_and_nothing_is_journaled(
    control: Control,
) -> None:
    exercise = await _with_request(control)
    runtime = await control.resources.exercises.get(exercise)
    request = next(iter(runtime.state.requests))
    before = runtime.state.seq
    path = f"/exercises/{exercise}/simcell/{request}/answer"
    response = await control.post(path, {"text": "Hello", "language": "EN"})
    assert response.status_code == 400, response.text
    assert "not one of the scenario" in response.text
    assert runtime.state.seq == before
    # the exercise still takes commands, and the answer in a real language lands
    response = await control.post(path, {"text": "Hello", "language": "ru", "sender": "Desk"})
    assert response.status_code == 303, response.text
    assert runtime.state.requests[request].answered_at is not None


async def test_the_command_refuses_a_language_the_scenario_lacks(control: Control) -> None:
    exercise = await _with_request(control)
    runtime = await control.resources.exercises.get(exercise)
    request = next(iter(runtime.state.requests))
    with pytest.raises(commands.CommandRefused):
        commands.answer_request(runtime.state, "carl", request, text="x", language="EN")


async def test_error_pages_are_translated(control: Control) -> None:
    response = await control.client.get("/exercises/BAD!?lang=ru")
    assert response.status_code == 404
    assert "Такого учения нет." in response.text and 'lang="ru"' in response.text
    response = await control.client.get("/no/such/page", headers={"Accept-Language": "ru"})
    assert response.status_code == 404 and "Такой страницы нет." in response.text


async def test_a_cross_site_post_gets_a_page(control: Control) -> None:
    response = await control.post("/signout", {}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "Cross-site request refused." in response.text and "<main" in response.text


def test_every_refusal_of_the_edge_has_russian() -> None:
    """Every literal ``HTTPException`` detail in controlroom/web is in the catalogues."""
    russian = Catalogues(WEB_DIR / "locale").get("ru")
    found = set()
    for path in (ROOT / "controlroom").rglob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'HTTPException\(\s*\d+,\s*"([^"]+)"', text))
        found |= set(re.findall(r'refuse\(\s*\d+,\s*"([^"]+)"', text))
        found |= set(re.findall(r'^[A-Z_]+ = _\("([^"]+)"\)', text, re.M))
    assert len(found) > 15
    missing = sorted(m for m in found if not russian.messages.get(m))
    assert not missing, missing
