"""Each team at its own pace, in real Chromium: a held team waits while the other gets its
inject on time; what falls due together lands once each, in order; an actor playing for
two teams sees a cue card per team with its own time and set; a reveal tapped on a tablet
while offline reaches the console once, when the tablet is back (docs/clock.md,
docs/devices.md).

The ``mini`` scenario: teams ``police`` and ``labour``; S-03 (D2 10:15, to all) has the
worker's cue ``worker-at-site`` ("Construction site set", 10 minutes before); S-01 (D1 09:30,
police) has the caller's cue with one reveal.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.e2e.devices_support import Exercise, director, exercise, join, tablet
from tests.e2e.test_devices import Cable

__all__ = ["exercise"]  # the fixture, imported for pytest

LIVE_MS = 5000
D2 = 86400
S03_DUE = D2 + 10 * 3600 + 15 * 60  # D2 10:15


async def releases_of(exercise: Exercise, inject: str) -> list[dict[str, Any]]:
    return [e for e in await exercise.events("inject.released") if e["data"]["inject"] == inject]


async def console_of(browser: Browser, exercise: Exercise) -> Page:
    page = await (await director(browser, exercise)).new_page()
    await page.goto(f"{exercise.server.url}/exercises/{exercise.id}")
    return page


async def pace_form(console: Page, team: str, action: str) -> None:
    """Open the team's pace controls in its timeline lane; the form posting to ``action``."""
    lane = console.locator(f"#team-pace-{team}")
    await lane.locator("summary").click()
    await expect(lane.locator(f"form[action$='/{action}']")).to_be_visible()


async def test_a_held_team_waits_while_the_other_team_gets_its_inject_on_time(
    browser: Browser, exercise: Exercise
) -> None:
    police = await join(await tablet(browser), await exercise.join_link("team:police"), "P1")
    labour = await join(await tablet(browser), await exercise.join_link("team:labour"), "L1")
    await exercise.run(("startex", {"by": "dina", "scenario_time": S03_DUE - 60}))
    console = await console_of(browser, exercise)

    await pace_form(console, "police", "hold")
    form = console.locator("#team-pace-police form[action$='/hold']")
    await form.locator("input[name=reason]").fill("The police team is still on the last call")
    await form.get_by_role("button", name="Hold this team").click()
    await expect(console.locator("#team-pace-police")).to_have_attribute("data-phase", "held")
    await expect(police.locator("#clock")).to_have_attribute("data-phase", "held", timeout=LIVE_MS)
    await expect(labour.locator("#clock")).to_have_attribute("data-phase", "running")

    # the exercise clock moves on to just before S-03: labour gets it on time, police not
    await exercise.run(("jump", {"by": "dina", "scenario_time": S03_DUE - 4}))
    await expect(labour.locator("#inject-S-03")).to_be_visible(timeout=10_000)
    [released] = await releases_of(exercise, "S-03")
    assert released["data"]["teams"] == ["labour"]
    jumped = (await exercise.events("clock.jumped"))[0]["at"]
    assert abs(released["at"] - (jumped + 4)) <= 1.0  # on time: 4 s after the jump
    await asyncio.sleep(3)
    await expect(police.locator("#inject-S-03")).to_have_count(0)

    await pace_form(console, "police", "resume")
    await (
        console.locator("#team-pace-police").get_by_role("button", name="Resume this team").click()
    )
    await expect(police.locator("#clock")).to_have_attribute(
        "data-phase", "running", timeout=LIVE_MS
    )
    await expect(police.locator("#inject-S-03")).to_be_visible(timeout=15_000)
    resumed = (await exercise.events("team.resumed"))[0]
    later = (await releases_of(exercise, "S-03"))[1]
    assert later["data"]["teams"] == ["police"] and later["seq"] > resumed["seq"]
    assert len(await releases_of(exercise, "S-03")) == 2  # each release once
    for page in (police, labour, console):
        await page.context.close()


async def test_what_falls_due_together_lands_on_the_tablet_each_once_in_order(
    browser: Browser, exercise: Exercise
) -> None:
    """A jump past two injects' times: the clock releases them together, in one batch whose
    frames reach each socket in one write (docs/delivery.md); the team's tablet shows each
    once, in the order a reload shows them."""
    police = await join(await tablet(browser), await exercise.join_link("team:police"), "P1")
    await exercise.run(("startex", {"by": "dina"}))
    await exercise.run(("jump", {"by": "dina", "scenario_time": S03_DUE + 60}))
    for inject in ("S-01", "S-03"):
        await expect(police.locator(f"#inject-{inject}")).to_have_count(1, timeout=10_000)
    cards = police.locator("#team-injects > [id^='inject-']")
    live = await cards.evaluate_all("cards => cards.map((card) => card.id)")
    await police.reload()
    await expect(police.locator("#inject-S-03")).to_be_visible()
    again = await cards.evaluate_all("cards => cards.map((card) => card.id)")
    assert live == again and sorted(live) == ["inject-S-01", "inject-S-03"]
    released = [e["data"]["inject"] for e in await exercise.events("inject.released")]
    assert released == ["S-01", "S-03"]  # each once
    await police.context.close()


async def test_an_actor_playing_for_two_teams_sees_two_cue_cards(
    browser: Browser, exercise: Exercise
) -> None:
    actor = await join(await tablet(browser), await exercise.join_link("actor:worker"), "W1")
    labour = await join(await tablet(browser), await exercise.join_link("team:labour"), "L1")
    await exercise.run(("startex", {"by": "dina", "scenario_time": D2 + 10 * 3600}))
    console = await console_of(browser, exercise)
    await pace_form(console, "labour", "shift")
    form = console.locator("#team-pace-labour form[action$='/shift']")
    await form.locator("input[name=minutes]").fill("20")
    await form.locator("input[name=reason]").fill("Labour needs more time on the site visit")
    await form.get_by_role("button", name="Shift this team").click()
    await expect(console.locator("#team-pace-labour .team-offset")).to_have_text(
        "20 min behind", timeout=LIVE_MS
    )
    # the timeline: labour's own time (20 minutes behind the exercise's D2 10:00) and its own
    # "now" mark on the first of its releases still to come (S-03 at D2 10:15 on its clock)
    await expect(console.locator("#team-pace-labour .team-time")).to_contain_text("D2 09:40")
    await expect(console.locator("#team-pace-police .team-time")).to_contain_text("D2 10:0")
    now_mark = console.locator('#control-injects .cell-release.team-now[data-team="labour"]')
    await expect(now_mark).to_have_count(1)
    await expect(console.locator("#status-S-03-labour")).to_have_class(re.compile(r"\bteam-now\b"))
    # labour's tablet runs labour's own clock: 20 minutes behind the exercise's
    await expect(labour.locator("#clock .clock-time")).to_contain_text("D2 09:40", timeout=LIVE_MS)
    await expect(actor.locator("#clock .clock-time")).to_contain_text("D2 10:0")

    police_card = actor.locator("#cue-worker-at-site-police")
    labour_card = actor.locator("#cue-worker-at-site-labour")
    await expect(labour_card).to_have_attribute("data-when", str(float(S03_DUE + 1200 - 600)))
    await expect(police_card).to_have_attribute("data-when", str(float(S03_DUE - 600)))
    await expect(police_card).to_contain_text("For: Police team")
    await expect(police_card).to_contain_text("D2 10:05")
    await expect(labour_card).to_contain_text("For: Labour inspectors")
    await expect(labour_card).to_contain_text("D2 10:25")
    for card in (police_card, labour_card):
        await expect(card).to_contain_text("Construction site set")

    # each card has its own status: done for police leaves labour's waiting
    await police_card.get_by_role("button", name="Done").click()
    await expect(police_card).to_have_attribute("data-status", "done", timeout=LIVE_MS)
    await expect(labour_card).to_have_attribute("data-status", "waiting")
    [report] = await exercise.events("cue.status")
    assert report["data"]["team"] == "police"
    for page in (actor, labour, console):
        await page.context.close()


async def test_a_reveal_tapped_offline_reaches_control_once_when_back(
    browser: Browser, exercise: Exercise
) -> None:
    context = await tablet(browser)
    cable = Cable()
    await context.route_web_socket(re.compile(r"/socket$"), cable.route)
    actor = await join(context, await exercise.join_link("actor:caller"), "C1")
    await exercise.run(("startex", {"by": "dina"}))
    console = await console_of(browser, exercise)
    card = actor.locator("#cue-S-01\\.1")
    await expect(card.locator(".badge.status-scheduled")).to_be_visible(timeout=LIVE_MS)
    await context.set_offline(True)
    await cable.pull()
    await expect(actor.locator("#offline-banner")).to_be_visible(timeout=LIVE_MS)
    await card.get_by_role("button", name="Revealed").click()
    kept = actor.locator("#outbox .outbox-item[data-type=reveal]")
    await expect(kept).to_have_attribute("data-state", "pending")
    assert await exercise.events("cue.revealed") == []

    await context.set_offline(False)
    await expect(kept).to_have_attribute("data-state", "sent", timeout=LIVE_MS * 2)
    await expect(card.locator(".reveal-marked")).to_contain_text("Revealed D1", timeout=LIVE_MS)
    await expect(card.get_by_role("button", name="Revealed")).to_have_count(0)
    await expect(console.locator("#revealed-S-01\\.1")).to_have_text("1 revealed", timeout=LIVE_MS)
    await actor.evaluate("window.dispatchEvent(new Event('online'))")  # sent again: still once
    await actor.wait_for_timeout(1000)
    [marked] = await exercise.events("cue.revealed")
    assert marked["data"]["team"] == "police" and marked["data"]["reveal"] == "1"
    assert marked["data"]["action"]  # through the device's outbox, with its own action id
    for page in (actor, console):
        await page.context.close()
