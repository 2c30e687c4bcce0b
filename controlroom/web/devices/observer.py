"""``/exercises/{exercise}/observe``: an observer records observations at 800x1280.

Design: docs/devices.md ("Observers"). Two kinds of observer use the same page: a tablet
joined by the observers' QR code (a device with the role ``observer``), and a staff account
(observer, controller, director: then inside the console). The form asks team, objective,
then that objective's tasks only, P/S/M/U, the text and optionally the inject it is about
(only injects released to the chosen team; any inject for an observation about control);
the scenario time is recorded by the fold as the clock stood. With JavaScript the form goes
through the device's outbox over the socket (``observe``/``withdraw`` messages, docs/protocol.md),
so it works offline and is applied once; without, it posts here. The author (or the director)
corrects an observation (``?correct=<seq>``) or withdraws it; the journal keeps every version.
When a frame arrives the page fetches ``?part=live`` once: the inject options and the
observer's own list together (the list is per observer, so no socket frame carries it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import DIRECTING, STAFF, active_device
from controlroom.delivery.projections import control_clock_view
from controlroom.exercise import commands
from controlroom.exercise.commands import CommandRefused, Observed
from controlroom.exercise.state import Device, ExerciseState, Note
from controlroom.i18n import local
from controlroom.live.runtime import ExerciseRuntime
from controlroom.web import params
from controlroom.web.auth import Viewer, checked_form, current_viewer, language_of
from controlroom.web.console.pages import render
from controlroom.web.devices.guard import cut_off, translated
from controlroom.web.params import BAD_FIELD, is_item_id
from controlroom.web.resources import resources

PATH = "/exercises/{exercise}/observe"
# ``?part=``: the page's blocks; ``live`` is what observe.js fetches when a frame arrives,
# the inject options and the observer's list in one request
PARTS: dict[str, str | tuple[str, ...] | None] = {
    "": None,
    "mine": "mine",
    "injects": "injects",
    "live": ("injects", "mine"),
}


@dataclass(frozen=True, slots=True)
class Observer:
    """Who is observing: an account (``by``) or an observer's tablet (``device``)."""

    viewer: Viewer
    runtime: ExerciseRuntime
    device: Device | None

    @property
    def by(self) -> str:
        return "" if self.device else self.viewer.name

    @property
    def device_id(self) -> str:
        return self.device.id if self.device else ""

    @property
    def director(self) -> bool:
        return self.device is None and self.viewer.role in DIRECTING

    def may_change(self, note: Note) -> bool:
        return self.director or (note.by, note.device) == (self.by, self.device_id)


Endpoint = Callable[[Request, Observer], Awaitable[Response]]


def observer_page(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """An observer's tablet of this exercise, or a staff account; nobody else."""

    @wraps(endpoint)
    async def guarded(request: Request) -> Response:
        viewer = await current_viewer(request)
        exercise_id = params.exercise_id(request)
        if viewer is None:
            if request.method == "GET":
                return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
            raise HTTPException(401, "Sign in first.")
        if viewer.kind == "device":
            if viewer.exercise != exercise_id:
                raise HTTPException(403, "This device has not joined this exercise.")
            try:
                runtime = await resources(request).exercises.get(exercise_id)
            except KeyError:
                return await cut_off(request)
            device = active_device(runtime.state, viewer.device)
            if device is None:
                return await cut_off(request)
            if not device.observer:
                raise HTTPException(403, "This page is for another kind of device.")
            return await endpoint(request, Observer(viewer, runtime, device))
        if viewer.role not in STAFF:
            raise HTTPException(403, "Your role cannot do this.")
        return await endpoint(request, Observer(viewer, await params.exercise(request), None))

    return guarded


def released_injects(state: ExerciseState) -> list[tuple[str, Any, list[str]]]:
    """Every inject with the teams it has been released to (id, title, teams)."""
    return [
        (
            inject_id,
            inject.title,
            [r.team for r in state.releases_of(inject_id) if r.released_at is not None],
        )
        for inject_id, inject in state.injects.items()
    ]


def mine(state: ExerciseState, observer: Observer) -> list[Note]:
    """The observations this observer may change (the director: all), newest first."""
    found = [n for n in state.observations.values() if observer.may_change(n)]
    return sorted(found, key=lambda n: n.seq, reverse=True)


@observer_page
async def page(request: Request, observer: Observer) -> Response:
    return await _render(request, observer)


async def _render(
    request: Request, observer: Observer, error: str = "", status: int = 200
) -> Response:
    state = observer.runtime.state
    correcting = _correcting(request, observer)
    part = request.query_params.get("part", "")
    if part not in PARTS:
        raise HTTPException(400, BAD_FIELD)
    context: dict[str, Any] = {
        "observer": observer,
        "on_device": observer.device is not None,
        "injects": released_injects(state),
        "mine": mine(state, observer),
        "correcting": correcting,
        "error": error,
        "max_message_bytes": resources(request).settings.max_message_bytes,
        "outbox_device": {"id": observer.device_id or f"user-{observer.viewer.name}"},
    }
    block = PARTS[part]
    if observer.device is None:
        return await render(
            request,
            "observe/page.html",
            context,
            runtime=observer.runtime,
            status=status,
            block=block,
        )
    return _device_render(request, observer, context, status, block)


def _device_render(
    request: Request,
    observer: Observer,
    context: dict[str, Any],
    status: int,
    block: str | tuple[str, ...] | None,
) -> Response:
    res = resources(request)
    runtime, language = observer.runtime, observer.viewer.language
    state = runtime.state

    def text(value: Mapping[str, str]) -> str:
        return local(value, language, state.scenario.original_language)[0]

    clock = res.pages.fragment(
        "fragments/control/clock.html", {"view": control_clock_view(state), "oob": False}, language
    )
    context |= {
        "viewer": None,  # a tablet leaves with its own button
        "device": observer.device,
        "exercise": runtime.id,
        "exercise_name": state.name,
        "state": state,
        "scenario": state.scenario,
        "text": text,
        "team_names": {t.id: text(t.name) for t in state.scenario.teams},
        "clock_html": Markup(clock),  # rendered by the autoescaping fragment template
        "live": {
            "epoch": res.delivery.feed(runtime.id).epoch,
            "seq": state.seq,
            "heartbeat": res.settings.heartbeat_seconds,
            "server_now": res.time.now(),
        },
    }
    return res.pages.render(
        request, "observe/page.html", context, language=language, status=status, block=block
    )


def _correcting(request: Request, observer: Observer) -> Note | None:
    wanted = request.query_params.get("correct")
    if wanted is None:
        return None
    if not wanted.isdigit() or len(wanted) > 12:
        raise HTTPException(400, BAD_FIELD)
    note = observer.runtime.state.observations.get(int(wanted))
    if note is None or note.withdrawn or not observer.may_change(note):
        raise HTTPException(404, "No such observation.")
    return note


def _choice(form: FormData, name: str) -> str | None:
    value = params.text(form, name)
    if value and not is_item_id(value):
        raise HTTPException(400, BAD_FIELD)
    return value or None


@observer_page
async def record(request: Request, observer: Observer) -> Response:
    """Without JavaScript: a new observation, or (``observation``) a new version of one."""
    form = await checked_form(request, observer.viewer)
    number = params.text(form, "observation")
    if number and not number.isdigit():
        raise HTTPException(400, BAD_FIELD)
    observed = Observed(
        params.text(form, "text"),
        params.text(form, "objective"),
        _choice(form, "task"),
        _choice(form, "rating"),
        _choice(form, "team"),
        _choice(form, "inject"),
    )
    by, device, director = observer.by, observer.device_id, observer.director

    def decide(state: ExerciseState) -> commands.Decision | None:
        if number:
            return commands.correct_observation(
                state, by, int(number), observed, director=director, device=device
            )
        return commands.add_observation(
            state,
            by,
            observed.text,
            observed.objective,
            task=observed.task,
            rating=observed.rating,
            team=observed.team,
            inject=observed.inject,
            device=device,
        )

    return await _run(request, observer, decide)


@observer_page
async def withdraw(request: Request, observer: Observer) -> Response:
    await checked_form(request, observer.viewer)
    number = request.path_params["observation"]
    if not str(number).isdigit() or len(str(number)) > 12:
        raise HTTPException(400, BAD_FIELD)
    by, device, director = observer.by, observer.device_id, observer.director
    return await _run(
        request,
        observer,
        lambda s: commands.withdraw_observation(
            s, by, int(number), director=director, device=device
        ),
    )


async def _run(
    request: Request, observer: Observer, decide: Callable[[ExerciseState], Any]
) -> Response:
    try:
        await observer.runtime.execute(decide)
    except CommandRefused as refused:
        language = language_of(request, observer.viewer)
        message = translated(request, language, refused, observer.runtime.scenario)
        return await _render(request, observer, message, status=422)
    return RedirectResponse(f"/exercises/{observer.runtime.id}/observe", status_code=303)


routes: list[BaseRoute] = [
    Route(PATH, page, name="observe"),
    Route(PATH, record, methods=["POST"], name="observe_record"),
    Route(f"{PATH}/{{observation}}/withdraw", withdraw, methods=["POST"], name="observe_withdraw"),
]
