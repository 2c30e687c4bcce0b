"""A team tablet's outbox in real Chromium: taps made offline are kept (in the page and in
localStorage), sent when the socket is back, each in the journal exactly once and shown as
sent; after ENDEX they are refused with the reason; leaving asks first and wipes them."""

from __future__ import annotations

import re
import time

from playwright.async_api import Browser, BrowserContext, Page, expect

from controlroom.delivery.render import iso_time, wall_seconds
from tests.e2e.devices_support import Exercise, director, exercise, join, tablet
from tests.e2e.test_devices import Cable, start_and_release

__all__ = ["exercise"]  # the fixture, imported for pytest

LIVE_MS = 5000
REQUEST = "Interpreter for Farsi, today"
OFFLINE_MS = 7000


async def offline_tablet(
    browser: Browser, exercise: Exercise
) -> tuple[BrowserContext, Cable, Page]:
    context = await tablet(browser)
    cable = Cable()
    await context.route_web_socket(re.compile(r"/socket$"), cable.route)
    page = await join(context, await exercise.join_link("team:police"), "Police tablet")
    await start_and_release(exercise, "S-01", "S-04")
    await expect(page.locator("#inject-S-01")).to_be_visible(timeout=LIVE_MS)
    await context.set_offline(True)
    await cable.pull()
    await expect(page.locator("#offline-banner")).to_be_visible(timeout=LIVE_MS)
    return context, cable, page


async def pending_in_storage(page: Page) -> int:
    count: int = await page.evaluate(
        """() => Object.keys(localStorage).filter(k => k.startsWith('cr-outbox:'))
                 .map(k => JSON.parse(localStorage.getItem(k)).length).reduce((a, b) => a + b, 0)"""
    )
    return count


async def test_an_acknowledgement_and_a_request_made_offline_land_once_when_back(
    browser: Browser, exercise: Exercise
) -> None:
    context, _, page = await offline_tablet(browser, exercise)
    await page.locator("#inject-S-01").get_by_role("button", name="Acknowledge").click()
    ack = page.locator("#outbox .outbox-item[data-type=ack]")
    await expect(ack).to_have_attribute("data-state", "pending")
    await expect(ack).to_contain_text("Waiting to be sent")
    await page.fill("#request-form textarea[name=text]", REQUEST)
    await page.click("#request-form button[type=submit]")
    request = page.locator("#outbox .outbox-item[data-type=request]")
    await expect(request).to_have_attribute("data-state", "pending")
    await expect(request).to_contain_text(REQUEST)
    await expect(page.locator("#request-form textarea[name=text]")).to_have_value("")
    assert await pending_in_storage(page) == 2
    assert await exercise.events("inject.acknowledged") == []
    assert await exercise.events("request.sent") == []

    await context.set_offline(False)
    await expect(ack).to_have_attribute("data-state", "sent", timeout=LIVE_MS * 2)
    await expect(request).to_have_attribute("data-state", "sent", timeout=LIVE_MS)
    await expect(ack).to_contain_text("Sent")
    await expect(page.locator("#inject-S-01")).to_have_attribute("data-status", "acknowledged")
    await expect(page.locator("#team-requests .request")).to_contain_text(REQUEST)
    assert await pending_in_storage(page) == 0

    # the socket drops and comes back once more: nothing is sent twice
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await page.wait_for_timeout(1000)
    acks = await exercise.events("inject.acknowledged")
    assert [(e["data"]["inject"], e["data"]["team"]) for e in acks] == [("S-01", "police")]
    requests = await exercise.events("request.sent")
    assert [e["data"]["text"] for e in requests] == [REQUEST]
    assert acks[0]["data"]["action"] != requests[0]["data"]["action"]
    await context.close()


async def test_a_tap_kept_in_storage_is_sent_by_the_next_page_load(
    browser: Browser, exercise: Exercise
) -> None:
    """The tablet was closed before the wifi came back: the next page sends what was kept."""
    context, _, page = await offline_tablet(browser, exercise)
    await page.locator("#inject-S-04").get_by_role("button", name="Acknowledge").click()
    await expect(page.locator("#outbox .outbox-item[data-type=ack]")).to_have_attribute(
        "data-state", "pending"
    )
    url = page.url
    await page.close()
    await context.set_offline(False)
    again = await context.new_page()
    await again.goto(url)
    item = again.locator("#outbox .outbox-item[data-type=ack]")
    await expect(item).to_have_attribute("data-state", "sent", timeout=LIVE_MS)
    await expect(again.locator("#inject-S-04")).to_have_attribute("data-status", "acknowledged")
    acks = await exercise.events("inject.acknowledged")
    assert [e["data"]["inject"] for e in acks] == ["S-04"]
    # its age came from the wall clock (the first page's performance.now() is gone)
    assert acks[0]["at"] - 10 < acks[0]["data"]["tapped_at"] < acks[0]["at"]
    await context.close()


async def test_after_endex_devices_show_it_ended_and_refuse_with_the_reason(
    browser: Browser, exercise: Exercise
) -> None:
    context, _, page = await offline_tablet(browser, exercise)
    console = await (await director(browser, exercise)).new_page()
    await console.goto(f"{exercise.server.url}/exercises/{exercise.id}")
    await expect(console.locator("#inject-row-S-03 .cell-actions button")).to_be_visible()
    await expect(console.locator("#now-line")).to_have_count(1)
    await page.locator("#inject-S-01").get_by_role("button", name="Acknowledge").click()
    await exercise.run(("endex", {"by": "dina"}))

    await context.set_offline(False)
    ack = page.locator("#outbox .outbox-item[data-type=ack]")
    await expect(ack).to_have_attribute("data-state", "refused", timeout=LIVE_MS * 2)
    await expect(ack).to_contain_text("Refused: The exercise has ended (ENDEX).")
    await expect(page.locator(".ended-banner")).to_be_visible()
    await expect(page.locator(".ended-banner")).to_contain_text("Exercise ended")
    await expect(page.locator("#inject-S-04 button")).to_be_hidden()
    await expect(page.locator("#request-form")).to_be_hidden()
    await expect(page.locator("#inject-S-01")).to_be_visible()  # readable for the debrief
    assert await exercise.events("inject.acknowledged") == []

    # the console: no Release buttons, no now line, no holds; the rows stay
    await expect(console.locator("#inject-row-S-03 .cell-actions button")).to_be_hidden(
        timeout=LIVE_MS
    )
    await console.reload()
    await expect(console.locator("#now-line")).to_have_count(0)
    await expect(console.locator("#inject-row-S-03")).to_be_visible()
    await expect(console.get_by_role("button", name="Release")).to_have_count(0)
    await console.goto(f"{exercise.server.url}/exercises/{exercise.id}/injects/S-03")
    await expect(console.get_by_role("button", name="Hold")).to_have_count(0)
    await context.close()
    await console.context.close()


async def test_leaving_asks_first_and_wipes_what_was_kept(
    browser: Browser, exercise: Exercise
) -> None:
    context, _, page = await offline_tablet(browser, exercise)
    await page.locator("#inject-S-01").get_by_role("button", name="Acknowledge").click()
    assert await pending_in_storage(page) == 1
    await context.set_offline(False)
    await expect(page.locator("#offline-banner")).to_be_hidden(timeout=LIVE_MS * 2)

    page.once("dialog", lambda dialog: dialog.dismiss())
    await page.get_by_role("button", name="Leave the exercise").click()
    await page.wait_for_timeout(500)
    assert page.url.endswith("/team")  # still here: the confirmation said no
    await expect(page.locator("#device")).to_be_visible()

    await context.set_offline(True)
    await page.locator("#inject-S-04").get_by_role("button", name="Acknowledge").click()
    assert await pending_in_storage(page) == 1
    await context.set_offline(False)
    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Leave the exercise").click()
    await page.wait_for_url(re.compile(r"/join/ended|/$|/signin"), timeout=LIVE_MS)
    assert await page.evaluate("localStorage.length") == 0
    await context.close()


async def test_the_first_tap_after_a_load_lands_where_it_was_aimed(
    browser: Browser, exercise: Exercise
) -> None:
    """The tap that unlocks sound changes the sound button's label, never its size (in
    Russian the longest label is 41 px wider than the shortest)."""
    context = await tablet(browser)
    page = await join(context, await exercise.join_link("team:police"), "Police tablet")
    await start_and_release(exercise, "S-01")
    await page.goto(page.url.split("?")[0] + "?lang=ru")
    button = page.locator("#inject-S-01 [data-cr-action]")
    await expect(button).to_be_visible(timeout=LIVE_MS)
    toggle = page.locator("#sound-toggle")
    await expect(toggle).to_have_attribute("data-state", "locked")
    before = await toggle.bounding_box()
    target = await button.bounding_box()
    assert before is not None and target is not None
    await page.touchscreen.tap(
        target["x"] + target["width"] / 2, target["y"] + target["height"] / 2
    )
    ack = page.locator("#outbox .outbox-item[data-type=ack]")
    await expect(ack).to_have_attribute("data-state", "sent", timeout=LIVE_MS)
    assert await toggle.get_attribute("data-state") != "locked"  # the tap unlocked sound
    assert await toggle.bounding_box() == before  # and moved nothing
    assert len(await exercise.events("inject.acknowledged")) == 1
    await context.close()


async def test_an_acknowledgement_tapped_offline_shows_in_the_log_when_it_was_tapped(
    browser: Browser, exercise: Exercise
) -> None:
    """The outbox sends the tap's age; the journal keeps ``at`` (received, after the
    reconnect) and ``tapped_at`` (seconds earlier); the console's log shows both."""
    context, _, page = await offline_tablet(browser, exercise)
    tapped = time.time()
    await page.locator("#inject-S-01").get_by_role("button", name="Acknowledge").click()
    ack = page.locator("#outbox .outbox-item[data-type=ack]")
    await expect(ack).to_have_attribute("data-state", "pending")
    await page.wait_for_timeout(OFFLINE_MS)  # longer than tap_time.SHOWN_AFTER
    await context.set_offline(False)
    await expect(ack).to_have_attribute("data-state", "sent", timeout=LIVE_MS * 2)
    [event] = await exercise.events("inject.acknowledged")
    received, tap = event["at"], event["data"]["tapped_at"]
    assert abs(tap - tapped) < 1.5  # on the server's clock, from the tablet's age
    assert received - tap >= OFFLINE_MS / 1000 - 0.5
    await context.close()

    console = await director(browser, exercise)
    log = await console.new_page()
    await log.goto(f"{exercise.server.url}/exercises/{exercise.id}/log")
    note = log.locator(".log-entry[data-type='inject.acknowledged'] .log-tapped")
    await expect(note).to_have_text(
        f"tapped {wall_seconds(tap)}, received {wall_seconds(received)} (offline)"
    )
    await expect(note).to_have_attribute("data-tapped", iso_time(tap))
    await console.close()


async def test_a_tablet_off_the_network_says_so_at_once(
    browser: Browser, exercise: Exercise
) -> None:
    """The offline banner shows as soon as the browser knows it is offline (before the
    socket's heartbeats give up), and goes once it is back and the socket reconnects."""
    await exercise.run(("startex", {"by": "dina"}))
    context = await tablet(browser)
    page = await join(context, await exercise.join_link("team:police"), "Police tablet")
    banner = page.locator("#offline-banner")
    await expect(banner).to_be_hidden()
    await context.set_offline(True)
    await expect(banner).to_be_visible(timeout=1500)
    await context.set_offline(False)
    await expect(banner).to_be_hidden(timeout=10_000)
    await context.close()
