"""One inject: everything about it, what happened to it, and what control can do with it.

Design: docs/console.md. Release now (to all its teams or one) is for the director and the
controllers; hold, reschedule, edit (a new version) and cancel are the director's. The
preview renders the team's own fragment (``fragments/team_inject.html``), the very template
the hub sends to the team, so what control previews is what the team will see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import CONTROLLING, DIRECTING, STAFF, team_audience
from controlroom.delivery.projections import control_inject_view, team_inject_view
from controlroom.delivery.render import FrameRenderer
from controlroom.exercise import commands
from controlroom.exercise.cues import CueInstance
from controlroom.exercise.records import Request as SimCellRequest
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.i18n import LANGUAGE_NAMES
from controlroom.journal import Event
from controlroom.review.log import LogEntry, review_log
from controlroom.scenario.model import Channel, Inject
from controlroom.web import params
from controlroom.web.auth import language_of, requires, viewer_of
from controlroom.web.console.actions import Command, act, field, teams_field
from controlroom.web.console.clock import scenario_time
from controlroom.web.console.pages import exercise_of, render
from controlroom.web.refusal import team_names
from controlroom.web.resources import resources

PREFIX = "/exercises/{exercise}/injects/{inject}"
EDITABLE_TEXTS = ("title", "from", "body", "notes")
Say = Callable[..., str]


def answered_request(state: ExerciseState, inject: str) -> SimCellRequest | None:
    """The team's request whose SimCell answer ``inject`` is (None for a scenario inject)."""
    found = state.requests.get(inject.removeprefix("SIM-")) if inject.startswith("SIM-") else None
    return found if found is not None and found.answer_inject == inject else None


def inject_of(state: ExerciseState, request: Request) -> Inject:
    inject = state.injects.get(params.item_id(request, "inject"))
    if inject is None:
        raise HTTPException(404, "No such inject.")
    return inject


def history(events: list[Event], inject: str, names: Mapping[str, str]) -> list[LogEntry]:
    """The review log's entries about one inject, oldest first (``names``: account id ->
    display name): scenario time as it stood, who by name, the teams it concerns."""
    return [entry for entry in review_log(events, names) if entry.inject == inject]


def preview_html(
    state: ExerciseState,
    inject: str,
    team: str,
    language: str,
    renderer: FrameRenderer,
    wall: float,
) -> str:
    """The inject exactly as ``team`` will see it: the team's own fragment, rendered now by
    the hub's renderer, in the team's audience.

    An inject not yet released is shown as if it were released now, in its current version.
    """
    release = state.releases[inject, team]
    if release.released_at is None:
        release = dataclasses.replace(
            release, released_at=wall, released_seq=0, released_team=state.team_now(team, wall)
        )
    return renderer.fragment(team_inject_view(state, release), team_audience(team), language)


def cue_teams(state: ExerciseState, inject: str) -> dict[str, list[CueInstance]]:
    """Each cue of ``inject``, per team it is played for (status, time, reveals marked)."""
    found: dict[str, list[CueInstance]] = {}
    for item in state.cue_instances(inject=inject):
        found.setdefault(item.cue, []).append(item)
    for items in found.values():
        items.sort(key=lambda item: item.team)
    return found


@requires(STAFF)
async def detail(request: Request) -> Response:
    runtime = await exercise_of(request)
    state = runtime.state
    inject = inject_of(state, request)
    viewer = await viewer_of(request)
    language = language_of(request, viewer)
    recipients = state.recipients(inject.id)
    team = str(request.query_params.get("team") or recipients[0])
    if team not in recipients:
        team = recipients[0]
    res = resources(request)
    names = {a.name: a.display or a.name for a in await res.accounts.all()}
    row = control_inject_view(state, inject.id)
    context = {
        "inject": inject,
        "answering": answered_request(state, inject.id),
        "row": row,
        "cues": list(zip(row.cues, inject.cues, strict=True)),
        "cue_teams": cue_teams(state, inject.id),
        "version": state.versions[inject.id],
        "behind": [
            (LANGUAGE_NAMES.get(code, code), older)
            for code, older in sorted(state.behind.get(inject.id, {}).items())
        ],
        "language_names": LANGUAGE_NAMES,
        "history": history(await runtime.journal.read(), inject.id, names),
        "recipients": recipients,
        "preview_team": team,
        "preview": preview_html(
            state, inject.id, team, language, res.delivery.feed(runtime.id).render, res.time.now()
        ),
        "channels": [c.value for c in Channel if c is not Channel.SIMCELL_ANSWER],
    }
    return await render(request, "console/inject.html", context, runtime=runtime)


@requires(STAFF)
async def preview(request: Request) -> Response:
    """The team's view of the inject alone (the detail page swaps it in per team)."""
    runtime = await exercise_of(request)
    state = runtime.state
    inject = inject_of(state, request)
    team = str(request.query_params.get("team", ""))
    if team not in state.recipients(inject.id):
        raise HTTPException(404, "This inject does not go to that team.")
    viewer = await viewer_of(request)
    language = language_of(request, viewer)
    res = resources(request)
    renderer = res.delivery.feed(runtime.id).render
    html = preview_html(state, inject.id, team, language, renderer, res.time.now())
    context = {"inject": inject, "preview_team": team, "preview": html}
    return await render(request, "console/preview.html", context, runtime=runtime)


async def _team_name(request: Request) -> Callable[[str], str]:
    """A team's display name in the viewer's language (messages name teams, not ids)."""
    runtime = await exercise_of(request)
    return team_names(runtime.scenario, language_of(request, await viewer_of(request)))


def _teams(form: FormData, _: Say, name: Callable[[str], str]) -> str:
    team = field(form, "team")
    return name(team) if team else _("all its teams")


@requires(CONTROLLING)
async def release(request: Request) -> Response:
    inject = params.item_id(request, "inject")
    name = await _team_name(request)
    return await act(
        request,
        lambda form, by: lambda s: commands.release_now(s, by, inject, teams_field(form, s)),
        lambda form, _: _(
            "%(inject)s released to %(teams)s.", inject=inject, teams=_teams(form, _, name)
        ),
    )


@requires(DIRECTING)
async def hold(request: Request) -> Response:
    inject = params.item_id(request, "inject")
    return await act(
        request,
        lambda form, by: lambda s: commands.hold_inject(s, by, inject, teams_field(form, s)),
        lambda form, _: _("%(inject)s is held.", inject=inject),
    )


@requires(DIRECTING)
async def unhold(request: Request) -> Response:
    inject = params.item_id(request, "inject")
    return await act(
        request,
        lambda form, by: lambda s: commands.unhold_inject(s, by, inject, teams_field(form, s)),
        lambda form, _: _("%(inject)s is no longer held.", inject=inject),
    )


def _reschedule(inject: str) -> Any:
    def command_of(form: FormData, by: str) -> Command:
        at = scenario_time(form)
        return lambda s: commands.reschedule(s, by, inject, at, teams_field(form, s))

    return command_of


@requires(DIRECTING)
async def reschedule(request: Request) -> Response:
    inject = params.item_id(request, "inject")
    return await act(
        request,
        _reschedule(inject),
        lambda form, _: _("%(inject)s rescheduled to %(at)s.", inject=inject, at=field(form, "at")),
    )


@requires(DIRECTING)
async def cancel(request: Request) -> Response:
    inject = params.item_id(request, "inject")
    name = await _team_name(request)
    return await act(
        request,
        lambda form, by: lambda s: commands.cancel(s, by, inject, teams_field(form, s)),
        lambda form, _: _("%(inject)s is cancelled.", inject=inject),
        confirm=lambda form, _: _(
            "Cancel %(inject)s for %(teams)s? It will never be released to them.",
            inject=inject,
            teams=_teams(form, _, name),
        ),
    )


def edits(form: FormData, state: ExerciseState, inject: Inject) -> dict[str, Any]:
    """The fields of the edit form that differ from the inject's current version."""
    current = inject.model_dump(by_alias=True, exclude_none=True)
    changes: dict[str, Any] = {}
    for name in EDITABLE_TEXTS:
        texts = {
            language: field(form, f"{name}.{language}")
            for language in state.scenario.languages
            if field(form, f"{name}.{language}")
        }
        if name == "notes" and not texts:
            if current.get("notes"):
                changes["notes"] = None
            continue
        if texts != current.get(name):
            changes[name] = texts
    channel = field(form, "channel")
    if channel and channel != current["channel"]:
        changes["channel"] = channel
    return changes


def _edit(inject_id: str) -> Any:
    def command_of(form: FormData, by: str) -> Command:
        def decide(state: ExerciseState) -> commands.Decision:
            inject = state.injects.get(inject_id)
            if inject is None:
                raise CommandRefused(Refusal.NO_INJECT, inject=inject_id)
            changes = edits(form, state, inject)
            if not changes:
                raise CommandRefused(Refusal.NOTHING_CHANGED)
            return commands.edit(state, by, inject_id, changes)

        return decide

    return command_of


@requires(DIRECTING)
async def edit(request: Request) -> Response:
    inject = params.item_id(request, "inject")
    return await act(
        request,
        _edit(inject),
        lambda form, _: _("%(inject)s edited: a new version is in force.", inject=inject),
    )


routes: list[BaseRoute] = [
    Route(PREFIX, detail, name="inject"),
    Route(f"{PREFIX}/preview", preview, name="inject_preview"),
    Route(f"{PREFIX}/release", release, methods=["POST"], name="inject_release"),
    Route(f"{PREFIX}/hold", hold, methods=["POST"], name="inject_hold"),
    Route(f"{PREFIX}/unhold", unhold, methods=["POST"], name="inject_unhold"),
    Route(f"{PREFIX}/reschedule", reschedule, methods=["POST"], name="inject_reschedule"),
    Route(f"{PREFIX}/cancel", cancel, methods=["POST"], name="inject_cancel"),
    Route(f"{PREFIX}/edit", edit, methods=["POST"], name="inject_edit"),
]
