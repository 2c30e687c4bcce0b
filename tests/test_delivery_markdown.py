"""Scenario Markdown to HTML (controlroom.delivery.markdown): inert, CommonMark with tables,
and the same bytes on a team's device and in the console's preview."""

from __future__ import annotations

import re
from typing import Any

import pytest

from controlroom.delivery.markdown import render_markdown
from controlroom.exercise import commands
from tests.support.devices import Venue, venue

__all__ = ["venue"]

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](  javascript:alert(1) )",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://example.org/a.png)',
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '<svg onload="alert(1)">',
    '<iframe src="https://example.org"></iframe>',
    "<style>body{display:none}</style>",
    "`<script>` and\n\n    <script>alert(1)</script>",
]


@pytest.mark.parametrize("source", PAYLOADS)
def test_payloads_come_out_inert(source: str) -> None:
    html = str(render_markdown(source))
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert "<iframe" not in html and "<style" not in html
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html, re.I)  # no event handler attribute
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://", "mailto:", "tel:")), href


def test_safe_links_keep_their_target_and_open_apart() -> None:
    html = str(render_markdown("See [the registry](https://registry.example/org?id=1&x=2)."))
    assert (
        '<a href="https://registry.example/org?id=1&amp;x=2" rel="noopener noreferrer nofollow"'
        ' target="_blank">the registry</a>' in html
    )
    assert "<a " not in str(render_markdown("[a relative path](../secrets.md)"))


def test_images_are_shown_as_their_description() -> None:
    html = str(render_markdown("![Passport photo of *Aziz*](https://example.org/p.png)"))
    assert html == '<p><span class="image-alt">Passport photo of Aziz</span></p>\n'


def test_a_list_and_a_table_render() -> None:
    html = str(render_markdown("- one\n- **two**\n\n| Name | Age |\n|---|--:|\n| Aziz | 12 |\n"))
    assert "<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n</ul>" in html
    assert "<table>" in html and "<th>Name</th>" in html
    assert '<td style="text-align:right">12</td>' in html


def test_soft_breaks_are_spaces_and_hard_breaks_stay() -> None:
    assert str(render_markdown("a wrapped\nline")) == "<p>a wrapped line</p>\n"
    assert str(render_markdown("a wrapped\r\nline")) == "<p>a wrapped line</p>\n"
    assert "<br />" in str(render_markdown("an address  \nsecond line"))


MARKDOWN_BODY = (
    "The driver hands over:\n\n"
    "- a group list\n- **23 passports** in one bundle\n\n"
    "| Seat | Passenger | Age |\n|---|---|---|\n| 1 | girl, headscarf | ~15 |\n| 14 | boy | ~12 |\n"
    "\n<script>alert('x')</script>"
)


def markdown_inject() -> dict[str, Any]:
    return {
        "id": "MD-1",
        "trigger": "manual",
        "channel": "document-pack",
        "from": {"en": "Border post", "ru": "Погранпост"},
        "to": ["police"],
        "title": {"en": "The list", "ru": "Список"},
        "body": {"en": MARKDOWN_BODY, "ru": MARKDOWN_BODY.replace("The driver", "Водитель")},
    }


def card(html: str, inject: str) -> str:
    start = html.index(f'<article id="inject-{inject}"')
    return html[start : html.index("</article>", start) + len("</article>")]


async def test_the_preview_is_byte_for_byte_the_teams_card(venue: Venue) -> None:
    await venue.run(lambda s: commands.startex(s, "dina"))
    await venue.run(lambda s: commands.create_inject(s, "dina", markdown_inject()))
    await venue.run(lambda s: commands.release_now(s, "dina", "MD-1"))
    for language in ("en", "ru"):
        await venue.join("team:police", language=language)
        page = await venue.client.get(f"/exercises/{venue.id}/team")
        team_card = card(page.text, "MD-1")
        assert "<li><strong>23 passports</strong> in one bundle</li>" in team_card
        assert "<td>girl, headscarf</td>" in team_card
        assert "&lt;script&gt;" in team_card and "<script>" not in team_card
        venue.use(venue.director)
        preview = await venue.client.get(
            f"/exercises/{venue.id}/injects/MD-1/preview?team=police&lang={language}"
        )
        assert card(preview.text, "MD-1") == team_card
