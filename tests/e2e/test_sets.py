"""The console's sets page in Chromium: at tablet size, live after a team's shift, printed.

The sample exercise (13 sets); the director's browser at 800x1280 (a controller walking the
venue with a tablet) and on A4.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.devices_support import (
    SAMPLE,
    TABLET,
    Exercise,
    a4_pages,
    director,
    open_exercise,
    server_env,
)
from tests.support.server import LiveServerFactory

LIVE_MS = 20_000  # refreshed after each live event and every 15 s


@pytest.fixture
async def sample(live_server: LiveServerFactory) -> AsyncIterator[Exercise]:
    async for found in open_exercise(live_server(env=server_env()), SAMPLE, "Stone Gate"):
        yield found


async def test_the_sets_page_on_a_tablet_live_and_printed(
    browser: Browser, sample: Exercise
) -> None:
    await sample.run(("startex", {"by": "dina"}))  # D1 08:30
    context = await director(browser, sample)
    page = await context.new_page()
    await page.set_viewport_size(TABLET)
    await page.goto(f"{sample.server.url}/exercises/{sample.id}/sets")
    gate = page.locator("#board-set-stone-gate")
    await expect(gate).to_contain_text("Stone Gate crossing point")
    await expect(gate.locator(".scene-next li").first).to_contain_text("D1 08:45")
    await expect(page.locator("#schedule-conflicts")).to_contain_text(
        "No actor or set is booked twice."
    )
    assert await page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    # Valdoria 3 h 25 min behind: its journalist call (BB-10, D1 13:25) lands at D1 16:50,
    # 5 min before Meridia's (BR-09, 16:55), in the same phone room
    shift = {"by": "dina", "team": "valdoria", "reason": "slow", "wall": time.time()}
    await sample.run(("shift_team", {**shift, "minutes": 205}))  # BB-10.1 at D1 16:50
    conflicts = page.locator("#schedule-conflicts")
    await expect(conflicts).to_contain_text("Phone room (off-set) is booked twice", timeout=LIVE_MS)
    await expect(conflicts.locator(".conflict-fix").first).to_contain_text(
        "Shift Team Meridia by +"
    )

    pdf = await page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    pages = a4_pages(pdf)
    text = " ".join(" ".join(pages).split())
    for name in ("Stone Gate crossing point", "Courtroom", "Transport police post"):
        assert name in text
    await context.close()
