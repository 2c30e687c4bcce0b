"""The whole interface is English and Russian: every string a template or a web module shows
has a Russian translation in ``web/locale/ru/LC_MESSAGES/*.po`` (console, devices, the hub's
fragments, sign-in...)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from controlroom.exercise.refusals import TEMPLATES as REFUSAL_TEXTS
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.i18n import Catalogues
from controlroom.package_data import web_dir
from controlroom.web.refusal import refusal_text
from tests.support.scenarios import make_scenario

WEB_DIR = web_dir()

ROOT = WEB_DIR.parent
TEMPLATES = sorted((WEB_DIR / "templates").rglob("*.html"))
MODULES = sorted((ROOT / "controlroom" / "web").rglob("*.py"))
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true"}
CATALOGUE = WEB_DIR / "locale" / "ru" / "LC_MESSAGES"


def template_messages(path: Path) -> list[str | tuple[str, ...]]:
    with path.open("rb") as file:
        found = babel_extract(file, ["_", "ngettext"], [], JINJA_OPTIONS)
        return [_message(message) for _, _, message, _ in found]


def _message(message: object) -> str | tuple[str, ...]:
    if isinstance(message, tuple):
        parts = tuple(str(m) for m in message if m is not None)
        return parts if len(parts) > 1 else parts[0]
    return str(message)


def module_messages(path: Path) -> list[str]:
    return [str(m) for _, m, _, _ in extract_from_file("python", str(path), keywords={"_": None})]


def every_message() -> list[str | tuple[str, ...]]:
    found: list[str | tuple[str, ...]] = []
    for path in TEMPLATES:
        found.extend(template_messages(path))
    for path in MODULES:
        found.extend(module_messages(path))
    found.extend(REFUSAL_TEXTS.values())
    return sorted(set(found), key=str)


def test_the_interface_has_many_strings_to_translate() -> None:
    assert len(every_message()) > 400
    fragments = {
        m
        for p in (WEB_DIR / "templates" / "fragments").rglob("*.html")
        for m in template_messages(p)
    }
    assert {"Acknowledge", "Knows", "On the director's signal", "Requests"} <= fragments


@pytest.mark.parametrize("message", every_message(), ids=str)
def test_every_string_has_russian(message: str | tuple[str, ...]) -> None:
    russian = Catalogues(WEB_DIR / "locale").get("ru")
    if isinstance(message, tuple):
        forms = russian.plurals.get(message[0])
        assert forms and len(forms) == 3 and all(forms), message
    else:
        assert russian.messages.get(message), f"no Russian for {message!r}"


def catalogue_ids(path: Path) -> set[str]:
    with path.open("rb") as file:
        return {m.id if isinstance(m.id, str) else str(m.id[0]) for m in read_po(file) if m.id}


def test_the_fragments_strings_are_in_their_own_catalogue() -> None:
    """``delivery.po`` holds the hub's fragments' strings (web/templates/fragments)."""
    ids = catalogue_ids(CATALOGUE / "delivery.po")
    for path in (WEB_DIR / "templates" / "fragments").rglob("*.html"):
        for message in template_messages(path):
            key = message if isinstance(message, str) else message[0]
            assert key in ids, f"{path.name}: {key!r} is not in delivery.po"


def test_no_string_is_translated_twice() -> None:
    """Catalogues are merged: a string in two of them could get two translations."""
    where: dict[str, str] = {}
    for path in sorted(CATALOGUE.glob("*.po")):
        for key in catalogue_ids(path):
            assert key not in where, f"{key!r} is in {where.get(key)} and {path.name}"
            where[key] = path.name


@pytest.mark.parametrize("code", list(Refusal), ids=str)
def test_every_refusal_code_has_english_and_russian(code: Refusal) -> None:
    english = REFUSAL_TEXTS.get(code)
    assert english, f"refusal {code} has no English text"
    russian = Catalogues(WEB_DIR / "locale").get("ru").messages.get(english)
    assert russian, f"refusal {code} has no Russian text"
    assert sorted(_placeholders(english)) == sorted(_placeholders(russian)), code


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)s", text)


def test_core_refusals_are_translated_with_their_values_and_team_names() -> None:
    catalogues = Catalogues(WEB_DIR / "locale")
    scenario = make_scenario()
    russian, english = catalogues.get("ru"), catalogues.get("en")
    held = CommandRefused(Refusal.ALREADY_HELD, inject="BB-03")
    assert str(held) == "Inject BB-03 is already held."
    assert refusal_text(held, russian, scenario) == "Вводная BB-03 уже удерживается."
    cancelled = CommandRefused(Refusal.CANNOT_CANCEL, inject="X-1")
    assert refusal_text(cancelled, russian, scenario).startswith("Вводную X-1 нельзя отменить")
    strangers = CommandRefused(Refusal.NOT_ADDRESSED, inject="A", teams=("alpha",))
    team = scenario.teams[0]
    assert team.id == "alpha"
    assert team.name["en"] in refusal_text(strangers, english, scenario)
    assert "alpha" in str(strangers)
    empty = CommandRefused(Refusal.EMPTY_NOTE)
    assert refusal_text(empty, russian, scenario) == "Запись пустая."


# -- strings said from Python and from JavaScript ------------------------------------------------


def refused_details(path: Path) -> list[str]:
    """The texts of ``HTTPException(status, "...")`` in a module: error pages show them
    translated (controlroom.web.errors), so each needs its Russian."""
    import ast

    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name != "HTTPException":
            continue
        details = node.args[1:2] + [k.value for k in node.keywords if k.arg == "detail"]
        found.extend(str(d.value) for d in details if isinstance(d, ast.Constant) and d.value)
    return found


PYTHON_DETAILS = sorted({d for path in MODULES for d in refused_details(path)})


def test_the_python_side_has_error_details_to_check() -> None:
    assert len(PYTHON_DETAILS) > 10
    assert "That language is not offered." in PYTHON_DETAILS


@pytest.mark.parametrize("detail", PYTHON_DETAILS, ids=str)
def test_every_error_detail_has_russian(detail: str) -> None:
    russian = Catalogues(WEB_DIR / "locale").get("ru")
    assert russian.messages.get(detail), f"no Russian for {detail!r}"


SCRIPTS = sorted((WEB_DIR / "static" / "js").glob("*.js"))
SAID_IN_JS = __import__("re").compile(
    r"""(?:textContent|innerText|innerHTML|title|placeholder)\s*=\s*(["'`])(?!\1)"""
    r"""|(?:alert|confirm|prompt)\(\s*["'`]"""
    r"""|setAttribute\(\s*["'](?:aria-label|title|placeholder)["']\s*,\s*["'`]"""
)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_say_nothing_of_their_own(script: Path) -> None:
    """What a script shows comes from the page (``data-*`` attributes the templates fill
    through ``_()``, e.g. data-text, data-on, data-warn, data-day): a text written in the
    script could not be translated."""
    for number, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1):
        assert not SAID_IN_JS.search(line), f"{script.name}:{number}: {line.strip()}"


def test_scenario_times_and_offsets_speak_the_readers_language() -> None:
    from controlroom.web.templating import localized

    catalogues = Catalogues(WEB_DIR / "locale")
    russian, english = localized(catalogues.get("ru")), localized(catalogues.get("en"))
    assert english["stime"](32400) == "D1 09:00"
    assert russian["stime"](86400 + 36930) == "Д2 10:15:30"
    assert english["relative"]("-15m") == "15 min before the release"
    assert russian["relative"]("-15m") == "за 15 мин до выпуска"
    assert russian["relative"]("+2h") == "через 2 ч после выпуска"
    assert russian["relative"]("0m") == "в момент выпуска"


@pytest.mark.parametrize("word", ["SimCell", "STARTEX", "ENDEX"])
def test_the_russian_interface_has_no_latin_jargon(word: str) -> None:
    russian = Catalogues(WEB_DIR / "locale").get("ru")
    leftovers = [m for m, text in russian.messages.items() if word in text]
    assert not leftovers, leftovers
