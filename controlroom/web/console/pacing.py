"""Team pacing on the console: hold, resume or shift one team, with a reason.

Design: docs/console.md. The director or a controller moves one team; every route is a POST
with the session's CSRF token (``actions.act``). Bad input (a number that is not one, an
unknown team or inject) is a refusal the user reads, never a 500.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import CONTROLLING
from controlroom.exercise import commands
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.web.auth import requires
from controlroom.web.console.actions import Command, act, field
from controlroom.web.resources import resources

PREFIX = "/exercises/{exercise}/teams/{team}"


def _team(request: Request) -> str:
    return str(request.path_params["team"])


@requires(CONTROLLING)
async def hold(request: Request) -> Response:
    team = _team(request)

    def command(form: FormData, by: str) -> Command:
        reason, shift = field(form, "reason"), field(form, "mode") != "releases"
        return lambda state: commands.hold_team(state, by, team, reason, shift)

    return await act(
        request,
        command,
        lambda form, _: _(
            "Team %(team)s on hold: %(reason)s", team=team, reason=field(form, "reason")
        ),
    )


@requires(CONTROLLING)
async def resume(request: Request) -> Response:
    team = _team(request)
    return await act(
        request,
        lambda form, by: lambda state: commands.resume_team(state, by, team),
        lambda form, _: _("Team %(team)s has resumed.", team=team),
    )


@requires(CONTROLLING)
async def shift(request: Request) -> Response:
    team = _team(request)
    wall = resources(request).time.now()

    def command(form: FormData, by: str) -> Command:
        reason, to, written = field(form, "reason"), field(form, "to"), field(form, "minutes")
        minutes = None
        if written and not to:
            try:
                minutes = float(written.replace(",", "."))
            except ValueError:
                raise CommandRefused(Refusal.BAD_NUMBER) from None
        return lambda state: commands.shift_team(
            state, by, team, reason, wall, minutes=minutes, to_inject=to or None
        )

    return await act(
        request, command, lambda form, _: _("Team %(team)s's schedule has moved.", team=team)
    )


routes: list[BaseRoute] = [
    Route(f"{PREFIX}/hold", hold, methods=["POST"], name="team_hold"),
    Route(f"{PREFIX}/resume", resume, methods=["POST"], name="team_resume"),
    Route(f"{PREFIX}/shift", shift, methods=["POST"], name="team_shift"),
]
