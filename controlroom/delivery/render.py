"""Views to HTML, once per audience and language. Design: docs/delivery.md.

The HTML comes from ``web/templates/fragments/`` through the application's template
environment (``controlroom.web.templating.Pages.fragment``), handed in as a
``FragmentRenderer`` so the delivery layer never imports the web layer.

``fragment_context`` is the one definition of the names fragments use (``text``, ``stime``,
``can_control``...): the hub renders frames with it and pages render their own parts with
it, so a fragment looks the same whether it came with the page or over the socket.
``FrameRenderer.fragment`` renders one view with it, for pages that show a single fragment
(the console's preview of a team's inject card).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

from markupsafe import Markup

from controlroom.delivery.markdown import render_markdown
from controlroom.delivery.views import FullView, Update, View
from controlroom.i18n import LANGUAGE_NAMES, local
from controlroom.scenario.model import Attachment
from controlroom.scenario.time import format_time

UPDATE_TEMPLATE = "fragments/update.html"
VIEW_TEMPLATE = "fragments/view.html"

Online = Callable[[], AbstractSet[str]]


# The names of ``fragment_context`` that differ between audiences (``online`` is the same
# for all, but read when rendering: a text rendered earlier may not stand in for it).
AUDIENCE_NAMES = frozenset({"audience", "can_control", "online"})


class FragmentRenderer(Protocol):
    def fragment(self, template: str, context: Mapping[str, Any], language: str) -> str:
        """Render ``template`` with ``context`` in ``language``."""

    def names(self, template: str) -> tuple[frozenset[str], bool]:
        """The context names ``template`` (and what it includes) reads, and whether it
        includes a template chosen at render time."""


def nobody_online() -> AbstractSet[str]:
    return frozenset()


def fragment_context(
    exercise: str,
    audience: str,
    language: str,
    original: str,
    online: Online = nobody_online,
) -> dict[str, Any]:
    """The names every fragment may use, for ``audience`` reading in ``language``.

    ``text`` is scenario text in the reader's language (else the scenario's original);
    ``marked`` is the same, wrapped in ``<span class="untranslated" lang="..">`` when it is
    not in the reader's language (devices mark it); ``untranslated`` gives that language
    (or ``""``) for blocks such as an inject's body. ``markdown`` renders a text (a string)
    through the one Markdown renderer (``controlroom.delivery.markdown``); ``prose`` is
    ``markdown`` of a scenario text in the reader's language, in a block marked like
    ``marked`` when it is not. ``attachment`` says which file of an attachment the reader
    gets (``ShownAttachment``). ``online()`` is the set of devices with
    a live socket to this worker, as of the moment of rendering.
    """

    def text(value: Mapping[str, str] | None) -> str:
        return "" if not value else local(value, language, original)[0]

    def untranslated(value: Mapping[str, str] | None) -> str:
        return "" if not value else shown_language(value, language, original)

    def marked(value: Mapping[str, str] | None) -> str:
        if not value:
            return ""
        shown, missing = local(value, language, original)
        if not missing:
            return shown
        lang = shown_language(value, language, original)
        return Markup('<span class="untranslated" lang="{}">{}</span>').format(lang, shown)

    def prose(value: Mapping[str, str] | None) -> str:
        if not value:
            return ""
        html = render_markdown(local(value, language, original)[0])
        lang = shown_language(value, language, original)
        if not lang:
            return Markup('<div class="prose">{}</div>').format(html)
        return Markup('<div class="prose untranslated" lang="{}">{}</div>').format(lang, html)

    def attachment(item: Attachment) -> ShownAttachment:
        return shown_attachment(item, language, original)

    return {
        "exercise": exercise,
        "audience": audience,
        "can_control": audience == "control",
        "text": text,
        "marked": marked,
        "untranslated": untranslated,
        "markdown": render_markdown,
        "prose": prose,
        "attachment": attachment,
        "stime": format_time,
        "sclock": scenario_clock,
        "wall": wall_time,
        "wall_seconds": wall_seconds,
        "iso": iso_time,
        "online": online,
    }


def shown_language(value: Mapping[str, str], language: str, original: str) -> str:
    """The language ``local`` falls back to for ``value`` ("" when it is in ``language``)."""
    if language in value:
        return ""
    if original in value:
        return original if original != language else ""
    return next(iter(value), "")


@dataclass(frozen=True, slots=True)
class ShownAttachment:
    """An attachment as one reader gets it: its file in their language (``lang`` is ""),
    or the original's (``lang`` names the language it is in, for the mark)."""

    key: str
    file: str
    title: str
    lang: str

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.lang, self.lang)


def shown_attachment(item: Attachment, language: str, original: str) -> ShownAttachment:
    file, lang = item.file_for(language, original)
    title = local(item.title, language, original)[0] if item.title else PurePosixPath(file).name
    return ShownAttachment(item.key, file, title, lang)


class FrameRenderer:
    """Renders one exercise's updates and views for an audience in a language."""

    def __init__(
        self,
        renderer: FragmentRenderer,
        exercise: str,
        original_language: str,
        online: Online = nobody_online,
    ) -> None:
        self._renderer = renderer
        self.exercise = exercise
        self.original = original_language
        self._online = online
        self._blind: dict[str, bool] = {}  # template -> renders the same for every audience

    def same_for_all(self, update: Update) -> bool:
        """Whether ``update`` renders the same for every audience (in one language, at one
        moment): no template it uses reads a name of ``AUDIENCE_NAMES``. The hub then
        renders an event's equal updates once (a release to every team: one render, not
        one per team)."""
        if not self._audience_blind(UPDATE_TEMPLATE, dynamic=True):
            return False
        return all(self._audience_blind(patch.view.template) for patch in update.patches)

    def _audience_blind(self, template: str, *, dynamic: bool = False) -> bool:
        """``dynamic``: the template's includes chosen at render time are checked apart."""
        blind = self._blind.get(template)
        if blind is None:
            names, chosen_later = self._renderer.names(template)
            blind = not (names & AUDIENCE_NAMES) and (dynamic or not chosen_later)
            self._blind[template] = blind
        return blind

    def context(self, audience: str, language: str) -> dict[str, Any]:
        """The hub's fragment context for ``audience`` in ``language``."""
        return fragment_context(self.exercise, audience, language, self.original, self._online)

    def update(self, update: Update, audience: str, language: str) -> str:
        context = {**self.context(audience, language), "patches": update.patches}
        return self._renderer.fragment(UPDATE_TEMPLATE, context, language)

    def view(self, view: FullView, audience: str, language: str, *, oob: bool = True) -> str:
        context = {**self.context(audience, language), "view": view, "oob": oob}
        return self._renderer.fragment(VIEW_TEMPLATE, context, language)

    def fragment(self, view: View, audience: str, language: str, *, oob: bool = False) -> str:
        """One view rendered by its own template, exactly as the hub renders it in a frame
        (``oob``: as an out-of-band replacement of the element with its id)."""
        context = {**self.context(audience, language), "view": view, "oob": oob}
        return self._renderer.fragment(view.template, context, language)


def scenario_clock(seconds: float) -> str:
    """Scenario seconds as the time of day only (``10:05``), for narrow cells."""
    total = int(seconds) % 86400
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}"


def wall_time(at: float) -> str:
    return datetime.datetime.fromtimestamp(at).strftime("%H:%M")


def wall_seconds(at: float) -> str:
    """Wall time with seconds (``10:05:30``): where minutes are not enough (a tap's wait)."""
    return datetime.datetime.fromtimestamp(at).strftime("%H:%M:%S")


def iso_time(at: float) -> str:
    return datetime.datetime.fromtimestamp(at, datetime.UTC).isoformat(timespec="seconds")
