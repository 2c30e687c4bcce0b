"""The debrief pack and a replay in Chromium: printed to A4 PDF with no blank page, holding
the observation; the team-facing pack printed holds no controller-only text. Screenshots of
a debrief page and a replay: ``docs/screenshots/review-*.png``."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.e2e.devices_support import (
    SAMPLE,
    Exercise,
    a4_pages,
    director,
    open_exercise,
    server_env,
)
from tests.support.browser import screenshot_path
from tests.support.server import LiveServerFactory

OBSERVED = "Valdoria screened the bus passengers before the interpreter came"
NOTE = "CONTROL-ONLY: Valdoria's duty officer was slow to call back"


@pytest.fixture
async def week(live_server: LiveServerFactory) -> AsyncIterator[Exercise]:
    server = live_server(env=server_env())
    opened = open_exercise(server, SAMPLE, "Stone Gate", display="Dina Director", timeout=30)
    async for exercise in opened:
        await exercise.run(
            ("startex", {"by": "dina"}),
            ("release_now", {"by": "dina", "inject": "BB-01"}),
            ("release_now", {"by": "dina", "inject": "BB-02"}),
            ("release_now", {"by": "dina", "inject": "BB-03"}),
            ("acknowledge", {"inject": "BB-01", "team": "valdoria", "device": "tab"}),
            ("send_request", {"team": "valdoria", "device": "tab", "kind": None,
                              "text": "Can we get an interpreter for Romanian?"}),
            ("add_observation", {"by": "dina", "text": OBSERVED, "objective": "OBJ-ID",
                                 "task": "ID-1", "rating": "S", "team": "valdoria"}),
            ("add_note", {"by": "dina", "text": NOTE, "team": "valdoria"}),
            ("jump", {"by": "dina", "scenario_time": 9 * 3600 + 45 * 60}),
        )  # fmt: skip
        yield exercise


async def printed(browser: Browser, exercise: Exercise, path: str, shot: str) -> list[str]:
    context = await director(browser, exercise)
    try:
        page = await context.new_page()
        await page.goto(f"{exercise.server.url}/exercises/{exercise.id}{path}")
        if shot:
            await page.screenshot(path=screenshot_path(shot), full_page=True)
        pdf = await page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    finally:
        await context.close()
    return a4_pages(pdf)


def flat(text: str) -> str:
    """PDF text with ligatures (ﬃ) undone and white space as single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


async def test_the_debrief_pack_prints_on_a4_without_blank_pages(
    browser: Browser, week: Exercise
) -> None:
    pages = await printed(browser, week, "/debrief?day=1", "review-debrief.png")
    assert all(flat(text) for text in pages), "a blank page"
    whole = flat(" ".join(pages))
    assert OBSERVED in whole and NOTE in whole and "BB-01" in whole
    assert "Controller log" not in whole and "Show" not in whole.split("Debrief")[0]

    team = await printed(browser, week, "/debrief?day=1&team=valdoria&facing=team", "")
    assert all(flat(text) for text in team), "a blank page"
    team_text = flat(" ".join(team))
    assert OBSERVED in team_text and "BB-01" in team_text
    assert NOTE not in team_text and "BB-02" not in team_text  # control's note; Ostland's


async def test_a_replay_in_chromium_is_marked_and_read_only(
    browser: Browser, week: Exercise
) -> None:
    context = await director(browser, week)
    try:
        page = await context.new_page()
        await page.goto(f"{week.server.url}/exercises/{week.id}/replay")
        await page.select_option("form.replay-form select[name=audience]", "team:valdoria")
        await page.fill("form.replay-form input[name=at]", "D1 09:30")
        await page.click("form.replay-form button[type=submit]")
        await page.wait_for_selector(".replay-banner")
        assert await page.locator(".replay-view [data-inject=BB-01]").count() == 1
        assert await page.locator(".replay-view [data-inject=BB-02]").count() == 0
        assert await page.locator(".replay-view button:enabled").count() == 0
        await page.screenshot(path=screenshot_path("review-replay.png"), full_page=True)
    finally:
        await context.close()
