"""The console and the hub are one: a pushed row, request or device row is the rendered one.

The hub renders control's views with the console's templates and the same fragment context
(``controlroom.delivery.render.fragment_context``), so what a console page shows at load is
byte for byte what the socket later pushes, but for the session's CSRF field (frames are
shared by every console: htmx sends the token as a header, console.js adds it to plain forms).
"""

from __future__ import annotations

import dataclasses
import datetime
import re

from controlroom.delivery.projections import (
    control_inject_view,
    control_request_view,
    device_view,
    team_inject_view,
)
from controlroom.exercise import commands
from controlroom.live.runtime import ExerciseRuntime
from tests.support.console import Control

CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="[^"]*">')
BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")


def without_csrf(html: str) -> str:
    """The HTML without the session's CSRF field (and the blank line it leaves)."""
    return BLANK_LINES.sub("", CSRF_FIELD.sub("", html))


async def started(control: Control) -> ExerciseRuntime:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    return runtime


async def test_a_pushed_row_is_the_rendered_row(control: Control) -> None:
    runtime = await started(control)
    await control.post(f"/exercises/{runtime.id}/injects/S-04/release", {"team": "police"})
    await runtime.execute(lambda s: commands.acknowledge(s, "S-04", "police", "tab"))
    renderer = control.resources.delivery.feed(runtime.id).render
    for role, audience in (("director", "control"), ("observer", "observer")):
        page = without_csrf((await control.use(role).get(f"/exercises/{runtime.id}")).text)
        for inject in ("S-04", "S-01"):
            view = control_inject_view(runtime.state, inject)
            pushed = renderer.fragment(view, audience, "en")
            assert pushed.startswith(f'<li id="inject-row-{inject}"')
            assert without_csrf(pushed) in page, (role, inject)


async def test_a_pushed_request_is_the_rendered_request(control: Control) -> None:
    runtime = await started(control)
    await runtime.execute(
        lambda s: commands.send_request(s, "police", "tab", "interpreter", "Dari, please")
    )
    await runtime.execute(lambda s: commands.claim_request(s, "carl", "R001"))
    renderer = control.resources.delivery.feed(runtime.id).render
    view = control_request_view(runtime.state, runtime.state.requests["R001"])
    pushed = renderer.fragment(view, "control", "ru")
    assert "Переводчик" in pushed and "Команда полиции" in pushed  # kind and team, translated
    for path in ("", "/simcell"):
        page = await control.get(f"/exercises/{runtime.id}{path}?lang=ru")
        assert without_csrf(pushed) in without_csrf(page.text), path


async def test_the_preview_is_the_hubs_own_rendering(control: Control) -> None:
    runtime = await started(control)
    page = await control.get(f"/exercises/{runtime.id}/injects/S-04/preview?team=labour")
    card = re.search(r'<article id="inject-S-04".*?</article>', page.text, re.S)
    assert card is not None
    renderer = control.resources.delivery.feed(runtime.id).render
    release = runtime.state.releases["S-04", "labour"]
    at = re.search(r'<time datetime="([^"]+)"', card[0])
    assert at is not None
    wall = datetime.datetime.fromisoformat(at[1]).timestamp()
    team_time = runtime.state.team_now("labour", wall)  # the team's own clock, as if now
    shown = dataclasses.replace(release, released_at=wall, released_seq=0, released_team=team_time)
    expected = renderer.fragment(team_inject_view(runtime.state, shown), "team:labour", "en")
    assert card[0] == expected.strip()
    assert 'data-channel="news"' in card[0]


async def test_the_devices_page_is_a_live_console_page(control: Control) -> None:
    runtime = await started(control)
    await runtime.execute(lambda s: commands.join_device(s, "dev-1", "Tablet", team="police"))
    page = await control.get(f"/exercises/{runtime.id}/devices")
    assert page.status_code == 200
    assert 'id="console-live"' in page.text and 'id="clock"' in page.text  # socket, clock bar
    assert 'id="online-team-police"' in page.text and "0 devices online" in page.text
    assert 'id="presence-dev-1" class="presence offline"' in page.text
    renderer = control.resources.delivery.feed(runtime.id).render
    pushed = renderer.fragment(device_view(runtime.state, "dev-1"), "control", "en")
    assert without_csrf(pushed) in without_csrf(page.text)
    nav = re.search(r'<nav class="console-nav".*?</nav>', page.text, re.S)
    assert nav is not None
    assert f'href="/exercises/{runtime.id}/devices" aria-current="page"' in nav[0]
    assert f'href="/exercises/{runtime.id}/devices/sheet"' in nav[0]


async def test_only_the_director_has_the_devices_in_the_navigation(control: Control) -> None:
    runtime = await control.exercise()
    for role in ("controller", "observer"):
        page = await control.use(role).get(f"/exercises/{runtime.id}")
        assert f"/exercises/{runtime.id}/devices" not in page.text, role


async def test_the_boards_show_presence_elements_the_hub_updates(control: Control) -> None:
    runtime = await started(control)
    await runtime.execute(lambda s: commands.join_device(s, "dev-1", "Tablet", team="police"))
    await runtime.execute(lambda s: commands.join_device(s, "dev-2", "Phone", role="caller"))
    page = await control.get(f"/exercises/{runtime.id}/boards")
    assert 'id="online-team-police"' in page.text and 'id="online-actor-caller"' in page.text
    assert 'id="presence-dev-1"' in page.text


async def test_as_it_happened_is_in_scenario_time(control: Control) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex", {"at": "D1 09:40"})
    await control.post(f"/exercises/{runtime.id}/injects/S-04/release", {"team": "police"})
    page = await control.get(f"/exercises/{runtime.id}/injects/S-04")
    row = re.search(r'<tr id="release-police">.*?</tr>', page.text, re.S)
    assert row is not None and "D1 09:40" in row[0] and 'title="wall clock"' in row[0]
    timeline = await control.get(f"/exercises/{runtime.id}")
    cell = re.search(r'<li id="status-S-04-police".*?</li>', timeline.text, re.S)
    assert cell is not None and "&uarr;09:40</time>" in cell[0]
