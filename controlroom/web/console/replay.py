"""Replay on the console: "view as team X at D2 11:40", read-only. Design: docs/review.md.

The page folds the journal up to the moment (``controlroom.review.replay``) and renders that
audience's view with the same fragments a live page uses, inside a disabled fieldset, with no
socket (nothing live swaps into it) and no form that posts: a replay never writes. The
fragments see ``read_only``: no acknowledge, cue or reveal buttons, no form and no link that
leaves the replay (to a team's inject page, a request, an inject, an attachment). Control
and observers may open it (``STAFF``): it shows no more than they see live.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.identity import actor_audience, team_audience
from controlroom.access.permissions import STAFF
from controlroom.delivery.render import fragment_context
from controlroom.review.replay import NoSuchMoment, Replay, moment_at, moment_of, replay
from controlroom.scenario.time import parse_time
from controlroom.web.auth import language_of, requires, viewer_of
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.params import BAD_FIELD

PATH = "/exercises/{exercise}/replay"


def _(message: str) -> str:
    return message


BAD_MOMENT = _("That is not a moment of this exercise: give a scenario time such as D2 11:40.")


@requires(STAFF)
async def replay_page(request: Request) -> Response:
    runtime = await exercise_of(request)
    scenario = runtime.state.scenario
    audiences = ["control"] + [team_audience(t) for t in scenario.team_ids]
    audiences += [actor_audience(r.id) for r in scenario.roles]
    query = request.query_params
    audience, at, seq = query.get("audience", ""), query.get("at", "").strip(), query.get("seq")
    replayed: Replay | None = None
    if audience or at or seq:
        if audience not in audiences or len(at) > 20 or (seq is not None and not seq.isdigit()):
            raise HTTPException(400, BAD_FIELD)
        events = await runtime.journal.read()
        try:
            if seq:
                moment = moment_of(events, int(seq))
            else:
                moment = moment_at(events, parse_time(at, days=scenario.days))
        except (NoSuchMoment, ValueError):
            raise HTTPException(400, BAD_MOMENT) from None
        replayed = replay(events, audience, moment, runtime.id)
    context: dict[str, Any] = {
        "audiences": audiences,
        "chosen": audience,
        "at": at,
        "replayed": replayed,
        "live": None,
    }
    if replayed is not None:
        viewer = await viewer_of(request)
        shown = fragment_context(
            runtime.id, audience, language_of(request, viewer), scenario.original_language
        )
        context |= {k: v for k, v in shown.items() if k in ("audience", "marked", "prose")}
        context |= {"can_control": False, "read_only": True, "replay_state": replayed.state}
    return await render(request, "console/replay.html", context, runtime=runtime)


routes: list[BaseRoute] = [Route(PATH, replay_page, name="replay")]
