"""Views to HTML, once per audience and language. Design: docs/delivery.md.

The HTML comes from ``web/templates/fragments/`` through the application's template
environment (``controlroom.web.templating.Pages.fragment``), handed in as a
``FragmentRenderer`` so the delivery layer never imports the web layer.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Protocol

from controlroom.delivery.views import FullView, Update
from controlroom.i18n import local
from controlroom.scenario.time import format_time

UPDATE_TEMPLATE = "fragments/update.html"
VIEW_TEMPLATE = "fragments/view.html"


class FragmentRenderer(Protocol):
    def fragment(self, template: str, context: Mapping[str, Any], language: str) -> str:
        """Render ``template`` with ``context`` in ``language``."""


class FrameRenderer:
    """Renders one exercise's updates and views for an audience in a language."""

    def __init__(self, renderer: FragmentRenderer, exercise: str, original_language: str) -> None:
        self._renderer = renderer
        self.exercise = exercise
        self.original = original_language

    def update(self, update: Update, audience: str, language: str) -> str:
        context = {**self._context(audience, language), "patches": update.patches}
        return self._renderer.fragment(UPDATE_TEMPLATE, context, language)

    def view(self, view: FullView, audience: str, language: str, *, oob: bool = True) -> str:
        context = {**self._context(audience, language), "view": view, "oob": oob}
        return self._renderer.fragment(VIEW_TEMPLATE, context, language)

    def _context(self, audience: str, language: str) -> dict[str, Any]:
        original = self.original

        def text(value: Mapping[str, str] | None) -> str:
            return "" if not value else local(value, language, original)[0]

        return {
            "exercise": self.exercise,
            "audience": audience,
            "can_control": audience == "control",
            "text": text,
            "paragraphs": paragraphs,
            "stime": format_time,
            "wall": wall_time,
            "iso": iso_time,
        }


def paragraphs(text: str) -> list[str]:
    """Markdown-ish body text as plain paragraphs (blank lines separate them)."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def wall_time(at: float) -> str:
    return datetime.datetime.fromtimestamp(at).strftime("%H:%M")


def iso_time(at: float) -> str:
    return datetime.datetime.fromtimestamp(at, datetime.UTC).isoformat(timespec="seconds")
