"""The console's timeline in real Chromium, at laptop size, in English and Russian: a
planned time with seconds stays in its column (never over the inject's title); a team's
"Acknowledged" stays on one line and its two times are not clipped."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.devices_support import Exercise, director, exercise

__all__ = ["exercise"]


async def overlap(page: Page, left: str, right: str) -> float:
    """How far ``left``'s right edge goes past ``right``'s left edge (px; <= 0: apart)."""
    a = await page.locator(left).bounding_box()
    b = await page.locator(right).bounding_box()
    assert a and b
    return a["x"] + a["width"] - b["x"]


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_times_and_statuses_fit_their_cells(
    browser: Browser, exercise: Exercise, language: str
) -> None:
    await exercise.run(
        ("startex", {"by": "dina"}),
        ("reschedule", {"by": "dina", "inject": "S-03", "scenario_time": 123330}),
        ("release_now", {"by": "dina", "inject": "S-01"}),
        ("acknowledge", {"inject": "S-01", "team": "police", "device": "tablet-1"}),
    )
    context = await director(browser, exercise)
    page = await context.new_page()
    await page.goto(f"{exercise.server.url}/exercises/{exercise.id}?lang={language}")
    time = page.locator("#inject-row-S-03 .cell-time .planned-time")
    await expect(time).to_have_text(("D2" if language == "en" else "Д2") + " 10:15:30")
    assert await overlap(page, "#inject-row-S-03 .cell-time", "#inject-row-S-03 .cell-inject") <= 0
    fits = await time.evaluate("e => e.parentElement.scrollWidth <= e.parentElement.clientWidth")
    assert fits

    cell = page.locator("#status-S-01-police")
    await expect(cell).to_have_attribute("data-status", "acknowledged")
    badge = cell.locator(".badge[class*='status-']").first
    line = await badge.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20")
    box = await badge.bounding_box()
    assert box and box["height"] < 1.5 * line, box  # one line, not wrapped
    cell_box = await cell.bounding_box()
    assert cell_box
    for index in range(await cell.locator(".happened time").count()):
        shown = await cell.locator(".happened time").nth(index).bounding_box()
        assert shown and shown["x"] + shown["width"] <= cell_box["x"] + cell_box["width"] + 0.5
    await context.close()
