"""Scenario text (Markdown) to safe HTML: the one renderer. Design: docs/scenario.md.

Every place that shows scenario prose (a team's inject card, a text attachment, an actor's
brief and cue, a prepared answer, the console's preview, which is the team's own fragment)
renders it here, so what control previews is byte for byte what a device shows.

CommonMark (markdown-it-py) with its table rule, and nothing that can act in a browser:

- raw HTML is off: ``<script>`` or ``<img onerror=..>`` in the source is shown as text;
- a link keeps its target only for ``http``, ``https``, ``mailto`` and ``tel``; any other
  (``javascript:``, ``data:``, a relative path) stays plain text;
- images are shown as their description: a venue has no internet, and an image URL would
  reach out of the exercise;
- a line break inside a paragraph is a space (the source's wrapping never shows as ragged
  lines); a hard break (two spaces or ``\\`` at the end of a line) stays a break.

The result is cached per text: the hub renders a frame once per audience and language, and
the same body then costs one parse however many fragments show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
CACHED_TEXTS = 4096


def safe_link(url: str) -> bool:
    """Whether a link may keep its target: an absolute URL of a harmless scheme only."""
    return url.strip().lower().startswith(SAFE_SCHEMES)


def _softbreak(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return " "


def _image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return f'<span class="image-alt">{escape(alt)}</span>'


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
    tokens[idx].attrSet("target", "_blank")
    return self.renderToken(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = safe_link  # type: ignore[method-assign]
    renderer: Any = md.renderer
    renderer.rules["softbreak"] = _softbreak.__get__(renderer)
    renderer.rules["image"] = _image.__get__(renderer)
    renderer.rules["link_open"] = _link_open.__get__(renderer)
    return md


_MD = _parser()


@lru_cache(maxsize=CACHED_TEXTS)
def render_markdown(text: str) -> Markup:
    """``text`` (CommonMark with tables) as HTML that cannot run or load anything."""
    return Markup(_MD.render(text.replace("\r\n", "\n")))


def plain_text(text: str) -> str:
    """Markdown as one line of plain text (a log line, a CSV cell): what it says, no marks."""
    return " ".join(render_markdown(text).striptags().split())
