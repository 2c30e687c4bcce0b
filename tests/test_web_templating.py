"""Jinja pages (controlroom.web.templating): templates are read once, not checked per render;
the label macros translate only the label they print."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from controlroom.delivery.render import fragment_context
from controlroom.delivery.views import TeamInjectView
from controlroom.exercise.lifecycles import ReleaseStatus
from controlroom.i18n import Catalogues
from controlroom.package_data import web_dir
from controlroom.web.templating import Pages, localized

WEB_DIR = web_dir()


def test_templates_are_not_read_again_on_every_render(tmp_path: Path) -> None:
    (tmp_path / "f.html").write_text("one {{ x }}")
    pages = Pages(tmp_path, Catalogues(WEB_DIR / "locale"))
    assert pages.fragment("f.html", {"x": 1}, "en") == "one 1"
    (tmp_path / "f.html").write_text("two {{ x }}")
    os.utime(tmp_path / "f.html", (1, 1))  # a different mtime: auto_reload would see it
    assert pages.fragment("f.html", {"x": 1}, "en") == "one 1"


LABELS = ("fragments/_labels.html", "fragments/control/_labels.html")
CHAIN = re.compile(r'name == "([^"]+)" -%\}\{\{ (_\("[^"]*"\)) \}\}')


def _as_dict_lookup(source: str) -> str:
    """A label macro as it was written before: every label translated, one picked."""

    def lookup(chain: re.Match[str]) -> str:
        pairs = ", ".join(f'"{key}": {label}' for key, label in CHAIN.findall(chain.group(0)))
        return "{{ {" + pairs + "}.get(name, name) }}"

    return re.sub(r"\{%- if name == .*?\{%- endif -%\}", lookup, source, flags=re.S)


@pytest.mark.parametrize("template", LABELS)
def test_label_macros_print_what_a_dict_of_every_label_printed(template: str) -> None:
    """Each label macro translates only the label it prints: the same text, in every
    language, for every known name, an enum's value and a name it does not know."""
    pages = Pages(WEB_DIR / "templates", Catalogues(WEB_DIR / "locale"))
    source = (WEB_DIR / "templates" / template).read_text()
    slow = pages.env.from_string(_as_dict_lookup(source))
    fast = pages.env.get_template(template)
    macros = re.findall(r"\{% macro (\w+)\(name(, _)?\)", source)
    assert len(macros) == 3
    keys = set(CHAIN.findall(source))
    assert len(keys) > 20
    for language in ("en", "ru"):
        context = localized(pages.translator(language))
        for macro, takes_ in macros:
            for name in [*(k for k, _label in keys), ReleaseStatus.HELD, "unknown <b>"]:
                args = (name, context["_"]) if takes_ else (name,)
                got = getattr(fast.make_module(context), macro)(*args)
                want = getattr(slow.make_module(context), macro)(*args)
                assert got == want, (template, macro, name, language)


@pytest.mark.parametrize("channel", ["email", "phone-call", "news", "social-post", "letter"])
def test_a_team_card_names_its_sender_as_its_channel_does(channel: str) -> None:
    pages = Pages(WEB_DIR / "templates", Catalogues(WEB_DIR / "locale"))
    labels = {"email": "From", "phone-call": "Caller", "news": "Source", "social-post": "Posted by"}
    for language in ("en", "ru"):
        _ = pages.translator(language).gettext
        view = TeamInjectView(
            inject="I-1",
            version=1,
            channel=channel,
            sender={"en": "Ann"},
            title={"en": "T"},
            body={"en": "B"},
            attachments=(),
            released_at=1_800_000_000.0,
            released_team=9 * 3600 + 75.0,
            status=ReleaseStatus.RELEASED,
            behind=(),
        )
        context = {**fragment_context("ex", "team:t1", language, "en"), "view": view, "oob": False}
        html = pages.fragment("fragments/team_inject.html", context, language)
        assert f'{_(labels.get(channel, "From"))}: <span class="inject-sender">' in html
        assert f"{_('D%(day)s') % {'day': 1}} 09:01</time>" in html  # the team's own time
