"""Teams answer back, and the channels as the fiction shows them, in real Chromium.

Team Valdoria's tablet (800x1280) has an email, a phone call and a news item. Its pages show
them as the fiction does: the mailbox lists the email (From, Subject) and opens it, the news
page shows the news item, the calls page the call as a call card; each still marked
EXERCISE. The team opens the email and replies with a PDF (an executable renamed .pdf is
refused on the tablet with the server's reason); the reply goes through the outbox and lands
in the console's SimCell queue tied to the email; the director opens its thread, fetches the
PDF and answers; the answer reaches the tablet in the thread, live. Another team's tablet
gets a 404 for the PDF. Nothing the team's tablet received names the SimCell.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, FilePayload, expect

from tests.e2e.test_console import (
    ADMIN_TOKEN,
    Room,
    join_team,
    signed_in_room,
    start_sample_exercise,
)
from tests.e2e.test_simcell import Received
from tests.support.browser import screenshot_path
from tests.support.server import LiveServerFactory

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(200)
EMAIL, CALL, NEWS = "X-01", "BB-10", "X-02"


@pytest.fixture
async def room(live_server: LiveServerFactory, browser: Browser) -> AsyncIterator[Room]:
    server = live_server(
        env={"CONTROLROOM_ADMIN_TOKEN": ADMIN_TOKEN, "CONTROLROOM_TEST_TOKENS": "1"}
    )
    async for room in signed_in_room(server, browser):
        yield room


async def test_a_team_replies_with_a_pdf_and_reads_its_channels_as_the_fiction_shows_them(
    room: Room, browser: Browser
) -> None:
    await start_sample_exercise(room)
    for inject in (EMAIL, CALL, NEWS):
        room.server.run(room.exercise, ("release_now", {"by": "dina", "inject": inject}))
    team = await join_team(browser, room, "valdoria")
    received = Received(team.context)
    received.watch(team)
    await team.reload()
    await expect(team.locator(f"#inject-{EMAIL}")).to_be_visible()

    # the mailbox lists the email (from, subject), not the call or the news
    await team.click("nav.team-nav >> text=Mailbox")
    await team.wait_for_url(re.compile(r".*/team/mail$"))
    mail = team.locator(f"#inject-{EMAIL}")
    await expect(mail).to_be_visible()
    await expect(mail.locator(".mail-subject")).to_be_visible()
    await expect(mail.locator(".inject-body")).to_be_hidden()
    await expect(mail.locator(".exercise-mark").first).to_have_text("EXERCISE EXERCISE EXERCISE")
    scenario_time = re.compile(r"^D1 \d\d:\d\d$")  # the team's own clock, not the wall's
    await expect(mail.locator(".channel-head time")).to_have_text(scenario_time)
    await expect(team.locator(f"#inject-{CALL}")).to_be_hidden()
    await expect(team.locator(f"#inject-{NEWS}")).to_be_hidden()
    await team.screenshot(path=screenshot_path("team-mailbox.png"))

    # news on the news page, the call as a call card on the calls page
    await team.click("nav.team-nav >> text=News")
    await team.wait_for_url(re.compile(r".*/team/news$"))
    await expect(team.locator(f"#inject-{NEWS}")).to_be_visible()
    await expect(team.locator(f"#inject-{NEWS} .exercise-mark").first).to_be_visible()
    await expect(team.locator(f"#inject-{EMAIL}")).to_be_hidden()
    await team.click("nav.team-nav >> text=Calls")
    await team.wait_for_url(re.compile(r".*/team/calls$"))
    call = team.locator(f"#inject-{CALL}")
    await expect(call).to_be_visible()
    await expect(call.locator(".badge.channel")).to_contain_text("Incoming call")
    await expect(call.locator(".exercise-mark").first).to_be_visible()
    await expect(team.locator(f"#inject-{NEWS}")).to_be_hidden()
    width = await team.evaluate("document.documentElement.scrollWidth")
    assert width <= 800, width

    # open the email from the mailbox and reply with a PDF
    await team.click("nav.team-nav >> text=Mailbox")
    await team.click(f"#inject-{EMAIL} .open-inject")
    await team.wait_for_url(re.compile(rf".*/team/injects/{EMAIL}$"))
    await expect(team.locator(f"#inject-{EMAIL} .inject-body")).to_be_visible()
    await expect(team.locator(f"#inject-{CALL}")).to_be_hidden()
    form = team.locator("#reply-form")
    files = form.locator("input[type=file]")
    await files.set_input_files(
        FilePayload(name="report.pdf", mimeType="application/pdf", buffer=ELF)
    )
    refused = form.locator(".upload-list li[data-state=refused]")
    await expect(refused).to_contain_text("Only PDF, JPEG and PNG files can be sent")
    await refused.locator(".upload-remove").click()
    await files.set_input_files(
        FilePayload(name="Situation report D1.pdf", mimeType="application/pdf", buffer=PDF)
    )
    await expect(form.locator(".upload-list li[data-state=ready]")).to_contain_text(
        "Situation report D1.pdf"
    )
    await form.locator("textarea[name=text]").fill("Our day 1 report is attached.")
    await form.locator("button[type=submit]").click()
    outbox = team.locator("#outbox .outbox-item[data-type=reply]")
    await expect(outbox).to_have_attribute("data-state", "sent")
    thread = team.locator("#reply-A001")
    await expect(thread).to_be_visible()
    await expect(thread.locator(".reply-files a")).to_have_text("Situation report D1.pdf")
    file_url = await thread.locator(".reply-files a").get_attribute("href")
    assert file_url
    own = await team.context.request.get(f"{room.server.url}{file_url}")
    assert own.status == 200 and await own.body() == PDF
    await team.screenshot(path=screenshot_path("team-reply.png"), full_page=True)

    # it lands in the console's SimCell queue, tied to the email
    director = room.director
    await director.goto(f"{room.console}/simcell")
    row = director.locator("#simcell-reply-A001")
    await expect(row).to_have_attribute("data-inject", EMAIL)
    await expect(row).to_contain_text("Our day 1 report is attached.")
    await row.locator("a[href$='/simcell/replies/A001']").click()
    fetched = await director.request.get(f"{room.server.url}{file_url}")
    assert fetched.status == 200 and fetched.headers["content-type"] == "application/pdf"
    await director.fill("form.reply-answer textarea[name=text]", "Received, thank you.")
    await director.click("form.reply-answer button[type=submit]")
    await expect(director.locator(".thread-answer")).to_contain_text("Received, thank you.")

    # the answer reaches the team in the thread, live, as from the email's sender
    await expect(thread.locator(".thread-answer")).to_contain_text("Received, thank you.")
    await expect(thread.locator(".thread-answer .exercise-mark")).to_be_visible()
    await expect(thread.locator(".thread-team time")).to_have_text(scenario_time)
    await expect(thread.locator(".thread-answer time")).to_have_text(scenario_time)

    # another team's tablet: the file does not exist for it
    other = await join_team(browser, room, "karskia")
    stranger = await other.context.request.get(f"{room.server.url}{file_url}")
    assert stranger.status == 404

    texts = await received.texts()
    assert any("Received, thank you." in text for text in texts)
    leaks = [text for text in texts if re.search("simcell", text, re.IGNORECASE)]
    assert leaks == [], leaks[0][:2000]
    for page in (team, other):
        await page.context.close()
