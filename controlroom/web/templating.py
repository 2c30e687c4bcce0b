"""Jinja pages: one template renders the whole page or just its fragment. Design: docs/web.md.

As in django-htmx's example: a request from htmx (``HX-Request``) gets only the template's
``content`` block; a plain request (a reload, a link opened in a new tab, no JavaScript)
gets the full page. Every exercise page is sent ``Cache-Control: no-store`` so nothing of
an exercise stays in a shared tablet's history or cache once its device is signed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from babel.units import format_unit
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse

from controlroom.delivery.markdown import plain_text
from controlroom.i18n import LANGUAGE_NAMES, LANGUAGES, Catalogues, Translator
from controlroom.scenario.time import format_time, parse_offset

NO_STORE = {"Cache-Control": "no-store", "Vary": "HX-Request, Cookie"}


class Pages:
    def __init__(self, templates: Path, catalogues: Catalogues) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            autoescape=jinja2.select_autoescape(default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates are package data, read once: with Jinja's default every render
            # stats each template it uses (about 8 a released inject) to see if it changed.
            auto_reload=False,
        )
        self.env.filters["scenario_time"] = _scenario_time
        self.env.filters["plain"] = plain_text
        self.catalogues = catalogues
        self._names: dict[str, tuple[frozenset[str], bool]] = {}

    def translator(self, language: str) -> Translator:
        return self.catalogues.get(language)

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        *,
        language: str,
        status: int = 200,
        block: str | tuple[str, ...] | None = None,
    ) -> HTMLResponse:
        """The page, or ``block`` of it (several blocks: one after the other, in one
        response, for a page that refreshes parts of itself in one request)."""
        page = self.env.get_template(template)
        full = self.context(request, context, language)
        if block is None and is_htmx(request) and "content" in page.blocks:
            block = "content"
        if block is not None:
            blocks = (block,) if isinstance(block, str) else block
            html = "".join(
                piece for name in blocks for piece in page.blocks[name](page.new_context(full))
            )
        else:
            html = page.render(full)
        return HTMLResponse(html, status_code=status, headers=NO_STORE)

    def fragment(self, template: str, context: Mapping[str, Any], language: str) -> str:
        """Render a fragment (a websocket frame's HTML) outside any request."""
        translator = self.translator(language)
        return self.env.get_template(template).render({**context, **localized(translator)})

    def names(self, template: str) -> tuple[frozenset[str], bool]:
        """The context names ``template`` and the templates it includes or imports read,
        and whether it includes one chosen at render time (not followed here). Parsed
        once per template (a few ms each): every exercise's hub asks."""
        known = self._names.get(template)
        if known is None:
            known = self._names[template] = self._read_names(template)
        return known

    def _read_names(self, template: str) -> tuple[frozenset[str], bool]:
        names: set[str] = set()
        dynamic = False
        seen: set[str] = set()
        todo = [template]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            assert self.env.loader is not None
            source = self.env.loader.get_source(self.env, name)[0]
            tree = self.env.parse(source)
            names |= jinja2.meta.find_undeclared_variables(tree)
            for referenced in jinja2.meta.find_referenced_templates(tree):
                if referenced is None:
                    dynamic = True
                else:
                    todo.append(referenced)
        return frozenset(names), dynamic

    def context(
        self, request: Request, context: Mapping[str, Any], language: str
    ) -> dict[str, Any]:
        speech = localized(self.translator(language))
        return {
            "request": request,
            **speech,
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "csrf_token": request.scope.get("controlroom.csrf", ""),
            **context,
            "stime": speech["stime"],  # over the fragments' language-free one
        }


def localized(translator: Translator) -> dict[str, Any]:
    """What every page and fragment uses to speak the reader's language: ``_``, ``ngettext``,
    ``lang``; scenario times with the day prefix in it (``stime``: "Д1 09:00"); a cue's offset
    from its inject's release in words and Babel's units (``relative``: "за 15 мин")."""
    _ = translator.gettext
    day = _("D%(day)s")
    language = translator.language

    def stime(seconds: float) -> str:
        first, _space, rest = format_time(seconds).partition(" ")
        return f"{day % {'day': first[1:]}} {rest}"

    def relative(offset: str) -> str:
        seconds = parse_offset(offset)
        if seconds == 0:
            return _("at the release")
        length = duration(abs(seconds), language)
        if seconds < 0:
            return _("%(duration)s before the release", duration=length)
        return _("%(duration)s after the release", duration=length)

    return {
        "_": _,
        "ngettext": translator.ngettext,
        "lang": language,
        "stime": stime,
        "relative": relative,
        "span": lambda seconds: hours_minutes(seconds, language),
        "elapsed": lambda seconds: elapsed(seconds, language),
    }


def duration(seconds: int, language: str) -> str:
    """A whole number of hours, minutes or seconds, in ``language`` (Babel's short units)."""
    if seconds and seconds % 3600 == 0:
        return format_unit(seconds // 3600, "duration-hour", length="short", locale=language)
    if seconds % 60 == 0:
        return format_unit(seconds // 60, "duration-minute", length="short", locale=language)
    return format_unit(seconds, "duration-second", length="short", locale=language)


def hours_minutes(seconds: float, language: str) -> str:
    """A length of time in whole minutes, as hours and minutes ("26 hr 12 min") in ``language``."""
    hours, minutes = divmod(round(abs(seconds) / 60), 60)
    parts = [format_unit(hours, "duration-hour", length="short", locale=language)] if hours else []
    if minutes or not hours:
        parts.append(format_unit(minutes, "duration-minute", length="short", locale=language))
    return " ".join(parts)


SECONDS_SHOWN_UNDER = 600  # seconds: shorter durations keep their seconds ("2 min 32 s")


def elapsed(seconds: float, language: str) -> str:
    """How long something took, in ``language``: "25 s", "2 min 32 s" under ten minutes,
    then hours and minutes ("1 hr 5 min")."""
    whole = round(abs(seconds))
    if whole >= SECONDS_SHOWN_UNDER:
        return hours_minutes(whole, language)
    minutes, rest = divmod(whole, 60)
    parts = (
        [format_unit(minutes, "duration-minute", length="short", locale=language)]
        if minutes
        else []
    )
    if rest or not minutes:
        parts.append(format_unit(rest, "duration-second", length="short", locale=language))
    return " ".join(parts)


@jinja2.pass_context
def _scenario_time(context: Context, seconds: float) -> str:
    stime = context.get("stime")
    return str(stime(seconds)) if callable(stime) else format_time(seconds)


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
