"""The control room console in real Chromium, with a team's dashboard beside it.

A director signs in, starts the sample exercise (``injects/trafficking-week``), holds and
resumes, releases an inject to one team, and the team's dashboard (another browser
context, joined with the team's join link) shows it within a second. The team sends a
request, a controller answers it from the SimCell queue and the answer appears on the
team's dashboard. Screenshots of the console mid-exercise (1366x768) go to
``docs/screenshots/console-*.png``.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.support.browser import screenshot_path
from tests.support.server import LiveServer, LiveServerFactory

ADMIN_TOKEN = "console-e2e-admin-token"
PASSWORD = "correct horse battery"
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 800, "height": 1280}
STEP_MS = 5000
WITHIN_ONE_SECOND_MS = 1000
PRESENCE_MS = 3000  # well under the boards' own 10 s refresh


@dataclass
class Room:
    server: LiveServer
    director: Page
    exercise: str = ""

    @property
    def console(self) -> str:
        return f"{self.server.url}/exercises/{self.exercise}"


async def signed_in(browser: Browser, server: LiveServer, name: str) -> Page:
    context = await browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    context.set_default_timeout(STEP_MS)
    page = await context.new_page()
    await page.goto(f"{server.url}/signin")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/exercises")
    return page


@pytest.fixture
async def room(live_server: LiveServerFactory, browser: Browser) -> AsyncIterator[Room]:
    server = live_server(
        env={"CONTROLROOM_ADMIN_TOKEN": ADMIN_TOKEN, "CONTROLROOM_ACK_ALERT_SECONDS": "1"}
    )
    async for room in signed_in_room(server, browser):
        yield room


async def jump_clock(page: Page, at: str) -> None:
    """The director jumps the scenario clock to ``at`` ("D1 10:50"), confirming."""
    await page.click("summary:text('Speed / jump…')")
    await page.fill("input[name=at]", at)
    await page.click("button:text('Jump…')")
    await page.click("button:text('Yes, do it')")
    await expect(page.locator("#clock")).to_contain_text(at[:-1])


async def signed_in_room(server: LiveServer, browser: Browser) -> AsyncIterator[Room]:
    """The director's console on ``server``: the first account made through /setup."""
    context = await browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    context.set_default_timeout(STEP_MS)
    page = await context.new_page()
    await page.goto(f"{server.url}/setup?token={ADMIN_TOKEN}")
    await page.fill("input[name=name]", "dina")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/exercises")
    yield Room(server, page)
    await context.close()


async def create_controller(page: Page, server: LiveServer) -> None:
    await page.goto(f"{server.url}/accounts")
    form = page.locator("form[action='/accounts']")
    await form.locator("input[name=name]").fill("carl")
    await form.locator("input[name=display]").fill("Carl (SimCell)")
    await form.locator("select[name=role]").select_option("controller")
    await form.locator("input[name=password]").fill(PASSWORD)
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#account-carl")).to_contain_text("Controller")


async def start_sample_exercise(room: Room) -> None:
    page = room.director
    await page.goto(f"{room.server.url}/exercises")
    await page.select_option("select[name=scenario]", "trafficking-week")
    await page.fill("input[name=name]", "Stone Gate, week 1")
    await page.click("text=Create the exercise")
    await page.wait_for_url(re.compile(r".*/exercises/[a-z0-9-]+$"))
    room.exercise = page.url.rsplit("/", 1)[-1]
    await expect(page.locator("#clock")).to_have_attribute("data-phase", "planned")
    await page.click("button:text('STARTEX')")
    await expect(page.locator("#clock")).to_have_attribute("data-phase", "running")
    await expect(page.locator("#flash")).to_contain_text("STARTEX")
    # every row turns from planned to scheduled at STARTEX
    await expect(page.locator("#status-BB-01-valdoria")).to_have_attribute(
        "data-status", "scheduled"
    )


async def hold_and_resume(page: Page) -> None:
    await page.click("summary:text('Hold…')")
    await page.fill("input[name=reason]", "Fire alarm test in the venue")
    await page.click("button:text('Hold the exercise')")
    await expect(page.locator("#clock")).to_have_attribute("data-phase", "held")
    await expect(page.locator("#clock")).to_contain_text("Fire alarm test in the venue")
    await expect(page.locator("button:text('Resume')")).to_be_visible()
    await expect(page.locator("summary:text('Hold…')")).to_be_hidden()
    await page.click("button:text('Resume')")
    await expect(page.locator("#clock")).to_have_attribute("data-phase", "running")


async def join_team(browser: Browser, room: Room, team: str) -> Page:
    """The director's device list shows each team's join link; the team's tablet opens it."""
    await room.director.goto(f"{room.console}/devices")
    link = await room.director.locator(
        f"[data-target='team:{team}'] [data-join-link]"
    ).get_attribute("href")
    assert link
    context: BrowserContext = await browser.new_context(viewport=TABLET)  # type: ignore[arg-type]
    context.set_default_timeout(STEP_MS)
    tablet = await context.new_page()
    await tablet.goto(link)
    await tablet.fill("input[name=name]", f"{team} tablet 1")
    await tablet.click("button[type=submit]")
    await tablet.wait_for_selector("#device")
    await expect(tablet.locator("#offline-banner")).to_be_hidden()
    return tablet


async def test_director_team_and_simcell_in_real_browsers(room: Room, browser: Browser) -> None:
    page = room.director
    await create_controller(page, room.server)
    await start_sample_exercise(room)
    await hold_and_resume(page)
    team = await join_team(browser, room, "valdoria")

    # Release BB-15 (to Valdoria, Ostland and Meridia) to Valdoria only.
    await page.goto(f"{room.console}/injects/BB-15")
    await expect(page.locator("#preview .inject-card")).to_be_visible()
    row = page.locator("#release-valdoria")
    started = time.monotonic()
    await row.locator("button:text('Release')").click()
    await expect(team.locator("#inject-BB-15")).to_be_visible(timeout=WITHIN_ONE_SECOND_MS)
    seen_after = time.monotonic() - started
    assert seen_after < 1.0, seen_after
    await expect(team.locator("#inject-BB-15")).to_contain_text("EXERCISE EXERCISE EXERCISE")
    await expect(page.locator("#flash")).to_contain_text("BB-15 released to Team Valdoria")
    await page.goto(room.console)
    await expect(page.locator("#status-BB-15-valdoria")).not_to_have_attribute(
        "data-status", "scheduled"
    )
    await expect(page.locator("#status-BB-15-ostland")).to_have_attribute(
        "data-status", "scheduled"
    )

    # The team asks the outside world; a controller answers from the SimCell queue.
    controller = await signed_in(browser, room.server, "carl")
    await controller.goto(f"{room.console}/simcell")
    await expect(controller.locator("#simcell-requests .simcell-request")).to_have_count(0)
    form = team.locator("#request-form")
    await form.locator("select[name=kind]").select_option("interpreter")
    await form.locator("textarea[name=text]").fill("Dari interpreter for the girl, please")
    await form.locator("button[type=submit]").click()
    request = controller.locator("#simcell-R001")
    await expect(request).to_contain_text("Dari interpreter for the girl")  # arrived live
    # pushed by the hub, it shows what a rendered item shows: the team's name, the kind
    await expect(request.locator(".request-team")).to_have_text("Team Valdoria")
    await expect(request.locator(".request-kind")).to_have_text(re.compile(r"\S"))
    kind = await request.locator(".request-kind").inner_text()
    assert kind != "interpreter" and "Interpreter" in kind, kind
    await request.locator("button:text('Claim')").click()
    await expect(request).to_have_attribute("data-state", "claimed")
    await request.locator("a:text('Answer R001')").click()
    await controller.locator(".prepared-answers input[name=answer]").first.check()
    await controller.click("button:text('Send the prepared answer')")
    await controller.wait_for_url(re.compile(r".*/simcell$"))
    await expect(controller.locator("#simcell-R001")).to_have_attribute("data-state", "answered")
    await expect(team.locator("#inject-SIM-R001")).to_be_visible()
    await expect(team.locator("#request-R001")).to_have_attribute("data-status", "answered")
    answer = await team.locator("#inject-SIM-R001 .inject-body").inner_text()
    await expect(team.locator("#request-R001 .request-answer")).to_have_text(answer.strip())

    await screenshots(room, team)
    await controller.context.close()
    await team.context.close()


async def screenshots(room: Room, team: Page) -> None:
    """The console mid-exercise, at 1366x768, for the docs."""
    page = room.director
    # another request waits in the queue
    form = team.locator("#request-form")
    await form.locator("select[name=kind]").select_option("")
    await form.locator("textarea[name=text]").fill(
        "Who owns Blue Caravan Tours? Company register, please"
    )
    await form.locator("button[type=submit]").click()
    # the team acknowledges BB-15; BB-01 is released and left unacknowledged (an alert)
    await team.locator("#inject-BB-15 button:text('Acknowledge')").click()
    await page.goto(f"{room.console}/injects/BB-01")
    await page.locator("#release-valdoria button:text('Release')").click()
    await expect(team.locator("#inject-BB-01")).to_be_visible()
    # jump to 10:50: BR-01 and BB-07 at 11:00 are in the next 15 minutes
    await page.goto(room.console)
    await jump_clock(page, "D1 10:50")
    # the jump releases what fell due before 10:50; the rows change live, in lanes
    released = page.locator("#status-BB-04-valdoria:not([data-status='scheduled'])")
    await expect(released).to_have_count(1)
    await expect(page.locator("#inject-row-BB-04 .cell-time")).to_contain_text("D1 10:00")
    await expect(page.locator("#inject-row-BB-04 .happened")).to_contain_text("10:")
    # the team's tablet confirms it: delivered (then nothing changes until it acknowledges)
    await expect(page.locator("#status-BB-04-valdoria")).to_have_attribute(
        "data-status", "delivered"
    )
    pushed = await row_html(page, "BB-04")
    await page.goto(room.console)
    assert await row_html(page, "BB-04") == pushed  # a pushed row is the rendered row
    await expect(page.locator("#inject-row-BR-01")).to_have_class(re.compile(r"\bsoon\b"))
    await page.locator("#inject-row-BB-04").scroll_into_view_if_needed()
    await page.screenshot(path=screenshot_path("console-timeline.png"))
    await page.goto(f"{room.console}?lanes=case")
    await page.screenshot(path=screenshot_path("console-timeline-cases.png"))
    await page.goto(f"{room.console}/boards")
    await expect(page.locator("#board-team-valdoria")).to_contain_text("1 device online")
    await page.screenshot(path=screenshot_path("console-boards.png"))
    await page.goto(f"{room.console}/simcell")
    await expect(page.locator("#simcell-R002")).to_have_attribute("data-state", "waiting")
    await page.screenshot(path=screenshot_path("console-simcell.png"))
    await page.goto(f"{room.console}/injects/BB-14")
    await page.screenshot(path=screenshot_path("console-inject.png"))


async def row_html(page: Page, inject: str) -> str:
    """A timeline row's HTML, without the session's CSRF field and the clock script's marks."""
    html: str = await page.evaluate(
        """inject => {
          const row = document.getElementById("inject-row-" + inject).cloneNode(true);
          row.querySelectorAll("input[name=csrf]").forEach((input) => input.remove());
          row.classList.remove("soon", "past-due");
          row.querySelectorAll(".overdue").forEach((cell) => cell.classList.remove("overdue"));
          return row.outerHTML.replace(/>\\s+</g, "><");
        }""",
        inject,
    )
    return html


async def test_presence_is_live_on_the_device_list_and_the_boards(
    room: Room, browser: Browser
) -> None:
    """A tablet coming online or going away shows on the director's pages at once, without a
    reload: the device list (its row arrives with device.joined) and the status boards."""
    await start_sample_exercise(room)
    page = room.director
    await page.goto(f"{room.console}/devices")
    badge = page.locator("#online-team-valdoria")
    await expect(badge).to_have_text("0 devices online")
    await expect(page.locator("#devices .device-row")).to_have_count(0)
    await page.evaluate("window.stillThisPage = true")
    link = await page.locator("[data-target='team:valdoria'] [data-join-link]").get_attribute(
        "href"
    )
    assert link
    context = await browser.new_context(viewport=TABLET)  # type: ignore[arg-type]
    tablet = await context.new_page()
    await tablet.goto(link)
    await tablet.fill("input[name=name]", "Valdoria tablet 1")
    await tablet.click("button[type=submit]")
    await tablet.wait_for_selector("#device")
    row = page.locator("#devices .device-row")
    await expect(row).to_have_count(1)
    await expect(row.locator("input[name=name]")).to_have_value("Valdoria tablet 1")
    await expect(row.locator(".presence")).to_have_class(re.compile(r"\bonline\b"))
    await expect(badge).to_have_text("1 device online")
    assert await page.evaluate("window.stillThisPage === true")  # live: no reload
    await page.screenshot(path=screenshot_path("console-devices.png"), full_page=True)

    await page.goto(f"{room.console}/boards")
    board = page.locator("#online-team-valdoria")
    await expect(board).to_have_text("1 device online")
    await context.close()  # the tablet goes away: no event, only presence
    await expect(board).to_have_text("0 devices online", timeout=PRESENCE_MS)
    await expect(page.locator("#board-team-valdoria .presence")).to_have_class(
        re.compile(r"\boffline\b")
    )


async def test_the_console_works_without_javascript_and_by_keyboard(
    room: Room, browser: Browser
) -> None:
    """Every action is a real form: with JavaScript off, the console still runs the clock,
    asks before ENDEX, filters the timeline; the keyboard reaches and submits all of it."""
    await start_sample_exercise(room)
    context = await browser.new_context(viewport=LAPTOP, java_script_enabled=False)  # type: ignore[arg-type]
    context.set_default_timeout(STEP_MS)
    cookies = await room.director.context.cookies()
    await context.add_cookies(cookies)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(room.console)
    # the keyboard opens "Hold…", types the reason and submits it
    await page.focus("summary:text('Hold…')")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")  # into the reason
    await page.keyboard.type("Actors changing sets")
    await page.keyboard.press("Enter")
    await page.wait_for_url(room.console)
    await expect(page.locator("#clock")).to_have_attribute("data-phase", "held")
    await page.click("button:text('Resume')")
    await expect(page.locator("#clock")).to_have_attribute("data-phase", "running")
    # filters are a plain GET form
    await page.select_option("select[name=team]", "meridia")
    await page.click("button:text('Apply')")
    await page.wait_for_url(re.compile(r".*team=meridia.*"))
    await expect(page.locator("#inject-row-BR-01")).to_be_visible()
    await expect(page.locator("#inject-row-BB-01")).to_be_hidden()
    # ENDEX asks first, on a page of its own
    await page.click("button:text('ENDEX…')")
    await expect(page.locator(".confirm-question")).to_contain_text("End the exercise (ENDEX)?")
    await page.click("a:text('No, go back')")
    await expect(page.locator("#clock")).to_have_attribute("data-phase", "running")
    await page.click("button:text('ENDEX…')")
    await page.click("button:text('Yes, do it')")
    await expect(page.locator("#clock")).to_have_attribute("data-phase", "ended")
    await context.close()


async def test_filters_and_swimlanes_change_in_place(room: Room) -> None:
    await start_sample_exercise(room)
    page = room.director
    await page.evaluate("window.stillThisPage = true")
    await page.select_option("select[name=case]", "construction")
    await page.wait_for_url(re.compile(r".*case=construction.*"))
    await expect(page.locator("#inject-row-CS-01")).to_be_visible()
    await expect(page.locator("#inject-row-BB-01")).to_be_hidden()
    await page.check("input[name=lanes][value=case]")
    await expect(page.locator("#timeline-grid")).to_have_class(re.compile(r"\bby-case\b"))
    assert await page.evaluate("window.stillThisPage === true")  # no page load: htmx swapped
    # a release while filtered still lands in its row, live
    await room.director.evaluate(
        """async (url) => {
          const csrf = document.querySelector("input[name=csrf]").value;
          await fetch(url, {method: "POST", body: new URLSearchParams({csrf})});
        }""",
        f"{room.console}/injects/CS-01/release",
    )
    await expect(page.locator("#status-CS-01-zelenia")).to_have_attribute(
        "data-status", re.compile("released|delivered")
    )
    await expect(page.locator("#inject-row-CS-01 .cell-time")).to_be_visible()
