"""Clock control: STARTEX, hold (with a reason), resume, speed, jump, ENDEX.

Design: docs/console.md. The exercise director owns the clock; every route here is a POST
for the director only. A jump and ENDEX ask for confirmation first.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import DIRECTING
from controlroom.exercise import commands
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.scenario.time import DAY, parse_time
from controlroom.web.auth import requires
from controlroom.web.console.actions import Command, act, field
from controlroom.web.console.pages import exercise_of

Gettext = Callable[..., str]

PREFIX = "/exercises/{exercise}/clock"


def scenario_time(form: FormData, name: str = "at") -> float:
    """A scenario time field (``D2 10:15``) in seconds, or a refusal the user can read."""
    try:
        return float(parse_time(field(form, name)))
    except ValueError:
        raise CommandRefused(Refusal.BAD_TIME) from None


def _startex(form: FormData, by: str) -> Command:
    at = scenario_time(form) if field(form, "at") else None
    return lambda state: commands.startex(state, by, at)


def _hold(form: FormData, by: str) -> Command:
    reason, shift = field(form, "reason"), field(form, "mode") != "releases"
    return lambda state: commands.hold(state, by, reason, shift)


def _resume(form: FormData, by: str) -> Command:
    return lambda state: commands.resume(state, by)


def _speed(form: FormData, by: str) -> Command:
    try:
        speed = float(field(form, "speed").replace(",", "."))
    except ValueError:
        raise CommandRefused(Refusal.BAD_NUMBER) from None
    return lambda state: commands.set_speed(state, by, speed)


def _jump(form: FormData, by: str) -> Command:
    at = scenario_time(form)
    return lambda state: commands.jump(state, by, at)


def _endex(form: FormData, by: str) -> Command:
    return lambda state: commands.endex(state, by)


@requires(DIRECTING)
async def startex(request: Request) -> Response:
    return await act(request, _startex, lambda form, _: _("STARTEX: the exercise has started."))


@requires(DIRECTING)
async def hold(request: Request) -> Response:
    return await act(
        request, _hold, lambda form, _: _("On hold: %(reason)s", reason=field(form, "reason"))
    )


@requires(DIRECTING)
async def resume(request: Request) -> Response:
    return await act(request, _resume, lambda form, _: _("The exercise has resumed."))


@requires(DIRECTING)
async def speed(request: Request) -> Response:
    return await act(
        request,
        _speed,
        lambda form, _: _("The clock now runs at ×%(speed)s.", speed=field(form, "speed")),
    )


@requires(DIRECTING)
async def jump(request: Request) -> Response:
    return await act(
        request,
        _jump,
        lambda form, _: _("The clock jumped to %(at)s.", at=field(form, "at")),
        confirm=lambda form, _: _(
            "Jump the scenario clock to %(at)s? Injects due before then are released at once.",
            at=field(form, "at"),
        ),
    )


@requires(DIRECTING)
async def endex(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    now = state.scenario_at(runtime.time.now())
    today = 1 if now is None else int(now // DAY) + 1
    days = state.scenario.days

    def question(form: FormData, _: Gettext) -> str:
        # ENDEX ends every remaining day: the overnight stop is a hold (docs/console.md)
        if today + 1 < days:
            ends = _("It ends the whole exercise: days %(first)d to %(last)d as well, not only "
                     "today.", first=today + 1, last=days)  # fmt: skip
        elif today + 1 == days:
            ends = _("It ends the whole exercise: day %(last)d as well, not only today.",
                     last=days)  # fmt: skip
        else:
            ends = _("It ends the whole exercise.")
        return " ".join(
            (
                _("End the exercise (ENDEX)?"),
                ends,
                _(
                    "Nothing more will be released, the tablets can change nothing more and the "
                    "join codes stop working; this cannot be undone."
                ),
                _(
                    "To stop for the night, use Hold… (stop the scenario clock) instead, and "
                    "Resume in the morning."
                ),
            )
        )

    return await act(
        request, _endex, lambda form, _: _("ENDEX: the exercise has ended."), confirm=question
    )


routes: list[BaseRoute] = [
    Route(f"{PREFIX}/startex", startex, methods=["POST"], name="clock_startex"),
    Route(f"{PREFIX}/hold", hold, methods=["POST"], name="clock_hold"),
    Route(f"{PREFIX}/resume", resume, methods=["POST"], name="clock_resume"),
    Route(f"{PREFIX}/speed", speed, methods=["POST"], name="clock_speed"),
    Route(f"{PREFIX}/jump", jump, methods=["POST"], name="clock_jump"),
    Route(f"{PREFIX}/endex", endex, methods=["POST"], name="clock_endex"),
]
