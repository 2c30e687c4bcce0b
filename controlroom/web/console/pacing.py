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
from controlroom.exercise.pacing_events import TeamShifted
from controlroom.exercise.refusals import CommandRefused, Refusal, Translate
from controlroom.exercise.state import ExerciseState
from controlroom.web.auth import language_of, requires, viewer_of
from controlroom.web.console.actions import Command, act, field
from controlroom.web.console.pages import exercise_of
from controlroom.web.refusal import team_names
from controlroom.web.resources import resources
from controlroom.web.templating import hours_minutes

PREFIX = "/exercises/{exercise}/teams/{team}"
HOLD_MODES = ("clock", "releases")  # the hold form's radio: stop the team's time, or its releases


def _team(request: Request) -> str:
    return str(request.path_params["team"])


async def _names(request: Request) -> tuple[str, str]:
    """The team's display name and the viewer's language, for the message after a move."""
    runtime = await exercise_of(request)
    language = language_of(request, await viewer_of(request))
    return team_names(runtime.scenario, language)(_team(request)), language


@requires(CONTROLLING)
async def hold(request: Request) -> Response:
    team = _team(request)

    def command(form: FormData, by: str) -> Command:
        reason, mode = field(form, "reason"), field(form, "mode") or "clock"
        if mode not in HOLD_MODES:
            raise CommandRefused(Refusal.BAD_HOLD_MODE)
        shift = mode == "clock"
        return lambda state: commands.hold_team(state, by, team, reason, shift)

    name, _language = await _names(request)

    def done(form: FormData, _: Translate) -> str:
        if field(form, "mode") == "releases":
            message = "%(team)s: releases paused, its time runs on (%(reason)s)."
            return _(message, team=name, reason=field(form, "reason"))
        return _("%(team)s is on hold (%(reason)s).", team=name, reason=field(form, "reason"))

    return await act(request, command, done)


@requires(CONTROLLING)
async def resume(request: Request) -> Response:
    team = _team(request)
    name, _language = await _names(request)
    return await act(
        request,
        lambda form, by: lambda state: commands.resume_team(state, by, team),
        lambda form, _: _("%(team)s has resumed.", team=name),
    )


@requires(CONTROLLING)
async def shift(request: Request) -> Response:
    team = _team(request)
    wall = resources(request).time.now()
    name, language = await _names(request)
    shifted: list[TeamShifted] = []

    def command(form: FormData, by: str) -> Command:
        reason, to, written = field(form, "reason"), field(form, "to"), field(form, "minutes")
        minutes = None
        if written and not to:
            try:
                minutes = float(written.replace(",", "."))
            except ValueError:
                raise CommandRefused(Refusal.BAD_MINUTES) from None

        def run(state: ExerciseState) -> TeamShifted:
            event = commands.shift_team(
                state, by, team, reason, wall, minutes=minutes, to_inject=to or None
            )
            shifted.append(event)
            return event

        return run

    def done(form: FormData, _: Translate) -> str:
        if not shifted:
            return _("%(team)s: the schedule has moved.", team=name)
        seconds = shifted[-1].seconds
        length = hours_minutes(seconds, language)
        if seconds < 0:
            return _("%(team)s: the schedule moved %(length)s earlier.", team=name, length=length)
        return _("%(team)s: the schedule moved %(length)s later.", team=name, length=length)

    return await act(request, command, done)


routes: list[BaseRoute] = [
    Route(f"{PREFIX}/hold", hold, methods=["POST"], name="team_hold"),
    Route(f"{PREFIX}/resume", resume, methods=["POST"], name="team_resume"),
    Route(f"{PREFIX}/shift", shift, methods=["POST"], name="team_shift"),
]
