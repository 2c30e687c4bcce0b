"""Content as players and the director see it, in real Chromium: a team card with rendered
Markdown (a list, a table), in English and in Russian, screenshotted for the docs
(``docs/screenshots/team-card-markdown-{en,ru}.png``); and the console's MSEL import, from
upload to mapping to preview to a new scenario."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, expect

from tests.e2e.devices_support import LAPTOP, Exercise, exercise, tablet
from tests.support.browser import screenshot_path
from tests.support.server import LiveServerFactory
from tests.test_scenario_msel_foreign import SHEETS

__all__ = ["exercise"]

LIVE_MS = 5000
ROOT = Path(__file__).resolve().parents[2]
BODY = {
    "en": (
        "The coach's group list, as the driver handed it over:\n\n"
        "- **23 passports** held together with a rubber band;\n"
        "- four passengers who look *under 18*;\n"
        "- no valid transit visa.\n\n"
        "| Seat | Passenger | Age (passport) | Looks |\n"
        "|---:|---|---:|---|\n"
        "| 1 | Girl in a dark headscarf | 19 | 15 |\n"
        "| 14 | Boy with a man | 18 | 12 |\n"
        "| 22 | Teenage boy | 21 | 16 |\n\n"
        "Check the passports against the faces <script>alert('x')</script> "
        "and [javascript:alert(1)](javascript:alert(1))."
    ),
    "ru": (
        "Список группы, как его передал водитель:\n\n"
        "- **23 паспорта**, перетянутых резинкой;\n"
        "- четверо пассажиров выглядят *младше 18*;\n"
        "- ни одной действующей транзитной визы.\n\n"
        "| Место | Пассажир | Возраст (паспорт) | На вид |\n"
        "|---:|---|---:|---|\n"
        "| 1 | Девушка в тёмном платке | 19 | 15 |\n"
        "| 14 | Мальчик с мужчиной | 18 | 12 |\n"
        "| 22 | Подросток | 21 | 16 |\n\n"
        "Сверьте паспорта с лицами <script>alert('x')</script> "
        "и [javascript:alert(1)](javascript:alert(1))."
    ),
}


def markdown_inject() -> dict[str, Any]:
    return {
        "id": "MD-1",
        "trigger": "manual",
        "channel": "document-pack",
        "from": {"en": "Stone Gate border post", "ru": "Погранпост «Каменные Ворота»"},
        "to": ["police"],
        "title": {"en": "The coach's group list", "ru": "Список группы автобуса"},
        "body": BODY,
    }


async def test_a_team_card_renders_markdown_in_english_and_russian(
    browser: Browser, exercise: Exercise
) -> None:
    await exercise.run(
        ("startex", {"by": "dina"}),
        ("create_inject", {"by": "dina", "data": markdown_inject()}),
        ("release_now", {"by": "dina", "inject": "MD-1"}),
    )
    dialogs: list[str] = []
    for language, list_item, header in [
        ("en", "23 passports", "Passenger"),
        ("ru", "23 паспорта", "Пассажир"),
    ]:
        context = await tablet(browser)
        link = await exercise.join_link("team:police")
        page = await context.new_page()
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await page.goto(link)
        await page.fill("input[name=name]", f"Police {language}")
        await page.select_option("select[name=language]", language)
        await page.click("button[type=submit]")
        card = page.locator("#inject-MD-1")
        await expect(card).to_be_visible(timeout=LIVE_MS)
        await expect(card.locator(".inject-body li strong").first).to_have_text(list_item)
        await expect(card.locator(".inject-body table th").nth(1)).to_have_text(header)
        assert await card.locator(".inject-body table tbody tr").count() == 3
        assert await card.locator(".inject-body a").count() == 0  # the javascript: link is text
        assert await card.locator(".inject-body script").count() == 0
        # soft line breaks never show: each list item is one line at tablet width
        heights = await card.locator(".inject-body li").evaluate_all(
            "items => items.map(i => i.getBoundingClientRect().height)"
        )
        assert max(heights) < 2 * min(heights)
        await card.screenshot(path=screenshot_path(f"team-card-markdown-{language}.png"))
        await context.close()
    assert dialogs == []  # no script ran


async def test_the_console_imports_a_foreign_msel_into_a_new_scenario(
    live_server: LiveServerFactory, browser: Browser, tmp_path: Path
) -> None:
    scenarios = tmp_path / "scenarios"
    shutil.copytree(ROOT / "tests" / "fixtures" / "scenarios" / "mini", scenarios / "mini")
    token = "msel-e2e-admin-token"
    server = live_server(
        env={"CONTROLROOM_ADMIN_TOKEN": token, "CONTROLROOM_INJECTS_DIR": str(scenarios)}
    )
    context = await browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(LIVE_MS)
    page = await context.new_page()
    await page.goto(f"{server.url}/setup?token={token}")
    await page.fill("input[name=name]", "dina")
    await page.fill("input[name=password]", "correct horse battery")
    await page.click("button[type=submit]")
    await page.wait_for_url("**/exercises")
    await page.click("a[href='/scenarios/msel']")
    await page.wait_for_url("**/scenarios/msel")

    upload = page.locator("form.msel-upload")
    await upload.locator("input[name=sheet]").set_input_files(
        {"name": "msel.csv", "mimeType": "text/csv", "buffer": SHEETS["utf-16"]}
    )
    await upload.locator("input[name=scenario]").fill("foreign")
    await upload.locator("input[name=title]").fill("Foreign MSEL")
    await upload.get_by_role("button", name="Upload and preview").click()
    await expect(page.locator("#msel-preview")).to_contain_text("encoding utf-16")
    await expect(page.locator(".msel-problems")).to_contain_text("no 'number' column")

    headers = {
        "Serial": "number",
        "Day/Time": "scenario time",
        "Mode": "delivery method",
        "Originator": "from",
        "Addressees": "to",
        "Inject text": "description",
        "Expected response": "expected player action",
        "Exercise objective": "objective",
        "Owner": "responsible controller",
        "Remarks": "controller notes",
    }
    for header, column in headers.items():
        await page.select_option(f"select[data-header='{header}']", column)
    await page.get_by_role("button", name="Update the preview").click()
    await expect(page.locator(".msel-problems")).to_contain_text("unknown delivery method 'Tel.'")
    for value, channel in {"Tel.": "phone-call", "Courier": "letter", "Press": "news"}.items():
        await page.select_option(f"select[data-value='{value}']", channel)
    await page.get_by_role("button", name="Update the preview").click()
    await expect(page.locator(".msel-ok")).to_contain_text("No problem")
    await expect(page.locator(".msel-new")).to_contain_text("Labour Inspectorate Karskia")
    await expect(page.locator(".msel-injects tbody tr")).to_have_count(4)
    assert not (scenarios / "foreign").exists()
    await page.screenshot(path=screenshot_path("console-msel-preview.png"), full_page=True)
    await page.get_by_role("button", name="Create the scenario").click()
    await page.wait_for_url("**/scenarios/foreign")
    await expect(page.locator(".report-valid")).to_contain_text("Foreign MSEL")
    assert (scenarios / "foreign" / "scenario.yaml").is_file()
    await context.close()
