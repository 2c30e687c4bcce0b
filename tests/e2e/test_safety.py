"""Actor safety in real Chromium: STOP and "call control" from an actor's tablet reach every
console within a second as a blocking alert, also when pressed offline; the actor sees who
saw it; the director's auto-hold holds the team's case (docs/devices.md, docs/console.md)."""

from __future__ import annotations

import re
import time

from playwright.async_api import Browser, Page, expect

from tests.e2e.devices_support import (
    Exercise,
    director,
    exercise,
    join,
    stop_alert_after_socket,
    tablet,
    watch_socket,
    watch_stop_alert,
)
from tests.e2e.test_devices import Cable
from tests.support.browser import screenshot_path

__all__ = ["exercise"]  # the fixture, imported for pytest

LIVE_MS = 5000
ALERT_SECONDS = 1.0
RECONNECT_SECONDS = 2.5


async def console_page(browser: Browser, exercise: Exercise) -> Page:
    page = await (await director(browser, exercise)).new_page()
    await page.goto(f"{exercise.server.url}/exercises/{exercise.id}")
    await page.wait_for_function("document.getElementById('console-live') !== null")
    return page


async def seconds_until_visible(page: Page, selector: str, limit: float = 5.0) -> float:
    start = time.monotonic()
    await page.wait_for_selector(selector, state="visible", timeout=limit * 1000)
    return time.monotonic() - start


async def test_stop_blocks_every_console_within_a_second_and_the_actor_sees_who_saw_it(
    browser: Browser, exercise: Exercise
) -> None:
    await exercise.run(("startex", {"by": "dina"}))
    context = await tablet(browser)
    actor = await join(context, await exercise.join_link("actor:caller"), "Caller tablet")
    console = await console_page(browser, exercise)
    stop = actor.locator(".safety-stop")
    await expect(stop).to_be_visible()
    await expect(actor.locator(".safety-call")).to_be_visible()
    await expect(console.locator(".safety-open")).to_have_count(0)

    await stop.click()
    waited = await seconds_until_visible(console, ".safety-open[data-kind=stop]")
    assert waited < ALERT_SECONDS
    alert = console.locator(".safety-open[data-kind=stop]")
    await expect(alert).to_contain_text("STOP")
    await expect(alert.locator(".safety-role")).to_contain_text("Anonymous caller")
    await expect(alert.locator(".safety-team")).to_contain_text("Police team")
    await expect(alert.locator(".safety-time time")).to_have_count(1)
    await expect(alert).to_have_attribute("role", "alertdialog")
    await console.screenshot(path=screenshot_path("console-safety-stop.png"))
    item = actor.locator("#outbox .outbox-item[data-type=stop]")
    await expect(item).to_have_attribute("data-state", "sent", timeout=LIVE_MS)
    sent = actor.locator("#actor-safety .actor-safety-item")
    await expect(sent).to_contain_text("Sent, waiting for control")
    # readable: the status line is not styled as the STOP button (white on its pale red)
    await expect(stop).to_have_count(1)
    assert await sent.evaluate("e => getComputedStyle(e).color") != "rgb(255, 255, 255)"
    stops = await exercise.events("safety.stop")
    assert [(e["data"]["role"], e["data"]["teams"], e["data"]["cue"]) for e in stops] == [
        ("caller", ["police"], "S-01.1")
    ]

    # blocking: nothing else on the console can be clicked until a controller takes it
    await alert.get_by_role("button", name="Seen: I am on it").click()
    await expect(console.locator(".safety-open")).to_have_count(0, timeout=LIVE_MS)
    seen = actor.locator("#actor-safety .actor-safety-item[data-seen=yes]")
    await expect(seen).to_contain_text(re.compile(r"Seen by \w+"), timeout=LIVE_MS)
    await actor.screenshot(path=screenshot_path("actor-safety.png"))
    await console.reload()  # a page loaded later does not show a handled alert again
    await expect(console.locator(".safety-open")).to_have_count(0)

    await actor.locator(".safety-call").click()
    await seconds_until_visible(console, ".safety-open[data-kind=call]")
    await expect(console.locator(".safety-open[data-kind=call]")).to_contain_text(
        "An actor calls control"
    )
    await context.close()
    await console.context.close()


async def test_stop_pressed_offline_is_sent_on_reconnect_and_shown_within_a_second(
    browser: Browser, exercise: Exercise
) -> None:
    await exercise.run(("startex", {"by": "dina"}))
    context = await tablet(browser)
    cable = Cable()
    await context.route_web_socket(re.compile(r"/socket$"), cable.route)
    actor = await join(context, await exercise.join_link("actor:caller"), "Caller tablet")
    console = await console_page(browser, exercise)

    await context.set_offline(True)
    await cable.pull()
    await expect(actor.locator("#offline-banner")).to_be_visible(timeout=LIVE_MS)
    await actor.locator(".safety-stop").click()
    item = actor.locator("#outbox .outbox-item[data-type=stop]")
    await expect(item).to_have_attribute("data-state", "pending")
    await expect(item).to_contain_text("Waiting to be sent")
    kept = await actor.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cr-outbox:'))")
    assert len(kept) == 1
    await console.wait_for_timeout(1000)
    await expect(console.locator(".safety-open")).to_have_count(0)
    assert await exercise.events("safety.stop") == []

    await watch_socket(actor)
    await watch_stop_alert(console)
    back = time.monotonic()
    await context.set_offline(False)
    await console.wait_for_selector(".safety-open[data-kind=stop]", timeout=LIVE_MS)
    assert time.monotonic() - back < RECONNECT_SECONDS
    # sent on reconnect: on the console within a second of the actor's socket opening again
    assert 0 < await stop_alert_after_socket(console, actor) < ALERT_SECONDS
    await expect(item).to_have_attribute("data-state", "sent", timeout=LIVE_MS)
    assert len(await exercise.events("safety.stop")) == 1
    assert await actor.evaluate("localStorage.length") == 0
    await context.close()
    await console.context.close()


async def test_with_the_auto_hold_on_a_stop_holds_the_teams_case(
    browser: Browser, exercise: Exercise
) -> None:
    await exercise.run(("startex", {"by": "dina"}))
    console = await console_page(browser, exercise)
    await console.get_by_role("button", name="STOP holds the case: off").click()
    await expect(console.get_by_role("button", name="STOP holds the case: on")).to_be_visible(
        timeout=LIVE_MS
    )
    context = await tablet(browser)
    actor = await join(context, await exercise.join_link("actor:caller"), "Caller tablet")
    await expect(actor.locator("#offline-banner")).to_be_hidden()
    await actor.locator(".safety-stop").click()
    item = actor.locator("#outbox .outbox-item[data-type=stop]")
    await expect(item).to_have_attribute("data-state", "sent", timeout=LIVE_MS * 2)
    alert = console.locator(".safety-open[data-kind=stop]")
    await expect(alert).to_be_visible(timeout=LIVE_MS)
    await expect(alert.locator(".safety-held")).to_be_visible()
    holds = (await exercise.events("safety.stop"))[0]["data"]["holds"]
    assert ["S-01", "police"] in holds and ["S-03", "police"] in holds
    assert all(team == "police" for _, team in holds)  # only the team the actor plays for
    autohold = await exercise.events("safety.autohold")
    assert [e["data"]["enabled"] for e in autohold] == [True]
    await context.close()
    await console.context.close()
