"""Language and console details in real Chromium: a language switch reaches the person's
other open page's pushed fragments without a reload; the inject editor warns while typing
when a language is left behind, confirms the save, and a team reading that language sees
the older text marked as not yet updated (pushed live); the clock bar's popovers close on
Escape and an outside click, one at a time; "Large type" says what a press does."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.e2e.devices_support import Exercise, director, exercise, join, tablet

__all__ = ["exercise"]

LIVE_MS = 5000


async def test_a_switch_reaches_the_other_open_pages_socket_without_a_reload(
    browser: Browser, exercise: Exercise
) -> None:
    await exercise.run(("startex", {"by": "dina"}))
    context = await director(browser, exercise)
    timeline = await context.new_page()
    await timeline.goto(f"{exercise.server.url}/exercises/{exercise.id}")
    phase = timeline.locator("#clock .clock-phase")
    await expect(phase).to_have_text("Running")
    await expect(timeline.locator("#offline-banner")).to_be_hidden()
    await timeline.evaluate("window.crNotReloaded = true")

    other = await context.new_page()
    await other.goto(f"{exercise.server.url}/exercises/{exercise.id}/log")
    await other.locator("[data-cr-language] button[value=ru]").click()
    await expect(other.locator("html")).to_have_attribute("lang", "ru")  # the page itself

    # the timeline's socket follows at once: its view is pushed again, in Russian...
    await expect(phase).to_have_text("Идут", timeout=LIVE_MS)
    # ...and so is what happens next
    await exercise.run(("hold", {"by": "dina", "reason": "Пожарная тревога"}))
    await expect(phase).to_have_text("На паузе", timeout=LIVE_MS)
    assert await timeline.evaluate("window.crNotReloaded === true")  # never reloaded
    # the choice sticks: a page opened now is in Russian
    await timeline.reload()
    await expect(timeline.locator("html")).to_have_attribute("lang", "ru")
    await context.close()


async def test_an_english_only_edit_warns_and_the_russian_team_sees_it_marked(
    browser: Browser, exercise: Exercise
) -> None:
    await exercise.run(
        ("startex", {"by": "dina"}), ("release_now", {"by": "dina", "inject": "S-01"})
    )
    team_context = await tablet(browser)
    team = await join(team_context, await exercise.join_link("team:police"), "Police 1")
    await team.locator("[data-cr-language] button[value=ru]").click()
    await expect(team.locator("html")).to_have_attribute("lang", "ru")
    # the running tablet clock says the day in Russian, as the console does (not "D1")
    await team.wait_for_timeout(1500)  # past the tablet's own tick, which rewrites the text
    await expect(team.locator("#clock .clock-time")).to_contain_text("Д1", timeout=LIVE_MS)
    card = team.locator("#inject-S-01")
    await expect(card).to_be_visible(timeout=LIVE_MS)
    await expect(card.locator(".inject-behind")).to_have_count(0)

    context = await director(browser, exercise)
    page = await context.new_page()
    await page.goto(f"{exercise.server.url}/exercises/{exercise.id}/injects/S-01?edit=1")
    editor = page.locator("form[data-cr-editor]")
    columns = editor.locator(".edit-languages fieldset")
    await expect(columns).to_have_count(2)
    left, right = [await columns.nth(i).bounding_box() for i in range(2)]
    assert left and right and abs(left["y"] - right["y"]) < 2 and right["x"] > left["x"]
    warning = editor.locator(".edit-warning")
    await expect(warning).to_be_hidden()
    await editor.locator("textarea[name='body.en']").fill("She calls again: children on site.")
    await expect(warning).to_be_visible()
    await expect(warning).to_contain_text("You changed the English text but not the Русский")
    await expect(editor.locator("fieldset[data-language=ru]")).to_have_class("stack left-behind")
    await editor.locator("button[type=submit]").click()
    await expect(page.locator("#flash")).to_contain_text("Saved: version 2 of S-01 is in force.")
    await expect(page.locator(".edit-behind")).to_contain_text("Русский")

    # the Russian team's card: pushed live, the old text, marked, never a silent "updated"
    await expect(card).to_have_attribute("data-version", "2", timeout=LIVE_MS)
    await expect(card.locator(".inject-behind")).to_have_text("На этом языке ещё не обновлено")
    await expect(card.locator(".inject-behind-note")).to_contain_text("версии 1")
    await expect(card.locator(".inject-updated")).to_have_count(0)
    await context.close()
    await team_context.close()


async def test_the_clock_popovers_and_large_type(browser: Browser, exercise: Exercise) -> None:
    await exercise.run(("startex", {"by": "dina"}))
    context = await director(browser, exercise)
    page = await context.new_page()
    await page.goto(f"{exercise.server.url}/exercises/{exercise.id}")
    hold = page.locator("details.hold-details")
    speed = page.locator("details.more-details")
    await hold.locator("summary").click()
    await expect(hold.locator(".popover")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(hold.locator(".popover")).to_be_hidden()
    # one at a time: opening Speed closes Hold (they never overlap)
    await hold.locator("summary").click()
    await speed.locator("summary").click()
    await expect(speed.locator(".popover")).to_be_visible()
    await expect(hold.locator(".popover")).to_be_hidden()
    # a click outside closes it; typing inside does not
    await speed.locator("input[name=at]").fill("D1 14:00")
    await expect(speed.locator(".popover")).to_be_visible()
    await page.locator("h1, main").first.click(position={"x": 5, "y": 5})
    await expect(speed.locator(".popover")).to_be_hidden()

    toggle = page.locator("[data-large-type]")
    await expect(toggle).to_have_text("Large type")
    await toggle.click()
    await expect(toggle).to_have_text("Normal type")
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await page.reload()
    await expect(toggle).to_have_text("Normal type")  # kept in its cookie, label too
    await toggle.click()
    await expect(toggle).to_have_text("Large type")
    await context.close()
