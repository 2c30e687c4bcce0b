"""The ad-hoc inject composer: an inject written during the exercise. Design: docs/console.md.

The director picks a channel, the recipients, writes the text in one language, may attach
one of the scenario's attachments and give an actor a cue, and sends it now, at a scenario
time, or keeps it for a manual release. It becomes an ``inject.created`` event (plus an
``inject.released`` one when sent now), so the after-action review sees it like any other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from controlroom.access.permissions import DIRECTING
from controlroom.exercise import commands
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.scenario.model import Channel, attachment_key
from controlroom.web.auth import checked_form, language_of, requires, viewer_of
from controlroom.web.console.actions import field, refused
from controlroom.web.console.pages import exercise_of, render, safe_next
from controlroom.web.refusal import refusal_text
from controlroom.web.resources import resources
from controlroom.web.templating import is_htmx

PATH = "/exercises/{exercise}/adhoc"
WHEN = ("now", "at", "manual")
_ADHOC = re.compile(r"^ADHOC-(\d+)$")


def attachments_of(request: Request, state: ExerciseState) -> list[str]:
    """The scenario's attachment files an ad-hoc inject may carry."""
    folder: Path = resources(request).scenarios.attachments_dir(state.scenario.id)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


_VARIANT = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3})(?P<ext>\.[^.]+)$")


def attachment_with_variants(
    name: str, attachments: list[str], state: ExerciseState
) -> str | dict[str, Any]:
    """A chosen file, with its siblings in the scenario's other languages when it has them
    (``bus-manifest.en.md`` -> ``{files: {en: .., ru: bus-manifest.ru.md}}``): each device
    then gets its own language's file, as for a scenario's own attachments."""
    match = _VARIANT.match(name)
    languages = state.scenario.languages
    if match is None or match["lang"] not in languages:
        return name
    files = {
        lang: f"{match['stem']}.{lang}{match['ext']}"
        for lang in languages
        if f"{match['stem']}.{lang}{match['ext']}" in attachments
    }
    return {"id": attachment_key(name), "files": files}


def next_id(state: ExerciseState) -> str:
    numbers = [int(m[1]) for i in state.injects if (m := _ADHOC.match(i))]
    return f"ADHOC-{max(numbers, default=0) + 1:02d}"


def inject_data(
    form: FormData, state: ExerciseState, attachments: list[str], inject_id: str
) -> dict[str, Any]:
    """The composer's form as scenario inject data (validated by the command)."""
    language = field(form, "language") or state.scenario.original_language
    if language not in state.scenario.languages:
        raise CommandRefused(Refusal.BAD_LANGUAGE)

    def text(name: str) -> dict[str, str]:
        value = field(form, name)
        return {language: value} if value else {}

    if not (field(form, "from") and field(form, "title") and field(form, "body")):
        raise CommandRefused(Refusal.ADHOC_INCOMPLETE)
    recipients = [str(t) for t in form.getlist("to") if str(t)]
    if not recipients:
        raise CommandRefused(Refusal.NO_TEAMS_PICKED)
    when = field(form, "when") or "now"
    if when not in WHEN:
        raise CommandRefused(Refusal.NO_WHEN)
    data: dict[str, Any] = {
        "id": inject_id,
        "channel": field(form, "channel"),
        "from": text("from"),
        "to": "all" if "all" in recipients else recipients,
        "title": text("title"),
        "body": text("body"),
    }
    if field(form, "case"):
        data["case"] = field(form, "case")
    if field(form, "notes"):
        data["notes"] = text("notes")
    attachment = field(form, "attachment")
    if attachment:
        if attachment not in attachments:
            raise CommandRefused(Refusal.NO_ATTACHMENT)
        data["attachments"] = [attachment_with_variants(attachment, attachments, state)]
    if when == "at":
        data["at"] = field(form, "at")
    elif when == "manual":
        data["trigger"] = "manual"
    role = field(form, "cue.role")
    if role:
        if not all(field(form, f"cue.{name}") for name in ("where", "knows", "emotion")):
            raise CommandRefused(Refusal.CUE_INCOMPLETE)
        data["cues"] = [
            {
                "role": role,
                "where": text("cue.where"),
                "knows": text("cue.knows"),
                "emotion": text("cue.emotion"),
                "offset": field(form, "cue.offset") or "0m",
            }
        ]
    return data


async def _context(request: Request, state: ExerciseState) -> dict[str, Any]:
    viewer = await viewer_of(request)
    language = language_of(request, viewer)
    return {
        "channels": [c.value for c in Channel if c is not Channel.SIMCELL_ANSWER],
        "attachments": attachments_of(request, state),
        "default_language": (
            language if language in state.scenario.languages else state.scenario.original_language
        ),
        "suggested_id": next_id(state),
    }


@requires(DIRECTING)
async def composer(request: Request) -> Response:
    runtime = await exercise_of(request)
    context = {**await _context(request, runtime.state), "form": {}, "error": ""}
    return await render(request, "console/adhoc.html", context, runtime=runtime)


@requires(DIRECTING)
async def create(request: Request) -> Response:
    viewer = await viewer_of(request)
    form = await checked_form(request, viewer)
    runtime = await exercise_of(request)
    translator = resources(request).pages.translator(language_of(request, viewer))
    _ = translator.gettext
    attachments = attachments_of(request, runtime.state)
    inject_id = ""

    def decide(state: ExerciseState) -> commands.Decision:
        nonlocal inject_id
        inject_id = next_id(state)
        return commands.create_inject(
            state, viewer.name, inject_data(form, state, attachments, inject_id)
        )

    try:
        await runtime.execute(decide)
        if field(form, "when") in ("", "now"):
            await runtime.execute(lambda s: commands.release_now(s, viewer.name, inject_id))
    except CommandRefused as refusal:
        if is_htmx(request):
            message = refusal_text(refusal, translator, runtime.scenario)
            return await refused(request, runtime, message, request.url.path, status=422)
        context = {
            **await _context(request, runtime.state),
            "form": form,
            "error": refusal_text(refusal, translator, runtime.scenario),
        }
        return await render(request, "console/adhoc.html", context, runtime=runtime, status=422)
    target = safe_next(f"/exercises/{runtime.id}/injects/{inject_id}", runtime.id)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


routes: list[BaseRoute] = [
    Route(PATH, composer, name="adhoc"),
    Route(PATH, create, methods=["POST"], name="adhoc_create"),
]
