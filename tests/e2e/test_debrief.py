"""Evaluation, the debrief pack and a replay in Chromium: an observer's tablet (joined by the
observers' QR link, 800x1280) rates a team and the evaluation matrix open on the console shows
it within a second; a correction shows on the matrix; an observation made offline lands once
when the tablet is back; the debrief pack printed to A4 PDF has no blank page and holds the
observation as corrected; the team-facing pack holds no controller-only text. Screenshots:
``docs/screenshots/review-*.png``, ``evaluation-matrix.png``, ``observer-tablet.png``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.devices_support import (
    SAMPLE,
    WATCH_SOCKET,
    Exercise,
    a4_pages,
    director,
    join,
    open_exercise,
    server_env,
    tablet,
    watch_socket,
)
from tests.e2e.test_devices import Cable
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


TABLET_SAYS = "Valdoria interviewed each passenger alone, with the interpreter"
CORRECTED = "Valdoria interviewed most passengers alone; two together"
OFFLINE_SAYS = "Valdoria recorded the grounds for each referral"
# Date.now() (one browser: every page shares the clock) when the console's matrix first showed
# a cell with a rating (window.crTestCellAt["<cell id> <rating>"]).
WATCH_CELLS = """() => {
  window.crTestCellAt = {};
  const look = () => {
    for (const cell of document.querySelectorAll("td.matrix-cell[data-rating]")) {
      const key = `${cell.id} ${cell.dataset.rating}`;
      if (!cell.dataset.rating || key in window.crTestCellAt) continue;
      window.crTestCellAt[key] = Date.now();
    }
  };
  look();
  const all = { childList: true, subtree: true, attributes: true };
  new MutationObserver(look).observe(document.body, all);
}"""


async def live(page: Page) -> None:
    """Wait until the page's socket has resumed (the server said ``live``)."""
    await page.wait_for_function("window.crTestLive === true", timeout=10_000)


async def shown_after(console: Page, cell: str, rating: str, since: float) -> float:
    """Seconds from ``since`` (Date.now() ms) to the matrix showing ``rating`` in ``cell``."""
    key = f"cell-{cell} {rating}"
    await console.wait_for_function(f"window.crTestCellAt[{key!r}] !== undefined", timeout=10_000)
    shown = await console.evaluate(f"window.crTestCellAt[{key!r}]")
    return (float(shown) - since) / 1000


async def rate(page: Page, task: str, rating: str, text: str, inject: str = "") -> None:
    await page.select_option("#observe-team", "valdoria")
    await page.select_option("#observe-objective", "OBJ-ID")
    await page.select_option("#observe-task", task)
    await page.check(f"#observe-form input[name=rating][value={rating}]")
    await page.fill("#observe-form textarea[name=text]", text)
    if inject:
        await page.select_option("#observe-inject", inject)


async def test_an_observer_tablet_rates_and_the_matrix_follows_live(
    browser: Browser, week: Exercise
) -> None:
    console_context = await director(browser, week)
    device = await tablet(browser)
    cable = Cable()
    await device.route_web_socket(re.compile(r"/socket$"), cable.route)
    await device.add_init_script(f"({WATCH_SOCKET})()")  # on every page the tablet loads
    try:
        console = await console_context.new_page()
        await console.goto(f"{week.server.url}/exercises/{week.id}/matrix?day=1")
        await console.evaluate(WATCH_CELLS)
        await watch_socket(console)
        page = await join(device, await week.join_link("observer"), "Evaluator tablet")
        await live(page)
        assert page.url.endswith("/observe")
        await expect(page.locator("h1")).to_contain_text("Observer")
        await expect(page.locator("h1")).not_to_contain_text("Controller log")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 800, width  # a tablet in portrait: nothing wider than the screen

        # the tasks of the chosen objective only; the injects released to the chosen team only
        await page.select_option("#observe-objective", "OBJ-ID")
        tasks = await page.locator("#observe-task option:enabled").evaluate_all(
            "options => options.map(o => o.value).filter(Boolean)"
        )
        assert tasks == ["ID-1", "ID-2", "ID-3"]
        await page.select_option("#observe-team", "valdoria")
        injects = await page.locator("#observe-inject option:enabled").evaluate_all(
            "options => options.map(o => o.value).filter(Boolean)"
        )
        assert "BB-01" in injects and "BB-02" not in injects

        await rate(page, "ID-2", "M", TABLET_SAYS, inject="BB-01")
        await page.screenshot(path=screenshot_path("observer-tablet.png"), full_page=True)
        saved_at = float(await page.evaluate("Date.now()"))
        await page.click("#observe-form button[type=submit]")
        took = await shown_after(console, "valdoria--OBJ-ID--ID-2", "M", saved_at)
        print(f"tablet save -> console matrix: {took:.3f} s")
        assert took < 1.0, took
        # saving cleared the form; the outbox says sent
        await expect(page.locator("#observe-form textarea[name=text]")).to_have_value("")
        await expect(page.locator("#observe-objective")).to_have_value("")
        await expect(page.locator("#outbox .outbox-item[data-type=observe]")).to_have_attribute(
            "data-state", "sent"
        )
        (added,) = [
            e for e in await week.events("observation.added") if e["data"]["text"] == TABLET_SAYS
        ]
        assert added["data"]["device"] and added["data"]["inject"] == "BB-01"

        # the author corrects it: the matrix shows the new rating
        mine = page.locator(f'#my-observations li[data-observation="{added["seq"]}"]')
        await expect(mine).to_contain_text(TABLET_SAYS)
        await mine.get_by_role("link", name="Correct").click()
        await expect(page.locator("#observe-form textarea[name=text]")).to_have_value(TABLET_SAYS)
        await page.check("#observe-form input[name=rating][value=P]")
        await page.fill("#observe-form textarea[name=text]", CORRECTED)
        await live(page)
        corrected_at = float(await page.evaluate("Date.now()"))
        await page.click("#observe-form button[type=submit]")
        took = await shown_after(console, "valdoria--OBJ-ID--ID-2", "P", corrected_at)
        print(f"tablet correction -> console matrix: {took:.3f} s")
        assert took < 1.0, took
        await expect(page.locator("#observe-form textarea[name=text]")).to_have_value("")
        await expect(mine).to_contain_text(CORRECTED)
        await console.locator("#cell-valdoria--OBJ-ID--ID-2 a").click()
        await expect(console.locator("#cell-observations")).to_contain_text(CORRECTED)
        await expect(console.locator("#cell-observations")).not_to_contain_text(TABLET_SAYS)

        # offline (the socket down): kept, then sent once when the tablet is back
        await device.set_offline(True)
        await cable.pull()
        await expect(page.locator("#offline-banner")).to_be_visible(timeout=5000)
        await rate(page, "ID-3", "U", OFFLINE_SAYS)
        await page.click("#observe-form button[type=submit]")
        pending = page.locator("#outbox .outbox-item[data-type=observe][data-state=pending]")
        await expect(pending).to_have_count(1)
        await expect(page.locator("#observe-form textarea[name=text]")).to_have_value("")
        await page.wait_for_timeout(500)
        assert not [e for e in await week.events("observation.added") if OFFLINE_SAYS in str(e)]
        await device.set_offline(False)
        await expect(pending).to_have_count(0, timeout=10_000)
        await shown_after(console, "valdoria--OBJ-ID--ID-3", "U", 0)
        await page.evaluate("window.dispatchEvent(new Event('online'))")
        await page.wait_for_timeout(1000)
        landed = [e for e in await week.events("observation.added") if OFFLINE_SAYS in str(e)]
        assert len(landed) == 1

        await console.goto(
            f"{week.server.url}/exercises/{week.id}/matrix?day=1&team=valdoria&task=ID-2"
        )
        await console.screenshot(path=screenshot_path("evaluation-matrix.png"), full_page=True)
        pdf = await console.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        printed_matrix = a4_pages(pdf)
        assert all(flat(text) for text in printed_matrix), "a blank page"
        assert "Team Valdoria" in flat(" ".join(printed_matrix))
        await console.set_viewport_size({"width": 800, "height": 1280})  # on a tablet
        await console.reload()
        width = await console.evaluate("document.documentElement.scrollWidth")
        assert width <= 800, width  # the table scrolls inside its card, the page does not
    finally:
        await device.close()
        await console_context.close()

    # the debrief pack prints the observation as corrected, on A4 with no blank page
    pages = await printed(browser, week, "/debrief?day=1&team=valdoria&facing=team", "")
    assert all(flat(text) for text in pages), "a blank page"
    whole = flat(" ".join(pages))
    assert CORRECTED in whole and OFFLINE_SAYS in whole and TABLET_SAYS not in whole
    assert NOTE not in whole


async def test_a_staff_account_observes_from_the_console_through_the_outbox(
    browser: Browser, week: Exercise
) -> None:
    context = await director(browser, week)
    try:
        page = await context.new_page()
        await page.goto(f"{week.server.url}/exercises/{week.id}/observe")
        await expect(page.locator("#observe-title")).to_contain_text("Observer")
        await rate(page, "ID-1", "P", "Seen from the console", inject="BB-01")
        await page.click("#observe-form button[type=submit]")
        sent = page.locator("#outbox .outbox-item[data-type=observe]")
        await expect(sent).to_have_attribute("data-state", "sent", timeout=10_000)
        await expect(page.locator("#observe-form textarea[name=text]")).to_have_value("")
        await expect(page.locator("#my-observations")).to_contain_text("Seen from the console")
        added = [e for e in await week.events("observation.added") if "console" in str(e)]
        assert [(e["data"]["by"], e["data"]["device"]) for e in added] == [("dina", "")]
    finally:
        await context.close()


COUNT_REFRESHES = """() => {
  window.crTestRefreshed = 0;
  document.addEventListener("cr:observe-refreshed", () => { window.crTestRefreshed += 1; });
}"""


async def test_the_observer_page_fetches_once_per_event(browser: Browser, week: Exercise) -> None:
    """A frame on the observer's socket (something happened) refreshes the inject choices and
    the observer's list with one request (``?part=live``), not one per part."""
    device = await tablet(browser)
    await device.add_init_script(f"({WATCH_SOCKET})()")
    try:
        page = await join(device, await week.join_link("observer"), "Counting tablet")
        await live(page)
        await page.evaluate(COUNT_REFRESHES)
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if "/observe?" in r.url else None)
        option = page.locator("#observe-inject option[value=BB-04]")
        await expect(option).to_have_attribute("data-teams", "")
        await page.select_option("#observe-inject", "BB-01")  # kept across a refresh

        await week.run(("release_now", {"by": "dina", "inject": "BB-04"}))
        await page.wait_for_function("window.crTestRefreshed === 1", timeout=10_000)
        await expect(option).to_have_attribute("data-teams", "valdoria")
        await expect(page.locator("#observe-inject")).to_have_value("BB-01")
        await expect(page.locator("#my-observations")).to_be_visible()
        await page.wait_for_timeout(500)  # a second request for the same frame would be here
        assert [url.split("?", 1)[1] for url in fetched] == ["part=live"]

        await week.run(("add_observation", {"by": "dina", "text": "Second event",
                                            "objective": "OBJ-ID", "team": "ostland"}))  # fmt: skip
        await page.wait_for_function("window.crTestRefreshed === 2", timeout=10_000)
        await page.wait_for_timeout(500)
        assert [url.split("?", 1)[1] for url in fetched] == ["part=live", "part=live"]
    finally:
        await device.close()
