"""The team dashboard and the actor tablet: what their pages hold, and who may open them."""

from __future__ import annotations

import re
from typing import Any

from controlroom.access.sessions import SESSION_COOKIE
from controlroom.exercise import commands
from controlroom.exercise.events import EventType
from tests.support.devices import Venue, venue

__all__ = ["venue"]

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def labour_only(marker: str) -> dict[str, Any]:
    return {
        "id": "LB-1",
        "trigger": "manual",
        "channel": "email",
        "from": {"en": "Sender"},
        "to": ["labour"],
        "title": {"en": f"Title {marker}"},
        "body": {"en": f"Body {marker}"},
        "cues": [
            {
                "role": "worker",
                "where": {"en": f"Where {marker}"},
                "knows": {"en": "k"},
                "emotion": {"en": "e"},
            }
        ],
    }


async def release(venue: Venue, *injects: str) -> None:
    if not venue.state.started:
        await venue.run(lambda s: commands.startex(s, "dina"))
    for inject in injects:
        await venue.run(lambda s, i=inject: commands.release_now(s, "dina", i))


async def test_a_team_page_holds_its_own_released_injects_and_nothing_else(venue: Venue) -> None:
    await release(venue, "S-01")
    await venue.run(lambda s: commands.create_inject(s, "dina", labour_only("LABOUR-SECRET")))
    await release(venue, "LB-1")
    await venue.join("team:police")
    page = await venue.client.get(f"/exercises/{venue.id}/team")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert 'id="inject-S-01"' in html
    assert "A call about a building site" in html
    assert "EXERCISE EXERCISE EXERCISE" in html
    for forbidden in (
        "LABOUR-SECRET",  # another team's inject, and its cue
        "Caller hangs up",  # controller notes
        "Record the call",  # expected actions
        "Phone booth",  # the actor's cue on this very inject
        "If asked gently",
        "A victim's photo",  # not released
        "Passport scan",  # waiting for its trigger
        "Speaks only when no employer",  # an actor role's private notes
        "in-an-hour",  # control's prepared answers
    ):
        assert forbidden not in html, forbidden


async def test_the_page_resumes_the_socket_where_its_view_ends(venue: Venue) -> None:
    await release(venue, "S-01")
    await venue.join("team:police")
    page = await venue.client.get(f"/exercises/{venue.id}/team")
    # showing an inject no device of the team had received marks it delivered
    delivered = [e for e in await venue.runtime.journal.read() if e.type == "inject.delivered"]
    assert [(e.data["inject"], e.data["team"]) for e in delivered] == [("S-01", "police")]
    assert f'data-cr-seq="{venue.state.seq}"' in page.text
    feed = venue.resources.delivery.feed(venue.id)
    assert f'data-cr-epoch="{feed.epoch}"' in page.text
    assert f'hx-ws:connect="/exercises/{venue.id}/socket"' in page.text
    assert 'data-status="delivered"' in page.text


async def test_an_actor_page_holds_its_own_cues_but_no_inject_content(venue: Venue) -> None:
    await venue.join("actor:caller")
    page = await venue.client.get(f"/exercises/{venue.id}/actor")
    assert page.status_code == 200
    html = page.text
    assert 'id="cue-S-01.1"' in html
    assert "Phone booth" in html and "If asked gently" in html and "Nervous" in html
    for forbidden in (
        "A woman says workers sleep",  # the inject's body
        "Caller hangs up",  # controller notes
        "Where the passports are kept",  # another role's cue
        "Speaks only when no employer",  # another role's private notes
    ):
        assert forbidden not in html, forbidden


async def test_each_kind_of_device_opens_only_its_own_page(venue: Venue) -> None:
    await venue.join("actor:caller")
    assert (await venue.client.get(f"/exercises/{venue.id}/team")).status_code == 403
    await venue.join("team:police")
    assert (await venue.client.get(f"/exercises/{venue.id}/actor")).status_code == 403
    venue.use("")
    anonymous = await venue.client.get(f"/exercises/{venue.id}/team")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/")
    venue.use(venue.director)
    director = await venue.client.get(f"/exercises/{venue.id}/team")
    assert (director.status_code, director.headers["location"]) == (303, "/")


async def test_a_device_of_another_exercise_gets_nothing_here(venue: Venue) -> None:
    await venue.join("team:police")
    other = await venue.resources.exercises.create(
        venue.resources.scenarios.get("mini"), "Other", "dina"
    )
    response = await venue.client.get(f"/exercises/{other.id}/team")
    assert (response.status_code, response.headers["location"]) == (303, "/")


async def test_a_revoked_device_is_cut_off_and_told_to_forget(venue: Venue) -> None:
    tablet = await venue.join("team:police")
    await venue.run(lambda s: commands.revoke_device(s, "dina", tablet.device))
    response = await venue.client.get(f"/exercises/{venue.id}/team")
    assert (response.status_code, response.headers["location"]) == (303, "/join/ended")
    assert response.headers["clear-site-data"] == '"cache", "storage"'
    assert await venue.resources.sessions.get(tablet.cookie) is None
    htmx = await venue.use(tablet.cookie).client.get(
        f"/exercises/{venue.id}/team", headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 303  # the session is gone: plain sign-in redirect now
    ended = await venue.client.get("/join/ended")
    assert ended.status_code == 200 and "left the exercise" in ended.text


async def test_a_revoked_device_asking_through_htmx_is_redirected_by_header(venue: Venue) -> None:
    tablet = await venue.join("team:police")
    await venue.run(lambda s: commands.revoke_device(s, "dina", tablet.device))
    response = await venue.client.post(
        f"/exercises/{venue.id}/team/requests",
        data={"text": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.headers["hx-redirect"] == "/join/ended"
    assert not venue.state.requests


async def test_leaving_revokes_the_device_and_clears_the_browser(venue: Venue) -> None:
    tablet = await venue.join("team:police")
    csrf = await venue.csrf(f"/exercises/{venue.id}/team")
    response = await venue.client.post(f"/exercises/{venue.id}/device/leave", data={"csrf": csrf})
    assert (response.status_code, response.headers["location"]) == (303, "/join/ended")
    assert response.headers["clear-site-data"] == '"cache", "storage"'
    assert venue.state.devices[tablet.device].revoked
    assert await venue.resources.sessions.get(tablet.cookie) is None
    assert 'cr_session=""' in response.headers["set-cookie"]


async def test_leaving_needs_the_csrf_token(venue: Venue) -> None:
    tablet = await venue.join("team:police")
    response = await venue.client.post(f"/exercises/{venue.id}/device/leave", data={})
    assert response.status_code == 403
    assert not venue.state.devices[tablet.device].revoked


async def test_a_device_keeps_the_language_it_picks(venue: Venue) -> None:
    await release(venue, "S-01")
    tablet = await venue.join("team:police")
    switched = await venue.client.get(f"/exercises/{venue.id}/team?lang=ru", headers=SAME_SITE)
    assert (switched.status_code, switched.headers["location"]) == (
        303,
        f"/exercises/{venue.id}/team",
    )
    cookie = switched.cookies[SESSION_COOKIE]
    assert cookie != tablet.cookie
    session = await venue.resources.sessions.get(cookie)
    assert session is not None and session["language"] == "ru"
    assert session["device"] == tablet.device
    page = await venue.use(cookie).client.get(f"/exercises/{venue.id}/team")
    assert "Звонок о стройке" in page.text  # the inject, in the scenario's Russian
    assert "Запрос группе управления" in page.text  # the interface
    assert '<html lang="ru">' in page.text


async def test_another_site_cannot_change_a_devices_language(venue: Venue) -> None:
    tablet = await venue.join("team:police")
    response = await venue.client.get(
        f"/exercises/{venue.id}/team?lang=ru", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 303
    assert SESSION_COOKIE not in response.cookies
    session = await venue.resources.sessions.get(tablet.cookie)
    assert session is not None and session["language"] == "en"


async def test_a_team_asks_control_from_the_catalogue_or_in_free_text(venue: Venue) -> None:
    tablet = await venue.join("team:police")
    path = f"/exercises/{venue.id}/team/requests"
    csrf = await venue.csrf(f"/exercises/{venue.id}/team")
    picked = await venue.client.post(
        path,
        data={"csrf": csrf, "kind": "interpreter", "text": "Dari"},
        headers={"HX-Request": "true"},
    )
    assert picked.status_code == 200
    assert picked.text.lstrip().startswith('<form id="request-form"')
    assert "Sent to control" in picked.text
    free = await venue.client.post(path, data={"csrf": csrf, "text": "A warrant for the flat"})
    assert (free.status_code, free.headers["location"]) == (303, f"/exercises/{venue.id}/team")
    sent = [e.data for e in await venue.runtime.journal.read() if e.type == EventType.REQUEST_SENT]
    assert [(d["team"], d["kind"], d["text"], d["device"]) for d in sent] == [
        ("police", "interpreter", "Dari", tablet.device),
        ("police", None, "A warrant for the flat", tablet.device),
    ]


async def test_an_empty_request_is_refused_in_the_devices_language(venue: Venue) -> None:
    await venue.join("team:police", language="ru")
    csrf = await venue.csrf(f"/exercises/{venue.id}/team")
    refused = await venue.client.post(
        f"/exercises/{venue.id}/team/requests",
        data={"csrf": csrf, "kind": "", "text": "  "},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422
    assert "Опишите, что вы запрашиваете" in refused.text
    assert not venue.state.requests
    unknown = await venue.client.post(
        f"/exercises/{venue.id}/team/requests",
        data={"csrf": csrf, "kind": "no-such-kind", "text": "x"},
    )
    assert unknown.status_code == 422
    assert "Неизвестный тип запроса" in unknown.text


async def test_the_request_form_offers_the_catalogue_without_its_answers(venue: Venue) -> None:
    await venue.join("team:police")
    page = await venue.client.get(f"/exercises/{venue.id}/team")
    options = re.findall(r'<option value="([^"]*)"', page.text)
    assert options == ["", "interpreter"]
    assert "An interpreter arrives in one hour" not in page.text


async def test_the_case_file_is_the_same_injects_in_order(venue: Venue) -> None:
    await venue.join("team:police")
    latest = await venue.client.get(f"/exercises/{venue.id}/team")
    assert "layout-latest" in latest.text
    case_file = await venue.client.get(f"/exercises/{venue.id}/team?view=case-file")
    assert "layout-case-file" in case_file.text
    odd = await venue.client.get(f"/exercises/{venue.id}/team?view=<script>")
    assert "layout-latest" in odd.text and "<script>" not in odd.text.split("<main")[1]


async def test_device_pages_link_the_icon(venue: Venue) -> None:
    icon = '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">'
    await venue.join("team:police")
    team = await venue.client.get(f"/exercises/{venue.id}/team")
    assert team.status_code == 200 and icon in team.text
    await venue.join("actor:caller")
    actor = await venue.client.get(f"/exercises/{venue.id}/actor")
    assert actor.status_code == 200 and icon in actor.text
