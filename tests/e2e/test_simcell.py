"""The SimCell as the outside world, in real Chromium.

The director assigns a controller to team Valdoria: his console opens on it, and the team's
new request alerts him (a badge on his SimCell link, and a tone). In the sample exercise
(``injects/trafficking-week``) team Valdoria asks for an embassy contact, a request type
whose answer comes from the fiction (the Embassy of Sarvan, by email) no sooner than 20
scenario minutes after the request. One controller claims it; a second cannot answer it
until she takes it over (journaled), then answers with no answer preselected. The answer
waits through an exercise hold, then reaches the team from the declared sender 20 scenario
minutes after the request (the clock runs at 60x to get there). Every frame and page the
team's tablet receives is scanned (the dashboard, the mailbox, news and calls pages, the
answer opened with its reply form): the word SimCell never appears.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Response, expect

from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.scenario.loader import load_scenario
from tests.e2e.test_console import (
    ADMIN_TOKEN,
    PASSWORD,
    Room,
    join_team,
    signed_in,
    signed_in_room,
    start_sample_exercise,
)
from tests.support.server import LiveServerFactory

SAMPLE = Path(__file__).resolve().parents[2] / "injects" / "trafficking-week"
SENDER = "Embassy of Sarvan in Velgrad"
ARRIVAL_MS = 40_000  # 20 scenario minutes at 60x is 20 s; the rest is margin under load


@pytest.fixture
async def room(live_server: LiveServerFactory, browser: Browser) -> AsyncIterator[Room]:
    """The console's room, with the test routes on (to read the journal at the end)."""
    server = live_server(
        env={"CONTROLROOM_ADMIN_TOKEN": ADMIN_TOKEN, "CONTROLROOM_TEST_TOKENS": "1"}
    )
    async for room in signed_in_room(server, browser):
        yield room


class Received:
    """What a team's browser context is sent: socket frames, pages and fragments (read as
    they arrive: a body is gone once its page navigates away)."""

    def __init__(self, context: BrowserContext) -> None:
        self.frames: list[str] = []
        self.bodies: list[asyncio.Task[str]] = []
        context.on("response", self._response)
        context.on("page", self.watch)

    def _response(self, response: Response) -> None:
        kind = response.headers.get("content-type", "")
        if kind.startswith(("text/html", "application/json")) and response.status < 300:
            self.bodies.append(asyncio.ensure_future(response.text()))

    def watch(self, page: Page) -> None:
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        self.frames.append(payload if isinstance(payload, str) else payload.decode())

    async def texts(self) -> list[str]:
        return [*self.frames, *await asyncio.gather(*self.bodies)]


async def add_controller(director: Page, room: Room, name: str, display: str) -> None:
    await director.goto(f"{room.server.url}/accounts")
    form = director.locator("form[action='/accounts']")
    await form.locator("input[name=name]").fill(name)
    await form.locator("input[name=display]").fill(display)
    await form.locator("select[name=role]").select_option("controller")
    await form.locator("input[name=password]").fill(PASSWORD)
    await form.locator("button[type=submit]").click()
    await expect(director.locator(f"#account-{name}")).to_contain_text("Controller")


async def set_speed(director: Page, room: Room, speed: int) -> None:
    await director.goto(room.console)
    await director.click("summary:text('Speed / jump…')")
    await director.fill("input[name=speed]", str(speed))
    await director.click("button:text('Set speed')")
    await expect(director.locator("#flash")).to_contain_text(str(speed))


async def journal_state(director: Page, room: Room) -> ExerciseState:
    """The exercise as its journal folds (the test routes read the journal)."""
    response = await director.request.get(
        f"{room.server.url}/test/exercises/{room.exercise}/journal"
    )
    assert response.ok, await response.text()
    events = [
        Event(e["seq"], e["type"], e["at"], e["data"]) for e in (await response.json())["events"]
    ]
    return ExerciseState.fold(load_scenario(SAMPLE), events, room.exercise)


async def test_an_answer_from_the_fiction_after_its_delay_and_a_claim_that_holds(
    room: Room, browser: Browser
) -> None:
    director = room.director
    await add_controller(director, room, "carl", "Carl")
    await add_controller(director, room, "olga", "Olga")
    await start_sample_exercise(room)
    team = await join_team(browser, room, "valdoria")
    received = Received(team.context)
    received.watch(team)
    await team.reload()  # the scan covers the dashboard page and its socket from here on
    await expect(team.locator("#offline-banner")).to_be_hidden()

    # The director assigns Carl to team Valdoria; Carl's console opens on it.
    await director.goto(f"{room.console}/simcell")
    assign = director.locator("form.assign-form")
    await assign.locator("select[name=controller]").select_option("carl")
    await assign.locator("input[name=team][value=valdoria]").check()
    await assign.locator("button[type=submit]").click()
    await expect(director.locator("#assignment-carl")).to_contain_text("Team Valdoria")
    carl = await signed_in(browser, room.server, "carl")
    await carl.goto(room.console)
    await expect(carl.locator("form select[name=team]").first).to_have_value("valdoria")
    await expect(carl.locator("#simcell-badge")).to_be_hidden()

    # The team asks for an embassy contact (answer not before 20 scenario minutes).
    form = team.locator("#request-form")
    await form.locator("select[name=kind]").select_option("embassy-contact")
    await form.locator("textarea[name=text]").fill("Consular contact for the bus passengers")
    await form.locator("button[type=submit]").click()
    await expect(team.locator("#request-R001")).to_have_attribute("data-status", "sent")
    # Carl, assigned to the team, is alerted at once: a badge on his SimCell link (and a tone)
    await expect(carl.locator("#simcell-badge")).to_have_text("1")
    await expect(carl.locator("#simcell-badge")).to_have_attribute("data-alerted", "R001")

    # Carl claims it; Olga cannot answer it without taking it over.
    await carl.goto(f"{room.console}/simcell")
    await carl.locator("#simcell-R001 button:text('Claim')").click()
    await expect(carl.locator("#simcell-R001")).to_have_attribute("data-state", "claimed")
    olga = await signed_in(browser, room.server, "olga")
    await olga.goto(f"{room.console}/simcell/R001")
    await expect(olga.locator(".take-over")).to_contain_text("carl is answering this request")
    await expect(olga.locator("form.prepared-answers")).to_have_count(0)
    csrf = await olga.locator(".take-over input[name=csrf]").input_value()
    refused = await olga.request.post(
        f"{room.console}/simcell/R001/answer",
        form={"csrf": csrf, "answer": "embassy-sarvan"},
        headers={"Origin": room.server.url},
    )
    assert refused.status == 409
    assert "claimed by carl: take it over before you answer it" in await refused.text()
    await olga.click("button:text('Take it over')")
    await expect(olga.locator("form.prepared-answers")).to_be_visible()

    # No prepared answer is preselected; she picks the Sarvani embassy's answer.
    answers = olga.locator(".prepared-answers input[name=answer]")
    assert await answers.count() == 3
    for n in range(3):
        await expect(answers.nth(n)).not_to_be_checked()
    await expect(olga.locator(".request-sender")).to_contain_text("Consular duty officer")
    await olga.locator(".prepared-answers input[value=embassy-sarvan]").check()
    await olga.click("button:text('Send the prepared answer')")
    await olga.wait_for_url(re.compile(r".*/simcell$"))
    await expect(olga.locator("#simcell-R001")).to_have_attribute("data-state", "answered")
    await olga.goto(f"{room.console}/simcell/R001")
    await expect(olga.locator(".answer-due")).to_contain_text("scenario time")

    # The team does not have it yet: still on its way.
    await expect(team.locator("#request-R001")).to_have_attribute("data-status", "in-progress")
    await expect(team.locator("#inject-SIM-R001")).to_have_count(0)

    # An exercise hold: scenario time stops, and the answer waits with it.
    await director.goto(room.console)
    await director.click("summary:text('Hold…')")
    await director.fill("input[name=reason]", "Lunch break")
    await director.click("button:text('Hold the exercise')")
    await expect(director.locator("#clock")).to_have_attribute("data-phase", "held")
    await set_speed(director, room, 60)
    await team.wait_for_timeout(2000)
    await expect(team.locator("#inject-SIM-R001")).to_have_count(0)
    await director.goto(room.console)
    await director.click("button:text('Resume')")
    await expect(director.locator("#clock")).to_have_attribute("data-phase", "running")

    # 20 scenario minutes after the request, the embassy's email reaches the team.
    card = team.locator("#inject-SIM-R001")
    await expect(card).to_be_visible(timeout=ARRIVAL_MS)
    await expect(card.locator(".inject-sender")).to_have_text(SENDER)
    await expect(card).to_have_attribute("data-channel", "email")
    await expect(team.locator("#request-R001")).to_have_attribute("data-status", "answered")

    state = await journal_state(director, room)
    request = state.requests["R001"]
    release = state.releases["SIM-R001", "valdoria"]
    assert request.sent_scenario is not None and release.released_scenario is not None
    waited = release.released_scenario - request.sent_scenario
    assert 20 * 60 <= waited < 20 * 60 + 60, waited  # scenario seconds; 60x: a second is 60
    assert request.taken_over == [("carl", "olga")] and request.answered_by == "olga"
    assert state.set_aside == []

    # Nothing the team's tablet received names the SimCell: its dashboard, its mailbox (where
    # the embassy's email is), the news and calls pages, and the answer opened with its
    # reply form.
    await team.reload()
    await expect(team.locator("#inject-SIM-R001 .inject-sender")).to_have_text(SENDER)
    for channel_page in ("mail", "news", "calls"):
        await team.click(f"nav.team-nav a[href$='/team/{channel_page}']")
        await team.wait_for_url(re.compile(f".*/team/{channel_page}$"))
    await expect(team.locator("#inject-SIM-R001")).to_be_hidden()  # an email, not a call
    await team.click("nav.team-nav a[href$='/team/mail']")
    await team.click("#inject-SIM-R001 .open-inject")
    await team.wait_for_url(re.compile(".*/team/injects/SIM-R001$"))
    await expect(team.locator("#reply-form")).to_be_visible()
    texts = await received.texts()
    assert len(texts) > 3 and any(SENDER in text for text in texts)
    leaks = [text for text in texts if re.search("simcell", text, re.IGNORECASE)]
    assert leaks == [], leaks[0][:2000]
    for page in (team, carl, olga):
        await page.context.close()
