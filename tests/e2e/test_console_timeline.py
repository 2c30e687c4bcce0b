"""The console's timeline in real Chromium, at laptop size, in English and Russian: a
planned time with seconds stays in its column (never over the inject's title); a team's
"Acknowledged" stays on one line and its two times are not clipped."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.devices_support import (
    SAMPLE,
    Exercise,
    director,
    exercise,
    open_exercise,
    server_env,
)
from tests.support.server import LiveServerFactory

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


ROW_ORDER = """() => Array.from(document.querySelectorAll("#control-injects > .inject-row"))
  .map(row => row.dataset.inject)"""


async def sample_console(
    browser: Browser, live_server: LiveServerFactory
) -> AsyncIterator[tuple[Exercise, Page]]:
    """The director's console (1366x768) on an exercise of the sample scenario (six teams)."""
    async for found in open_exercise(live_server(env=server_env()), SAMPLE):
        await found.run(("startex", {"by": "dina"}))
        context = await director(browser, found)
        await context.new_page()
        page = context.pages[0]
        await page.set_viewport_size({"width": 1366, "height": 768})
        await page.goto(f"{found.server.url}/exercises/{found.id}")
        yield found, page
        await context.close()


async def test_a_triggered_row_moves_to_its_time_when_it_gets_one_live(
    browser: Browser, live_server: LiveServerFactory
) -> None:
    async for sample, page in sample_console(browser, live_server):
        before = await page.evaluate(ROW_ORDER)
        assert before.index("BB-03") > before.index("BB-01") + 1  # untimed: near the end
        await sample.run(
            ("release_now", {"by": "dina", "inject": "BB-01"}),
            ("acknowledge", {"inject": "BB-01", "team": "valdoria", "device": "tablet-1"}),
        )
        # the trigger gives BB-03 a time ten minutes after the acknowledgement: pushed live
        await expect(page.locator("#inject-row-BB-03")).to_have_attribute(
            "data-due", re.compile(".")
        )
        live = await page.evaluate(ROW_ORDER)
        await page.reload()
        await expect(page.locator("#inject-row-BB-03")).to_have_attribute(
            "data-due", re.compile(".")
        )
        assert live == await page.evaluate(ROW_ORDER)  # where a reload puts it


async def test_time_column_text_stays_out_of_the_titles_at_laptop_size(
    browser: Browser, live_server: LiveServerFactory
) -> None:
    async for sample, page in sample_console(browser, live_server):
        for language in ("en", "ru"):
            await page.goto(f"{sample.server.url}/exercises/{sample.id}?lang={language}")
            boxes = await page.evaluate(
                """() => Array.from(document.querySelectorAll("#control-injects > .inject-row"))
                  .map(row => {
                    const time = row.querySelector(".cell-time > span").getBoundingClientRect();
                    const title = row.querySelector(".cell-inject").getBoundingClientRect();
                    return [row.dataset.inject, time.right, title.left];
                  })"""
            )
            clashes = [(row, right, left) for row, right, left in boxes if right > left + 0.5]
            assert not clashes, (language, clashes)
