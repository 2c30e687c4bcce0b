"""Device clocks run in real Chromium: a team tablet's and an actor tablet's clock tick from
the clock's anchor and speed, stop on a hold, follow a jump and a speed change, and stay
within a second of the console's (docs/devices.md)."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.e2e.devices_support import Exercise, director, exercise, join, tablet

__all__ = ["exercise"]  # the fixture, imported for pytest

LIVE_MS = 5000
DEVICE_LAG = 0.5  # wall seconds
CONSOLE_LAG = 1.5
TIME = re.compile(r"D(\d+) (\d\d):(\d\d)(?::(\d\d))?")


READ = """() => {
  const clock = document.getElementById("clock");
  return {
    text: clock.querySelector(".clock-time").textContent,
    phase: clock.dataset.phase,
    ticking: clock.dataset.phase === "running" || clock.hasAttribute("data-ticking"),
    base: Number(clock.dataset.scenarioTime),
    anchor: Number(clock.dataset.anchorWall),
    speed: Number(clock.dataset.speed),
    now: Date.now() / 1000,
  };
}"""


def seconds(text: str) -> int:
    found = TIME.search(text)
    assert found, text
    day, hour, minute, second = (int(g or 0) for g in found.groups())
    return (day - 1) * 86400 + hour * 3600 + minute * 60 + second


async def shown(page: Page) -> int:
    """The scenario time a page's clock shows, in seconds."""
    return seconds(await page.locator("#clock .clock-time").inner_text())


async def behind(page: Page) -> float:
    """How far (in wall seconds) the page's clock is from the server's clock at that instant.

    The server's clock is the anchor and speed the server sent (the same machine's wall
    clock: no skew), read in the page at the same instant as the text it shows.
    """
    read = await page.evaluate(READ)
    truth = float(read["base"])
    speed = 1.0
    if read["ticking"]:  # scenario time runs (on control's clock: through a pause too)
        speed = float(read["speed"])
        truth += (float(read["now"]) - float(read["anchor"])) * speed
    return (truth - seconds(str(read["text"]))) / speed


async def keep_time(team: Page, actor: Page, console: Page, speed: float) -> None:
    """Tablets tick four times a second: within half a second of the server's clock (plus
    the second a clock shows whole); the console ticks once a second: within 1.5 s."""
    shown_second = 1.0 / speed
    for page, allowed in ((team, DEVICE_LAG), (actor, DEVICE_LAG), (console, CONSOLE_LAG)):
        late = await behind(page)
        assert -0.2 <= late < allowed + shown_second, (page.url, late)


async def test_device_clocks_tick_stop_on_hold_follow_a_jump_and_keep_with_the_console(
    browser: Browser, exercise: Exercise
) -> None:
    await exercise.run(("startex", {"by": "dina"}))
    # two tablets: one browser is one device (joining again from it revokes the first)
    context = await tablet(browser)
    team = await join(context, await exercise.join_link("team:police"), "Police tablet")
    actor_context = await tablet(browser)
    actor = await join(actor_context, await exercise.join_link("actor:caller"), "Caller tablet")
    console = await (await director(browser, exercise)).new_page()
    await console.goto(f"{exercise.server.url}/exercises/{exercise.id}")

    start = await shown(team)
    await team.wait_for_timeout(2500)
    ticked = await shown(team)
    assert 2 <= ticked - start <= 4  # runs at speed 1
    await keep_time(team, actor, console, speed=1)

    await exercise.run(("hold", {"by": "dina", "reason": "safety check"}))
    await expect(team.locator("#clock")).to_have_attribute("data-phase", "held", timeout=LIVE_MS)
    held = await shown(team)
    await team.wait_for_timeout(2000)
    assert await shown(team) == held  # stopped
    assert abs(await shown(actor) - held) <= 1
    assert abs(await shown(console) - held) <= 1

    await exercise.run(("jump", {"by": "dina", "scenario_time": 86400 + 10 * 3600}))
    await expect(team.locator("#clock .clock-time")).to_contain_text("D2 10:00", timeout=LIVE_MS)
    await expect(actor.locator("#clock .clock-time")).to_contain_text("D2 10:00", timeout=LIVE_MS)
    await exercise.run(("resume", {"by": "dina"}), ("set_speed", {"by": "dina", "speed": 10}))
    await expect(team.locator("#clock")).to_have_attribute("data-speed", "10.0", timeout=LIVE_MS)
    before = await shown(team)
    await team.wait_for_timeout(2000)
    fast = await shown(team) - before
    assert 15 <= fast <= 25  # ten scenario seconds a second
    await keep_time(team, actor, console, speed=10)

    await team.reload()  # after a reload the clock runs from the page's own render
    first = await shown(team)
    await team.wait_for_timeout(1500)
    assert await shown(team) > first
    await context.close()
    await actor_context.close()
    await console.context.close()


async def test_an_observers_clock_runs_through_a_pause_and_a_speed_change(
    browser: Browser, exercise: Exercise
) -> None:
    """A pause (releases wait, time runs) shows "Releases paused" on an observer's tablet,
    and its clock goes on: before, and after a new speed (docs/devices.md)."""
    await exercise.run(("startex", {"by": "dina"}), ("set_speed", {"by": "dina", "speed": 6}))
    context = await tablet(browser)
    observer = await join(context, await exercise.join_link("observer"), "Observer tablet")
    await exercise.run(("hold", {"by": "dina", "reason": "lunch", "shift": False}))
    clock = observer.locator("#clock")
    await expect(clock).to_have_attribute("data-phase", "paused", timeout=LIVE_MS)
    before = await shown(observer)
    await observer.wait_for_timeout(2000)
    assert 9 <= await shown(observer) - before <= 15  # six scenario seconds a second
    assert abs(await behind(observer)) <= DEVICE_LAG + 1 / 6  # the time now, not the anchor's
    await exercise.run(("set_speed", {"by": "dina", "speed": 30}))
    await expect(clock).to_have_attribute("data-speed", "30.0", timeout=LIVE_MS)
    before = await shown(observer)
    await observer.wait_for_timeout(2000)
    assert 50 <= await shown(observer) - before <= 70
    await context.close()
