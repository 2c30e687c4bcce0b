"""Team dashboards and actor tablets in real Chromium at a 10-inch tablet's viewport.

Each test runs a real server (uvicorn, websockets) with the ``mini`` scenario: teams
``police`` and ``labour``, actor roles ``caller`` and ``worker``. Screenshots for the docs
go to ``docs/screenshots/``.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from playwright.async_api import Browser, WebSocketRoute, expect

from tests.e2e.devices_support import Exercise, director, exercise, join, tablet
from tests.support.browser import screenshot_path

__all__ = ["exercise"]  # the fixture, imported for pytest

CUT_OFF_SECONDS = 1.0
LIVE_MS = 5000
OFFLINE_SECONDS = 4.0
BACK_ONLINE_SECONDS = 1.5
# the console's row of an inject shows its cue as ready (a status badge, or a coloured dot)
CONSOLE_SHOWS_READY = """inject => {
  const row = document.getElementById("inject-row-" + inject);
  if (!row) return false;
  return row.querySelector(".cue-ready") !== null || /: Ready\\b/.test(row.textContent);
}"""


async def start_and_release(exercise: Exercise, *injects: str) -> None:
    steps: list[tuple[str, dict[str, Any]]] = []
    if not await exercise.events("clock.started"):
        steps.append(("startex", {"by": "dina"}))
    steps += [("release_now", {"by": "dina", "inject": inject}) for inject in injects]
    await exercise.run(*steps)


def adhoc(inject_id: str, to: list[str], marker: str, role: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": inject_id,
        "trigger": "manual",
        "channel": "email",
        "from": {"en": f"Sender {marker}"},
        "to": to,
        "title": {"en": f"Title {marker}", "ru": f"Заголовок {marker}"},
        "body": {"en": f"Body {marker}", "ru": f"Текст {marker}"},
        "notes": {"en": f"CONTROLLER-NOTE {marker}"},
        "expected_actions": [{"en": f"EXPECTED {marker}"}],
    }
    if role is not None:
        data["cues"] = [
            {
                "role": role,
                "where": {"en": f"Interview room {marker}"},
                "offset": "0m",
                "knows": {"en": f"KNOWS {marker}"},
                "reveals": [{"what": {"en": f"REVEALS {marker}"}, "condition": {"en": "asked"}}],
                "emotion": {"en": "Frightened"},
                "props": [{"en": "A red scarf"}],
            }
        ]
    return data


async def test_a_team_joins_by_qr_link_receives_acknowledges_and_asks(
    browser: Browser, exercise: Exercise
) -> None:
    context = await tablet(browser)
    page = await join(context, await exercise.join_link("team:police"), "Police tablet 1")
    assert page.url.endswith(f"/exercises/{exercise.id}/team")
    await expect(page.locator("#offline-banner")).to_be_hidden()

    await start_and_release(exercise, "S-01")
    card = page.locator("#inject-S-01")
    await expect(card).to_be_visible(timeout=LIVE_MS)
    await expect(card.locator(".exercise-mark").first).to_have_text("EXERCISE EXERCISE EXERCISE")
    await expect(page.locator("#alert-banner")).to_be_visible()
    await expect(page.locator("#unread")).to_have_text("Unread: 1")
    assert await page.title() == "(1) Police team · Control Room"

    await card.get_by_role("button", name="Acknowledge").click()
    await expect(card).to_have_attribute("data-status", "acknowledged", timeout=LIVE_MS)
    await expect(page.locator("#unread")).to_be_hidden()
    acknowledged = await exercise.events("inject.acknowledged")
    assert [(e["data"]["inject"], e["data"]["team"]) for e in acknowledged] == [("S-01", "police")]

    await page.select_option("select[name=kind]", "interpreter")
    await page.fill("textarea[name=text]", "A Dari interpreter at the site, please.")
    await page.get_by_role("button", name="Send to control").click()
    request = page.locator("#team-requests .request").first
    await expect(request).to_contain_text("Interpreter", timeout=LIVE_MS)
    await expect(request).to_contain_text("A Dari interpreter at the site")
    sent_item = page.locator("#outbox .outbox-item[data-type=request]")  # the device's outbox
    await expect(sent_item).to_have_attribute("data-state", "sent")
    sent = await exercise.events("request.sent")
    assert sent[0]["data"]["team"] == "police" and sent[0]["data"]["kind"] == "interpreter"

    await exercise.run(
        ("answer_request", {"by": "dina", "request": "R001", "answer": "in-an-hour"})
    )
    await expect(request).to_have_attribute("data-status", "answered", timeout=LIVE_MS)
    answer = page.locator("#inject-SIM-R001")
    await expect(answer).to_contain_text("An interpreter arrives in one hour.")
    # the thread shows control's answer in place, and still links the answer's card
    await expect(request.locator(".request-answer")).to_have_text(
        "An interpreter arrives in one hour."
    )
    await expect(request.locator("a[href='#inject-SIM-R001']")).to_be_visible()
    await expect(page.locator("#alert-banner")).to_contain_text("New inject: Interpreter")
    await page.screenshot(path=screenshot_path("team-dashboard.png"), full_page=True)
    await page.set_viewport_size({"width": 1920, "height": 1080})  # the team room's projector
    await page.screenshot(path=screenshot_path("team-projector.png"))
    await context.close()


async def test_an_actor_joins_gets_a_cue_marks_ready_and_the_console_sees_it(
    browser: Browser, exercise: Exercise
) -> None:
    context = await tablet(browser)
    page = await join(context, await exercise.join_link("actor:caller"), "Caller tablet")
    assert page.url.endswith(f"/exercises/{exercise.id}/actor")
    await expect(page.locator("#cue-S-01\\.1")).to_be_visible()
    group = page.locator("#cues-S-01")
    await expect(group).to_have_attribute("data-state", "planned")
    await expect(group.locator(".badge.status-planned")).to_have_text("Planned")
    console = await (await director(browser, exercise)).new_page()
    await console.goto(f"{exercise.server.url}/exercises/{exercise.id}")

    await exercise.run(("startex", {"by": "dina"}))
    # the cue group's state follows the clock: after STARTEX it is scheduled, live
    await expect(group).to_have_attribute("data-state", "scheduled", timeout=LIVE_MS)
    await expect(group.locator(".badge.status-scheduled")).to_have_text("Scheduled")
    marker = "CUE-ADHOC"
    await exercise.run(
        ("create_inject", {"by": "dina", "data": adhoc("AD-1", ["police"], marker, "caller")})
    )
    cue = page.locator("#cue-AD-1\\.1")
    await expect(cue).to_be_visible(timeout=LIVE_MS)
    await expect(cue).to_contain_text(f"Interview room {marker}")
    await expect(cue).to_contain_text(f"REVEALS {marker}")
    await expect(page.locator("#alert-banner")).to_contain_text("New cue")
    await expect(page.locator("#countdown")).to_be_visible()

    await cue.get_by_role("button", name="Ready").click()
    await expect(cue).to_have_attribute("data-status", "ready", timeout=LIVE_MS)
    await expect(cue).to_have_class(re.compile(r"\bcurrent\b"))  # the card to act on now
    statuses = await exercise.events("cue.status")
    assert [(e["data"]["cue"], e["data"]["status"]) for e in statuses] == [("AD-1.1", "ready")]
    await console.wait_for_function(CONSOLE_SHOWS_READY, arg="AD-1", timeout=LIVE_MS)

    await page.locator("#cue-S-01\\.1").scroll_into_view_if_needed()
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=screenshot_path("actor-cue-card.png"), full_page=False)
    await context.close()
    await console.context.close()


async def test_the_countdown_tells_the_actor_of_a_past_due_cue_until_it_is_marked(
    browser: Browser, exercise: Exercise
) -> None:
    """The caller's S-01 cue is due at D1 09:25; at 09:28, not marked, the countdown says it
    is overdue (not the 10:00 cue after it), in the device's language; Ready moves it on."""
    later = adhoc("AD-2", ["police"], "LATER", "caller") | {"trigger": None, "at": "D1 10:00"}
    await exercise.run(
        ("startex", {"by": "dina"}),
        ("create_inject", {"by": "dina", "data": later}),
        ("jump", {"by": "dina", "scenario_time": 9 * 3600 + 28 * 60}),  # D1 09:28
    )
    context = await tablet(browser)
    page = await join(context, await exercise.join_link("actor:caller"), "Caller tablet")
    countdown = page.locator("#countdown")
    await expect(countdown.locator(".countdown-label")).to_have_text("Overdue, not marked yet.")
    await expect(countdown.locator("strong")).to_have_text("Due 3 min ago")
    await expect(countdown.locator(".countdown-where")).to_have_text("Phone booth")
    await expect(countdown).to_have_attribute("data-state", "overdue")  # shown in red

    await page.goto(f"{exercise.server.url}/exercises/{exercise.id}/actor?lang=ru")
    await expect(countdown.locator(".countdown-label")).to_have_text("Просрочена, ещё не отмечена.")
    await expect(countdown.locator("strong")).to_have_text("Время было 3 мин назад")
    await page.goto(f"{exercise.server.url}/exercises/{exercise.id}/actor?lang=en")

    await page.locator("#cue-S-01\\.1").get_by_role("button", name="Ready").click()
    await expect(page.locator("#cue-S-01\\.1")).to_have_attribute("data-status", "ready")
    # marked: the countdown goes on to the next cue, 32 minutes ahead
    await expect(countdown).to_have_attribute("data-state", "next", timeout=LIVE_MS)
    await expect(countdown.locator(".countdown-label")).to_have_text("Next cue in")
    await expect(countdown.locator("strong")).to_have_text(re.compile(r"^3[12]:\d\d$"))
    await expect(countdown.locator(".countdown-where")).to_have_text("Interview room LATER")
    await context.close()


# Emoji and pictographs (Debian's Chromium at a venue has no emoji font: they show as boxes)
EMOJI = re.compile("[\u2190-\u2bff\u3297\u3299\ufe0f\U0001f000-\U0001faff]")
CHANNELS = {  # channel: its label on a team's card, in English and Russian
    "phone-call": ("Incoming call", "Входящий звонок"),
    "email": ("Email", "Электронное письмо"),
    "letter": ("Letter", "Письмо"),
    "walk-in": ("Walk-in", "Личный визит"),
    "field-event": ("Field event", "Событие на месте"),
    "document-pack": ("Document pack", "Пакет документов"),
    "news": ("News item", "Новость"),
    "social-post": ("Social media post", "Публикация в соцсетях"),
    "simcell-answer": ("Answer", "Ответ"),
}
# Each channel badge on the page: its text, the code points of its icon (markup and CSS
# ::before/::after) and its inline SVG icon's size.
CHANNEL_BADGES = """selector => Array.from(document.querySelectorAll(selector)).map(badge => {
  const icon = badge.querySelector("svg.icon");
  const box = icon ? icon.getBoundingClientRect() : null;
  return {
    channel: Array.from(badge.classList).find(c => c.startsWith("channel-")).slice(8),
    text: badge.textContent.trim(),
    markup: badge.outerHTML,
    before: getComputedStyle(badge, "::before").content,
    after: getComputedStyle(badge, "::after").content,
    hidden: icon ? icon.getAttribute("aria-hidden") : null,
    width: box ? box.width : 0,
    height: box ? box.height : 0,
  };
})"""

PAPERCLIP = """a => {
  const before = getComputedStyle(a, "::before");
  return { markup: a.outerHTML, content: before.content, image: before.backgroundImage,
           width: parseFloat(before.width) || 0, height: parseFloat(before.height) || 0 };
}"""


def check_channel_icons(badges: list[dict[str, Any]], language: int) -> None:
    for badge in badges:
        where = f"{badge['channel']}: {badge['markup']}"
        assert not EMOJI.search(badge["markup"] + badge["before"] + badge["after"]), where
        assert badge["width"] > 0 and badge["height"] > 0, where  # drawn, not an empty box
        assert badge["hidden"] == "true", where  # decorative: the label beside it says it
        if language >= 0:  # the team card's label, translated
            assert badge["text"] == CHANNELS[badge["channel"]][language], where


async def test_channel_icons_are_inline_svg_with_a_translated_label_not_emoji(
    browser: Browser, exercise: Exercise
) -> None:
    steps: list[tuple[str, dict[str, Any]]] = [("startex", {"by": "dina"})]
    for number, channel in enumerate(CHANNELS):
        data = adhoc(f"CH-{number}", ["police"], channel) | {"channel": channel}
        steps.append(("create_inject", {"by": "dina", "data": data}))
        steps.append(("release_now", {"by": "dina", "inject": f"CH-{number}"}))
    await exercise.run(*steps)
    context = await tablet(browser)
    page = await join(context, await exercise.join_link("team:police"), "Police tablet")
    await expect(page.locator("#team-injects .inject-card")).to_have_count(len(CHANNELS))
    for language, code in enumerate(("en", "ru")):
        await page.goto(f"{exercise.server.url}/exercises/{exercise.id}/team?lang={code}")
        badges = await page.evaluate(CHANNEL_BADGES, "#team-injects .badge.channel")
        assert {b["channel"] for b in badges} == set(CHANNELS)
        check_channel_icons(badges, language)
    # the S-02 passport scan's attachment: a paperclip drawn in SVG, not the emoji
    await exercise.run(("release_now", {"by": "dina", "inject": "S-02"}))
    link = page.locator("#inject-S-02 .inject-attachments a").first
    await expect(link).to_be_visible(timeout=LIVE_MS)
    clip = await link.evaluate(PAPERCLIP)
    assert not EMOJI.search(clip["markup"] + clip["content"]), clip
    assert clip["image"].endswith('/static/icons/attachment.svg")'), clip
    assert clip["width"] > 0 and clip["height"] > 0, clip
    icon = await page.request.get(f"{exercise.server.url}/static/icons/attachment.svg")
    assert icon.ok and "<svg" in await icon.text()
    await context.close()

    console = await (await director(browser, exercise)).new_page()
    for path in ("", "/injects/CH-1"):  # the timeline's rows, an inject's page
        await console.goto(f"{exercise.server.url}/exercises/{exercise.id}{path}")
        badges = await console.evaluate(CHANNEL_BADGES, "#main .badge.channel")
        assert badges
        check_channel_icons(badges, -1)
    await console.context.close()


async def test_a_revoked_tablet_is_cut_off_within_a_second_and_keeps_nothing(
    browser: Browser, exercise: Exercise
) -> None:
    context = await tablet(browser)
    page = await join(context, await exercise.join_link("team:police"), "Shared tablet")
    await start_and_release(exercise, "S-01")
    await expect(page.locator("#inject-S-01")).to_be_visible(timeout=LIVE_MS)
    joined = await exercise.events("device.joined")
    device = joined[-1]["data"]["device"]

    started = time.monotonic()
    await exercise.revoke(device)
    await page.wait_for_url("**/join/ended", timeout=CUT_OFF_SECONDS * 1000)
    assert time.monotonic() - started < CUT_OFF_SECONDS
    await expect(page.locator("body")).not_to_contain_text("A call about a building site")

    await page.go_back()
    await page.wait_for_load_state()
    assert "building site" not in await page.content()
    for path in ("team", "device", "injects/S-01/attachments/x.txt"):
        response = await page.goto(f"{exercise.server.url}/exercises/{exercise.id}/{path}")
        assert response is not None
        assert "building site" not in await page.content()
    assert await page.evaluate("localStorage.length") == 0
    await context.close()


class Cable:
    """Routes a tablet's websockets through the test so the test can pull the cable: the
    open sockets close, and (the context being offline) new ones fail to connect, so hx-ws
    backs off as it would on a real network."""

    def __init__(self) -> None:
        self.routes: list[WebSocketRoute] = []

    async def route(self, socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        self.routes.append(socket)

    async def pull(self) -> None:
        for socket in self.routes:
            await socket.close(code=1001, reason="no network")
        self.routes.clear()


async def test_a_tablet_that_loses_the_network_shows_a_banner_then_catches_up(
    browser: Browser, exercise: Exercise
) -> None:
    context = await tablet(browser)
    cable = Cable()
    await context.route_web_socket(re.compile(r"/socket$"), cable.route)
    page = await join(context, await exercise.join_link("team:police"), "Flaky tablet")
    await start_and_release(exercise, "S-01")
    await expect(page.locator("#inject-S-01")).to_be_visible(timeout=LIVE_MS)

    await context.set_offline(True)
    await cable.pull()
    await expect(page.locator("#offline-banner")).to_be_visible(timeout=LIVE_MS)
    await start_and_release(exercise, "S-03", "S-04")  # released while the tablet is away
    await expect(page.locator("#inject-S-01")).to_be_visible()  # the last cards stay
    await expect(page.locator("#inject-S-03")).to_have_count(0)
    # away long enough for hx-ws's backoff to reach seconds between tries (0.5, 1, 2, 4 s...)
    await asyncio.sleep(OFFLINE_SECONDS)

    back = time.monotonic()
    await context.set_offline(False)  # the browser's "online" event: reconnect at once
    await expect(page.locator("#offline-banner")).to_be_hidden(timeout=LIVE_MS * 2)
    assert time.monotonic() - back < BACK_ONLINE_SECONDS
    await expect(page.locator("#inject-S-04")).to_be_visible(timeout=LIVE_MS)
    order = await page.eval_on_selector_all(
        "#team-injects .inject-card", "cards => cards.map(c => c.dataset.inject)"
    )
    assert order == ["S-04", "S-03", "S-01"]  # newest first, each once
    await expect(page.locator("#unread")).to_have_text("Unread: 3")
    await context.close()


async def test_a_team_device_never_receives_another_teams_inject_or_any_cue(
    browser: Browser, exercise: Exercise
) -> None:
    context = await tablet(browser)
    frames: list[str] = []
    bodies: list[str] = []
    page = await context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))

    async def keep(response: Any) -> None:
        if "text" in (response.headers.get("content-type") or ""):
            bodies.append(await response.text())

    page.on("response", keep)
    await page.goto(await exercise.join_link("team:police"))
    await page.fill("input[name=name]", "Police tablet")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#device")

    secret = "LABOUR-ONLY-7731"
    await exercise.run(
        ("startex", {"by": "dina"}),
        ("create_inject", {"by": "dina", "data": adhoc("LB-1", ["labour"], secret, "worker")}),
        ("release_now", {"by": "dina", "inject": "LB-1"}),
        ("create_inject", {"by": "dina", "data": adhoc("PO-1", ["police"], "POLICE-OK", "caller")}),
        ("release_now", {"by": "dina", "inject": "PO-1"}),
        ("cue_status", {"role": "caller", "cue": "PO-1.1", "status": "ready", "device": "x"}),
    )
    await expect(page.locator("#inject-PO-1")).to_be_visible(timeout=LIVE_MS)
    await page.reload()  # the first render, after the fact, must hold nothing more
    await expect(page.locator("#inject-PO-1")).to_be_visible()
    await page.wait_for_timeout(500)

    forbidden = [
        secret,  # another team's inject and its cue
        "CONTROLLER-NOTE",  # controller notes
        "EXPECTED",  # expected player actions
        "KNOWS",  # what an actor's character knows
        "REVEALS",
        "Interview room",
        "Phone booth",  # the scenario's own cues
        "If asked gently",
        "Speaks only when no employer",  # an actor role's private notes
        "photo in the news",  # an inject not released yet
        "Caller hangs up",
    ]
    seen = {
        "page HTML": [await page.content()],
        "HTTP responses": bodies,
        "websocket frames": frames,
    }
    assert frames and bodies
    assert any("POLICE-OK" in frame for frame in frames)  # the channel works...
    for where, texts in seen.items():
        for text in texts:
            for word in forbidden:
                assert word not in text, f"{word!r} reached the team in {where}"
    await context.close()
