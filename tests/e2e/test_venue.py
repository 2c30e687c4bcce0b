"""The venue week in real Chromium: a server restart costs nobody anything.

A real server, embedded (the default: file journal, sessions and accounts in the data
folder's SQLite) and scaled (journal, sessions and accounts in a real redis-server that
outlives the server), the ``mini`` scenario mid-exercise: the director's console on a laptop, a team
tablet and an actor tablet (800x1280), each joined by its QR link with the name it
suggested. Then kill -9, and a restart on the same port with the same data folder.

Built to be extended (offline taps while the server is down, a wifi drop): ``venue`` is the
mid-exercise fixture, ``kill`` / ``restart`` / ``all_live_again`` the steps around it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.devices_support import (
    STEP_TIMEOUT_MS,
    Exercise,
    director,
    open_exercise,
    server_env,
    tablet,
)
from tests.support.redis_server import RedisServer
from tests.support.server import LiveServerFactory

BACK_WITHIN_SECONDS = 5.0
LIVE_MS = 5000


@dataclass
class Venue:
    """Mid-exercise: STARTEX, S-01 released to the police team (with the caller's cue)."""

    exercise: Exercise
    console: Page  # the director's console, /exercises/<id>
    team: Page  # the police team's dashboard
    actor: Page  # the caller's cue cards

    @property
    def tablets(self) -> list[Page]:
        return [self.team, self.actor]

    @property
    def pages(self) -> list[Page]:
        return [self.console, *self.tablets]


async def join_as_suggested(page: Page, link: str) -> str:
    """Open a QR link and join with the name the page suggests; returns that name."""
    await page.goto(link)
    name = await page.input_value("input[name=name]")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#device")
    return name


@pytest.fixture(params=["embedded", "scaled"])
async def exercise(
    request: pytest.FixtureRequest, live_server: LiveServerFactory
) -> AsyncIterator[Exercise]:
    env = server_env()
    if request.param == "scaled":
        redis: RedisServer = request.getfixturevalue("redis_server")
        env["CONTROLROOM_JOURNAL_URL"] = redis.url  # sessions and accounts follow it
    async for found in open_exercise(live_server(env=env)):
        yield found


@pytest.fixture
async def venue(browser: Browser, exercise: Exercise) -> AsyncIterator[Venue]:
    await exercise.run(
        ("startex", {"by": "dina"}), ("release_now", {"by": "dina", "inject": "S-01"})
    )
    team = await (await tablet(browser)).new_page()
    actor = await (await tablet(browser)).new_page()
    assert await join_as_suggested(team, await exercise.join_link("team:police")) == "Police team 1"
    await join_as_suggested(actor, await exercise.join_link("actor:caller"))
    console = await (await director(browser, exercise)).new_page()
    await console.goto(f"{exercise.server.url}/exercises/{exercise.id}")
    await expect(team.locator("#inject-S-01")).to_be_visible(timeout=LIVE_MS)
    await expect(actor.locator("#cue-S-01\\.1")).to_be_visible(timeout=LIVE_MS)
    place = Venue(exercise, console, team, actor)
    for page in place.pages:
        await expect(page.locator("#offline-banner")).to_be_hidden()
    try:
        yield place
    finally:
        for page in place.pages:
            await page.context.close()


async def kill(venue: Venue) -> None:
    """kill -9 the server; every page notices (its offline banner shows)."""
    await asyncio.to_thread(venue.exercise.server.kill)
    for page in venue.pages:
        await expect(page.locator("#offline-banner")).to_be_visible(timeout=LIVE_MS)


async def restart(venue: Venue) -> float:
    """Start the server again on the same port and data folder; when it answered."""
    await asyncio.to_thread(venue.exercise.server.start)
    return time.monotonic()


async def all_live_again(venue: Venue, since: float) -> None:
    """Every page's socket is back (banner gone) within BACK_WITHIN_SECONDS of ``since``."""
    for page in venue.pages:
        left = BACK_WITHIN_SECONDS - (time.monotonic() - since)
        await expect(page.locator("#offline-banner")).to_be_hidden(timeout=max(left, 0) * 1000)
    assert time.monotonic() - since <= BACK_WITHIN_SECONDS


async def test_after_kill_9_and_a_restart_every_tablet_and_console_is_back_by_itself(
    venue: Venue,
) -> None:
    exercise = venue.exercise
    devices_before = await exercise.events("device.joined")
    await kill(venue)
    back = await restart(venue)
    await all_live_again(venue, back)

    # live, not only connected: an inject released now arrives on the team tablet
    await exercise.run(("release_now", {"by": "dina", "inject": "S-04"}))
    await expect(venue.team.locator("#inject-S-04")).to_be_visible(timeout=LIVE_MS)
    await expect(venue.team.locator("#inject-S-01")).to_be_visible()
    assert venue.team.url.endswith(f"/exercises/{exercise.id}/team")
    assert venue.actor.url.endswith(f"/exercises/{exercise.id}/actor")

    # the same devices: nobody rescanned, and rescanning lands on the same device
    await venue.team.goto(await exercise.join_link("team:police"))
    await venue.team.wait_for_url(f"**/exercises/{exercise.id}/team")
    await expect(venue.team.locator("#inject-S-04")).to_be_visible()
    assert await exercise.events("device.joined") == devices_before
    assert not await exercise.events("device.revoked")

    # the console reloads still signed in, and its device list shows both tablets online
    await venue.console.reload()
    assert venue.console.url.endswith(f"/exercises/{exercise.id}")
    devices = venue.console
    await devices.goto(f"{exercise.server.url}/exercises/{exercise.id}/devices")
    rows = devices.locator("#devices .device-row")
    await expect(rows).to_have_count(2)
    names = [await rows.nth(n).locator("input[name=name]").input_value() for n in range(2)]
    assert sorted(names) == sorted(e["data"]["name"] for e in devices_before)
    assert "Police team 1" in names and "Police team 2" not in names
    for event in devices_before:
        presence = devices.locator(f"#presence-{event['data']['device']}")
        await expect(presence).to_have_class("presence online", timeout=STEP_TIMEOUT_MS)
