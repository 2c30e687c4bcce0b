"""A team's dashboard: its injects live (newest first, or as a case file in order), its
requests to control and control's answers, its replies to injects and their threads; and the
channels as the fiction shows them (the mailbox, the news page, the calls), each a page of
the same live view showing only those channels. Design: docs/devices.md.

Everything of the exercise on this page comes from the audience filter (``live.live_view``);
acknowledging and requests go through the device's outbox over the socket (``outbox.js``,
docs/devices.md: each with an action id, applied once); the request form also posts here
(``request.sent``) for a page without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.exercise import commands
from controlroom.exercise.commands import CommandRefused
from controlroom.i18n import local
from controlroom.scenario.model import Scenario
from controlroom.web import params
from controlroom.web.auth import checked_form
from controlroom.web.devices.guard import DeviceAccess, device_page, translated
from controlroom.web.devices.live import page_context
from controlroom.web.resources import resources
from controlroom.web.templating import is_htmx

LAYOUTS = ("latest", "case-file")  # the dashboard's orders (?view=)
# the channels as the fiction shows them, each its own page of the same live view
CHANNEL_PAGES: dict[str, tuple[str, ...]] = {
    "mail": ("email",),
    "news": ("news", "social-post"),
    "calls": ("phone-call",),
}


@dataclass(frozen=True, slots=True)
class RequestChoice:
    """An entry of the scenario's request catalogue as a team sees it: never the answers."""

    id: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class RequestForm:
    kind: str = ""
    text: str = ""
    error: str = ""
    sent: bool = False


def request_choices(scenario: Scenario, language: str) -> list[RequestChoice]:
    original = scenario.original_language

    def text(value: Mapping[str, str] | None) -> str:
        return "" if not value else local(value, language, original)[0]

    return [RequestChoice(k.id, text(k.title), text(k.description)) for k in scenario.requests]


@device_page("team")
async def dashboard(request: Request, access: DeviceAccess) -> Response:
    return await _render(request, access, RequestForm())


@device_page("team")
async def ask(request: Request, access: DeviceAccess) -> Response:
    """A request to control (from the catalogue, or free text): ``request.sent``."""
    form = await checked_form(request, access.viewer)
    kind = params.text(form, "kind")
    text = params.text(form, "text")
    team, device = access.viewer.team or "", access.device.id
    try:
        await access.runtime.execute(
            lambda s: commands.send_request(s, team, device, kind or None, text)
        )
    except CommandRefused as refused:
        failed = RequestForm(
            kind, text, translated(request, access.language, refused, access.runtime.scenario)
        )
        if is_htmx(request):
            return _form(request, access, failed, 422)
        return await _render(request, access, failed, 422)
    if is_htmx(request):
        return _form(request, access, RequestForm(sent=True))
    return RedirectResponse(f"/exercises/{access.runtime.id}/team", status_code=303)


@device_page("team")
async def channel_page(request: Request, access: DeviceAccess) -> Response:
    """The mailbox, the news page or the calls: the live view showing those channels."""
    page = request.url.path.rsplit("/", 1)[-1]
    if page not in CHANNEL_PAGES:
        raise HTTPException(404)
    return await _render(request, access, RequestForm(), layout=page)


async def render_team_page(
    request: Request,
    access: DeviceAccess,
    form: RequestForm,
    status: int = 200,
    *,
    layout: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> Response:
    """A team page around the live view: the dashboard, a channel page, an opened inject."""
    return await _render(request, access, form, status, layout=layout, extra=extra)


async def _render(
    request: Request,
    access: DeviceAccess,
    form: RequestForm,
    status: int = 200,
    *,
    layout: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> Response:
    if layout is None:
        layout = request.query_params.get("view", LAYOUTS[0])
        layout = layout if layout in LAYOUTS else LAYOUTS[0]
    state = access.state
    team = next(t for t in state.scenario.teams if t.id == access.viewer.team)
    context = {
        **await page_context(request, access),
        "team_name": local(team.name, access.language, state.scenario.original_language)[0],
        "layout": layout,
        "channels": CHANNEL_PAGES.get(layout, ()),
        "choices": request_choices(state.scenario, access.language),
        "form": form,
        "open_inject": None,
        **(extra or {}),
    }
    return resources(request).pages.render(
        request, "team/dashboard.html", context, language=access.language, status=status
    )


def _form(request: Request, access: DeviceAccess, form: RequestForm, status: int = 200) -> Response:
    context = {
        "exercise": access.runtime.id,
        "choices": request_choices(access.state.scenario, access.language),
        "form": form,
    }
    return resources(request).pages.render(
        request, "team/request_form.html", context, language=access.language, status=status
    )


routes: list[BaseRoute] = [
    Route("/exercises/{exercise}/team", dashboard, name="team_dashboard"),
    Route("/exercises/{exercise}/team/requests", ask, methods=["POST"], name="team_request"),
    *(
        Route(f"/exercises/{{exercise}}/team/{page}", channel_page, name=f"team_{page}")
        for page in CHANNEL_PAGES
    ),
]
