"""The actor's run sheet on a 10-inch tablet (800x1280) in Chromium, with the sample exercise.

The journalist of the sample plays for four teams (Valdoria, Meridia, Zelenia) and, in X-02,
one shared scene for all six: the tablet lists those scenes in order with team and set,
counts down to the next, follows a team's shift, fits the tablet's width and prints.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.devices_support import (
    SAMPLE,
    Exercise,
    a4_pages,
    join,
    open_exercise,
    server_env,
    tablet,
)
from tests.support.server import LiveServerFactory

LIVE_MS = 30_000  # the sheet refreshes on a changed card and every 20 s


@pytest.fixture
async def sample(live_server: LiveServerFactory) -> AsyncIterator[Exercise]:
    async for found in open_exercise(live_server(env=server_env()), SAMPLE, "Stone Gate"):
        yield found


async def test_the_journalists_run_sheet_across_teams(browser: Browser, sample: Exercise) -> None:
    context = await tablet(browser)
    page = await join(context, await sample.join_link("actor:journalist"), "Journalist tablet")
    sheet = page.locator("#run-sheet")
    await expect(sheet).to_be_visible()
    rows = sheet.locator("tbody tr")
    assert await rows.count() == 4  # X-02 is one scene for its six teams
    texts = [" ".join((await rows.nth(n).inner_text()).split()) for n in range(4)]
    assert texts[0].startswith("D1 13:25 Team Valdoria Phone room (off-set)")
    assert texts[1].startswith("D1 16:55 Team Meridia Phone room (off-set)")
    assert texts[2].startswith("D2 10:45 Team Valdoria, Team Karskia, Team Meridia, Team Ostland")
    assert "X-02.1" in texts[2] and "Team Tavria" in texts[2]
    assert texts[3].startswith("D3 09:35 Team Zelenia Backstage phone")
    # nothing of the injects themselves: no titles, bodies or controller notes
    html = await page.content()
    for secret in (
        "Child bride on the border bus",  # X-02's title
        "A regional reporter wants a comment",  # CS-13's title
        "The article is the same whatever happened",  # X-02's controller notes
    ):
        assert secret not in html

    # it fits a 10-inch tablet: nothing wider than the screen
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800

    await sample.run(("startex", {"by": "dina"}))  # D1 08:30: the first scene in 4 h 55
    countdown = sheet.locator(".run-sheet-in")
    await expect(countdown).to_have_text(re.compile(r"^in 4:5\d:\d\d$"), timeout=LIVE_MS)

    # Valdoria 30 min behind: its scenes move, the others stay
    shift = {"by": "dina", "team": "valdoria", "reason": "slow", "wall": time.time(), "minutes": 30}
    await sample.run(("shift_team", shift))
    await expect(rows.first).to_contain_text("D1 13:55", timeout=LIVE_MS)
    await expect(rows.nth(1)).to_contain_text("D1 16:55")
    await expect(rows.nth(2)).to_contain_text("D2 10:45")  # the five others
    await expect(rows.nth(3)).to_contain_text("D2 11:15")  # Valdoria's own, apart now
    await expect(rows.nth(3)).to_contain_text("Team Valdoria")
    await expect(countdown).to_have_text(re.compile(r"^in 5:2\d:\d\d$"))

    # its own page prints on A4, every scene on it
    printable = await context.new_page()
    await printable.goto(f"{sample.server.url}/exercises/{sample.id}/actor/run-sheet")
    pdf = await printable.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    pages = a4_pages(pdf)
    assert len(pages) == 1
    for cue in ("BB-10.1", "BR-09.1", "X-02.1", "CS-13.1"):
        assert cue in pages[0]
    await context.close()


async def test_the_run_sheet_in_russian(browser: Browser, sample: Exercise) -> None:
    context = await tablet(browser)
    page = await context.new_page()
    await page.goto(await sample.join_link("actor:journalist"))
    await page.fill("input[name=name]", "Планшет")
    await page.select_option("select[name=language]", "ru")
    await page.click("button[type=submit]")
    sheet = page.locator("#run-sheet")
    await expect(sheet).to_contain_text("Расписание: ваши сцены во всех командах")
    await expect(sheet.locator("tbody tr").first).to_contain_text("Д1 13:25")
    await expect(sheet.locator("tbody tr").first).to_contain_text("Команда Валдории")
    await expect(sheet.locator("tbody tr").first).to_contain_text("Телефонная комната")
    await context.close()


COUNTDOWNS = """() => {
  const seconds = (text) => {
    const found = /(?:(\\d+):)?(\\d\\d):(\\d\\d)\\s*$/.exec(text.trim());
    return found ? Number(found[1] || 0) * 3600 + Number(found[2]) * 60 + Number(found[3]) : null;
  };
  return {
    cue: seconds(document.querySelector("#countdown strong").textContent),
    sheet: seconds(document.querySelector("#run-sheet .run-sheet-in").textContent),
  };
}"""


def wall_seconds_in(html: str) -> int:
    found = re.search(r'class="run-sheet-in"[^>]*>in (?:(\d+):)?(\d\d):(\d\d)</span>', html)
    assert found, html
    return int(found[1] or 0) * 3600 + int(found[2]) * 60 + int(found[3])


async def test_both_countdowns_count_wall_time_alike_and_stop_at_endex(
    browser: Browser, sample: Exercise
) -> None:
    """The cue cards' "Next cue in" and the run sheet's "in" are one number: wall time until
    the scene at the clock's speed, on the server's render and ticking; none after ENDEX."""
    context = await tablet(browser)
    page = await join(context, await sample.join_link("actor:journalist"), "Journalist tablet")
    sheet = page.locator("#run-sheet")
    await page.wait_for_timeout(4000)  # joined a while before STARTEX
    await sample.run(("startex", {"by": "dina"}), ("set_speed", {"by": "dina", "speed": 6}))
    await expect(sheet).to_have_attribute("data-speed", "6.0", timeout=LIVE_MS)
    await expect(sheet.locator(".run-sheet-in")).to_have_text(re.compile(r"^in \d"))
    # D1 08:30 to the first scene at D1 13:25: 4 h 55 of scenario time, 49:10 at x6
    both = await page.evaluate(COUNTDOWNS)
    assert both["cue"] is not None and abs(both["cue"] - both["sheet"]) <= 1, both
    assert 40 * 60 <= both["sheet"] <= 49 * 60 + 10, both

    # the page as the server sends it says the same as the ticking one
    served = await context.request.get(f"{sample.server.url}/exercises/{sample.id}/actor")
    first = wall_seconds_in(await served.text())
    assert abs(first - (await page.evaluate(COUNTDOWNS))["cue"]) <= 2
    sheet_page = await context.request.get(
        f"{sample.server.url}/exercises/{sample.id}/actor/run-sheet"
    )
    assert abs(wall_seconds_in(await sheet_page.text()) - first) <= 2

    # the first scene's time passes unmarked: both say so, ticking and as the server renders
    await sample.run(("jump", {"by": "dina", "scenario_time": 13 * 3600 + 25 * 60 - 12}))
    await page.reload()  # D1 13:24:48 at x6: 2 s before it
    overdue = "Overdue, not marked yet. Due less than a minute ago"
    await expect(sheet.locator(".run-sheet-next")).to_have_text(overdue, timeout=10_000)
    await expect(page.locator("#countdown")).to_have_attribute("data-state", "overdue")
    await expect(sheet.locator("tbody tr").first).to_have_class(re.compile(r"\boverdue\b"))
    served = await context.request.get(f"{sample.server.url}/exercises/{sample.id}/actor/run-sheet")
    assert '<span class="run-sheet-in" aria-live="off">Due less than a minute ago' in (
        await served.text()
    )

    await sample.run(("endex", {"by": "dina"}))
    await expect(page.locator("#countdown")).to_have_attribute("data-state", "ended")
    await expect(sheet.locator(".run-sheet-next")).to_have_text("Exercise ended.", timeout=LIVE_MS)
    await page.reload()
    await expect(sheet.locator(".run-sheet-next")).to_have_text("Exercise ended.")
    await expect(sheet.locator(".run-sheet-in")).to_have_count(0)
    await page.wait_for_timeout(1500)
    await expect(sheet.locator(".run-sheet-next")).to_have_text("Exercise ended.")
    await context.close()
