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
from starlette.requests import Request
from starlette.responses import HTMLResponse

from controlroom.i18n import LANGUAGE_NAMES, LANGUAGES, Catalogues, Translator
from controlroom.scenario.time import format_time

NO_STORE = {"Cache-Control": "no-store", "Vary": "HX-Request, Cookie"}


class Pages:
    def __init__(self, templates: Path, catalogues: Catalogues) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            autoescape=jinja2.select_autoescape(default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["scenario_time"] = format_time
        self.catalogues = catalogues

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
        block: str | None = None,
    ) -> HTMLResponse:
        page = self.env.get_template(template)
        full = self.context(request, context, language)
        if block is None and is_htmx(request) and "content" in page.blocks:
            block = "content"
        if block is not None:
            html = "".join(page.blocks[block](page.new_context(full)))
        else:
            html = page.render(full)
        return HTMLResponse(html, status_code=status, headers=NO_STORE)

    def fragment(self, template: str, context: Mapping[str, Any], language: str) -> str:
        """Render a fragment (a websocket frame's HTML) outside any request."""
        translator = self.translator(language)
        return self.env.get_template(template).render(
            {**context, "_": translator.gettext, "ngettext": translator.ngettext, "lang": language}
        )

    def context(
        self, request: Request, context: Mapping[str, Any], language: str
    ) -> dict[str, Any]:
        translator = self.translator(language)
        return {
            "request": request,
            "_": translator.gettext,
            "ngettext": translator.ngettext,
            "lang": language,
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "csrf_token": request.scope.get("controlroom.csrf", ""),
            **context,
        }


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
