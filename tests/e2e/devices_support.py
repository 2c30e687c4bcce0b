"""A real server with one exercise of the ``mini`` scenario, a director, and tablets joining it.

Used by ``tests/e2e/test_devices.py``. The director is made through ``/setup``; the exercise
and the exercise commands (STARTEX, release...) go through the test-only routes (on with
``CONTROLROOM_TEST_TOKENS``), so these tests depend only on the device pages they test.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize
from pypdf import PdfReader

from controlroom.access.sessions import SESSION_COOKIE
from controlroom.scenario.loader import load_scenario
from tests.support.server import LiveServer, LiveServerFactory

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "fixtures" / "scenarios"
ADMIN_TOKEN = "devices-e2e-admin-token"
TABLET: ViewportSize = {"width": 800, "height": 1280}
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
STEP_TIMEOUT_MS = 5000
SAMPLE = ROOT / "injects" / "trafficking-week"
A4_POINTS = (595, 842)  # an A4 page in PDF points


@dataclass
class Exercise:
    server: LiveServer
    client: httpx.AsyncClient  # signed in as the director
    id: str

    @property
    def director_cookie(self) -> str:
        return str(self.client.cookies.get(SESSION_COOKIE))

    async def run(self, *steps: tuple[str, Mapping[str, Any]]) -> dict[str, Any]:
        body = [{"command": name, "args": dict(args)} for name, args in steps]
        response = await self.client.post(f"/test/exercises/{self.id}/commands", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def events(self, type_: str | None = None) -> list[dict[str, Any]]:
        response = await self.client.get(f"/test/exercises/{self.id}/journal")
        events: list[dict[str, Any]] = response.json()["events"]
        return [e for e in events if type_ is None or e["type"] == type_]

    async def join_link(self, target: str) -> str:
        """The join link the director's device list shows for ``team:<id>``/``actor:<id>``."""
        page = await self.client.get(f"/exercises/{self.id}/devices")
        assert page.status_code == 200, page.text
        section = re.search(
            rf'data-target="{re.escape(target)}".*?data-join-link>([^<]+)<', page.text, re.S
        )
        assert section, page.text
        return section[1]

    async def csrf(self) -> str:
        page = await self.client.get(f"/exercises/{self.id}/devices")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found
        return found[1]

    async def revoke(self, device: str) -> None:
        response = await self.client.post(
            f"/exercises/{self.id}/devices/{device}/revoke",
            data={"csrf": await self.csrf()},
            headers={"Origin": self.server.url},
        )
        assert response.status_code == 303, response.text


def server_env() -> dict[str, str]:
    return {
        "CONTROLROOM_ADMIN_TOKEN": ADMIN_TOKEN,
        "CONTROLROOM_INJECTS_DIR": str(SCENARIOS),
        "CONTROLROOM_TEST_TOKENS": "1",
        "CONTROLROOM_HEARTBEAT_SECONDS": "2",
        "CONTROLROOM_HEARTBEAT_TIMEOUT": "6",
    }


async def open_exercise(
    server: LiveServer,
    folder: Path = SCENARIOS / "mini",
    name: str = "Tablet test",
    *,
    display: str = "Dina",
    timeout: float = 10,
) -> AsyncIterator[Exercise]:
    """The director's account (dina) and an exercise of the scenario in ``folder``."""
    async with httpx.AsyncClient(base_url=server.url, timeout=timeout) as client:
        made = await client.post(
            f"/setup?token={ADMIN_TOKEN}",
            data={"name": "dina", "password": "correct horse battery", "display": display},
            headers={"Origin": server.url},
        )
        assert made.status_code == 303, made.text
        scenario = load_scenario(folder)
        body = {
            "scenario": scenario.model_dump(mode="json", by_alias=True, exclude_none=True),
            "name": name,
        }
        created = await client.post("/test/exercises", json=body)
        assert created.status_code == 200, created.text
        yield Exercise(server, client, created.json()["exercise"])


def a4_pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF that Chromium printed, each checked to be A4."""
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        assert size == A4_POINTS
    return [page.extract_text() for page in reader.pages]


@pytest.fixture
async def exercise(live_server: LiveServerFactory) -> AsyncIterator[Exercise]:
    async for found in open_exercise(live_server(env=server_env())):
        yield found


async def tablet(browser: Browser) -> BrowserContext:
    context = await browser.new_context(viewport=TABLET, has_touch=True, is_mobile=False)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    return context


async def join(context: BrowserContext, link: str, name: str) -> Page:
    """Open a QR code's link on a tablet, name the device, join; returns the device's page."""
    page = await context.new_page()
    await page.goto(link)
    await page.fill("input[name=name]", name)
    await page.click("button[type=submit]")
    await page.wait_for_selector("#device")
    return page


async def director(browser: Browser, exercise: Exercise) -> BrowserContext:
    context = await browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    await context.add_cookies(
        [{"name": SESSION_COOKIE, "value": exercise.director_cookie, "url": exercise.server.url}]
    )
    return context


# What a page's socket did, in Date.now() of the one browser (all its pages share that clock):
# when it last opened (``crTestSocketAt``), whether the server said ``live`` (resumed: event
# frames flow) since a test set ``crTestLive`` to false; on a console, when it first showed an
# open STOP alert (``crTestStopAt``).
WATCH_SOCKET = """() => {
  document.addEventListener("htmx:ws:after:connection", () => {
    window.crTestSocketAt = Date.now();
  });
  document.addEventListener("htmx:ws:after:message:incoming", (event) => {
    try {
      if (JSON.parse(event.detail.message.data).type === "live") window.crTestLive = true;
    } catch (error) { /* not a frame of ours */ }
  });
}"""
WATCH_STOP_ALERT = """() => {
  const seen = () => document.querySelector(".safety-open[data-kind=stop]") !== null;
  new MutationObserver(() => {
    if (!window.crTestStopAt && seen()) window.crTestStopAt = Date.now();
  }).observe(document.body, { childList: true, subtree: true, attributes: true });
}"""


async def watch_socket(page: Page) -> None:
    await page.evaluate(WATCH_SOCKET)


async def watch_stop_alert(page: Page) -> None:
    await page.evaluate(WATCH_STOP_ALERT)


async def stop_alert_after_socket(console: Page, actor: Page) -> float:
    """Seconds from the actor's socket opening (last) to the console showing the STOP."""
    opened = await actor.evaluate("window.crTestSocketAt")
    shown = await console.evaluate("window.crTestStopAt")
    assert opened and shown, (opened, shown)
    return (float(shown) - float(opened)) / 1000
