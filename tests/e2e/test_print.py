"""Every printable page through Chromium's own PDF output: its page count, and no blank page.

The QR join sheet is the printable page (``join/sheet.html``): a fixed grid of four cards to
an A4 page. For the sample exercise (6 teams, 14 actor roles: 20 cards) that is 5 pages, in
English and in Russian, with every card whole on its page.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser
from pypdf import PdfReader

from controlroom.scenario.loader import load_scenario
from tests.e2e.devices_support import ADMIN_TOKEN, Exercise, director, server_env
from tests.support.browser import screenshot_path
from tests.support.server import LiveServerFactory

SAMPLE = Path(__file__).resolve().parents[2] / "injects" / "trafficking-week"
A4_POINTS = (595, 842)
MARK = {"en": "EXERCISE EXERCISE EXERCISE", "ru": "УЧЕНИЯ УЧЕНИЯ УЧЕНИЯ"}


@pytest.fixture
async def sample(live_server: LiveServerFactory) -> AsyncIterator[Exercise]:
    server = live_server(env=server_env())
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        made = await client.post(
            f"/setup?token={ADMIN_TOKEN}",
            data={"name": "dina", "password": "correct horse battery", "display": "Dina"},
            headers={"Origin": server.url},
        )
        assert made.status_code == 303, made.text
        scenario = load_scenario(SAMPLE)
        body = {
            "scenario": scenario.model_dump(mode="json", by_alias=True, exclude_none=True),
            "name": "Stone Gate",
        }
        created = await client.post("/test/exercises", json=body)
        assert created.status_code == 200, created.text
        yield Exercise(server, client, created.json()["exercise"])


async def printed(
    browser: Browser, exercise: Exercise, query: str, screenshot: str = ""
) -> list[str]:
    """The text of each page of the sheet as Chromium prints it on A4."""
    context = await director(browser, exercise)
    try:
        page = await context.new_page()
        await page.goto(f"{exercise.server.url}/exercises/{exercise.id}/devices/sheet?{query}")
        pdf = await page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        if screenshot:  # the first printed page, as paper shows it
            await page.emulate_media(media="print")
            await page.locator(".sheet-page").first.screenshot(path=screenshot_path(screenshot))
    finally:
        await context.close()
    reader = PdfReader(io.BytesIO(pdf))
    for pdf_page in reader.pages:
        size = (round(float(pdf_page.mediabox.width)), round(float(pdf_page.mediabox.height)))
        assert size == A4_POINTS
    return [pdf_page.extract_text() for pdf_page in reader.pages]


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_the_sample_qr_sheet_prints_on_five_a4_pages_none_blank(
    browser: Browser, sample: Exercise, language: str
) -> None:
    query = f"lang={language}&base=http://192.168.1.10:8000"
    pages = await printed(browser, sample, query, f"qr-sheet-page-{language}.png")
    assert len(pages) <= 6
    assert len(pages) == 5  # 20 cards, four to a page
    cards = [text.count(MARK[language]) for text in pages]
    assert cards == [4, 4, 4, 4, 4], cards  # every card whole, on its own page, none blank


async def test_one_target_prints_on_one_page(browser: Browser, sample: Exercise) -> None:
    pages = await printed(browser, sample, "target=team:valdoria&base=http://192.168.1.10:8000")
    assert len(pages) == 1 and pages[0].count(MARK["en"]) == 1
