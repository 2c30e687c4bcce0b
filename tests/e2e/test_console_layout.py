"""The console's layout on the screens it is used on, in real Chromium: a director's laptop
(1366x768) and a controller's tablet in portrait (800x1280).

The sample exercise (``injects/trafficking-week``, six teams) is started and held once, so
the timeline, the log and the boards have something in them. A team's "Pace…" popover opens
inside the viewport, and no console page a controller uses during the exercise scrolls
sideways: what is wider than the screen (the timeline's swimlanes, an actor board's table)
scrolls inside its own box (docs/console.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.e2e.test_console import (
    ADMIN_TOKEN,
    Room,
    hold_and_resume,
    jump_clock,
    signed_in_room,
    start_sample_exercise,
)
from tests.support.server import LiveServerFactory

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
TABLET: ViewportSize = {"width": 800, "height": 1280}
# every page a controller keeps open during the exercise (path after /exercises/<id>)
CONTROLLER_PAGES = ["", "?lanes=case", "/injects/BB-01", "/log", "/simcell", "/boards", "/sets"]
SIDEWAYS = "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"


@pytest.fixture
async def room(live_server: LiveServerFactory, browser: Browser) -> AsyncIterator[Room]:
    server = live_server(env={"CONTROLROOM_ADMIN_TOKEN": ADMIN_TOKEN})
    async for room in signed_in_room(server, browser):
        await start_sample_exercise(room)
        await hold_and_resume(room.director)
        yield room


async def assert_pace_popover_in_view(page: Page, team: str) -> None:
    lane = page.locator(f"#team-pace-{team}")
    await lane.locator("summary").click()
    popover = lane.locator(".popover")
    await expect(popover).to_be_visible()
    box = await popover.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] >= 0 and box["y"] >= 0, (team, box)
    assert box["x"] + box["width"] <= viewport["width"], (team, box, viewport)
    assert box["y"] + box["height"] <= viewport["height"], (team, box, viewport)
    # what it is for can be done from there: the last button is on screen, and it works
    await expect(popover.get_by_role("button", name="Shift this team")).to_be_in_viewport()
    await page.keyboard.press("Escape")
    await expect(popover).to_be_hidden()


async def test_a_teams_pace_popover_opens_inside_the_viewport(room: Room) -> None:
    page = room.director
    await page.set_viewport_size(LAPTOP)
    await page.goto(room.console)
    for team in ("valdoria", "meridia"):
        await assert_pace_popover_in_view(page, team)
    # and it still works from there: hold a team with it
    lane = page.locator("#team-pace-valdoria")
    await lane.locator("summary").click()
    form = lane.locator("form[action$='/hold']")
    await form.locator("input[name=reason]").fill("Valdoria is still on the last call")
    await form.get_by_role("button", name="Hold this team").click()
    await expect(lane).to_have_attribute("data-phase", "held")

    await page.set_viewport_size(TABLET)
    await page.goto(room.console)
    for team in ("valdoria", "meridia"):
        await assert_pace_popover_in_view(page, team)


async def test_the_console_does_not_scroll_sideways_on_a_portrait_tablet(room: Room) -> None:
    page = room.director
    await page.set_viewport_size(TABLET)
    for language in ("en", "ru"):  # Russian labels are longer
        await page.goto(room.console)
        await page.click(f"button[name=language][value={language}]")
        await expect(page.locator("html")).to_have_attribute("lang", language)
        for path in CONTROLLER_PAGES:
            await page.goto(room.console + path)
            await expect(page.locator("#clock")).to_be_visible()
            width, client = await page.evaluate(SIDEWAYS)
            assert width <= client, f"{language} {path or '/'} scrolls sideways: {width} > {client}"
    # nothing is hidden: the timeline's six swimlanes scroll inside the timeline's own box
    await page.goto(room.console)
    scroll = page.locator(".timeline-scroll")
    inner, outer = await scroll.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert inner > outer
    await scroll.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    await expect(page.locator("#team-pace-tavria summary")).to_be_in_viewport()


async def test_the_console_does_not_scroll_sideways_on_a_laptop(room: Room) -> None:
    page = room.director
    await page.set_viewport_size(LAPTOP)
    # mid-morning: actors late for their cues ("late by 91 min" badges in the cue tables)
    await page.goto(room.console)
    await jump_clock(page, "D1 10:50")
    for path in CONTROLLER_PAGES:
        await page.goto(room.console + path)
        await expect(page.locator("#clock")).to_be_visible()
        width, client = await page.evaluate(SIDEWAYS)
        assert width <= client, f"{path or '/'} scrolls sideways: {width} > {client}"
    # an actor's cue table fits its card whole (no column behind a scroll bar), teams by name
    await page.goto(room.console + "/boards")
    await expect(page.locator(".actor-board").first).to_be_visible()
    cut = await page.evaluate(
        """() => Array.from(document.querySelectorAll(".actor-board .table-scroll"))
          .map(box => [box.closest(".actor-board").id, box.scrollWidth, box.clientWidth])
          .filter(([, inner, outer]) => inner > outer)"""
    )
    assert not cut
    await expect(page.locator("#board-actor-bus-driver .cue-table td").nth(1)).to_have_text(
        "Team Valdoria"
    )
