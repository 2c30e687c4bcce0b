"""Every printable page through Chromium's own PDF output: its page count, and no blank page.

The QR join sheet is the printable page (``join/sheet.html``): a fixed grid of four cards to
an A4 page. For the sample exercise (6 teams, 14 actor roles and the observers: 21 cards)
that is 6 pages, in English and in Russian, with every card whole on its page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.e2e.devices_support import (
    SAMPLE,
    Exercise,
    a4_pages,
    director,
    open_exercise,
    server_env,
)
from tests.support.browser import screenshot_path
from tests.support.server import LiveServerFactory

MARK = {"en": "EXERCISE EXERCISE EXERCISE", "ru": "УЧЕНИЯ УЧЕНИЯ УЧЕНИЯ"}


@pytest.fixture
async def sample(live_server: LiveServerFactory) -> AsyncIterator[Exercise]:
    async for found in open_exercise(live_server(env=server_env()), SAMPLE, "Stone Gate"):
        yield found


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
    return a4_pages(pdf)


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_the_sample_qr_sheet_prints_on_six_a4_pages_none_blank(
    browser: Browser, sample: Exercise, language: str
) -> None:
    query = f"lang={language}&base=http://192.168.1.10:8000"
    pages = await printed(browser, sample, query, f"qr-sheet-page-{language}.png")
    assert len(pages) == 6  # 21 cards (teams, actor roles, the observers), four to a page
    cards = [text.count(MARK[language]) for text in pages]
    assert cards == [4, 4, 4, 4, 4, 1], cards  # every card whole, on its own page, none blank


async def test_one_target_prints_on_one_page(browser: Browser, sample: Exercise) -> None:
    pages = await printed(browser, sample, "target=team:valdoria&base=http://192.168.1.10:8000")
    assert len(pages) == 1 and pages[0].count(MARK["en"]) == 1
