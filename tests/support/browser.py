"""Real Chromium for end-to-end tests: Debian's ``chromium`` driven by Playwright.

No browser can be downloaded here, so Playwright launches the system binary through
``executable_path``. Screenshots the tests take for the docs go to ``docs/screenshots/`` when
``CONTROLROOM_SCREENSHOTS=1`` (to refresh the docs), else to a temporary folder: a test run
leaves the working tree as it found it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return os.environ.get("CONTROLROOM_CHROMIUM") or shutil.which("chromium")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (scripts/setup --dev installs it)")
        pytest.skip("chromium is not installed")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()


def screenshot_path(name: str) -> Path:
    """Where a test writes the screenshot ``name`` (the docs' folder only when asked)."""
    if os.environ.get("CONTROLROOM_SCREENSHOTS") == "1":
        folder = SCREENSHOTS
    else:
        folder = Path(tempfile.gettempdir()) / "controlroom-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
