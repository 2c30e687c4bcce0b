"""The translation layer: every user-facing string goes through ``gettext``. Design: docs/web.md.

Catalogues are gettext ``.po`` files under ``web/locale/<lang>/LC_MESSAGES/*.po`` (one per
part of the interface, edited with any PO editor, extracted with ``pybabel extract``), read
with Babel at start-up and merged: no compile step, nothing binary in the repository.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LANGUAGES = ("en", "ru")
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Translator:
    language: str
    messages: Mapping[str, str] = field(default_factory=dict)
    plurals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def gettext(self, message: str, **values: object) -> str:
        text = self.messages.get(message) or message
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        forms = self.plurals.get(singular)
        if forms:
            text = forms[_plural_index(self.language, n)] or (singular if n == 1 else plural)
        else:
            text = singular if n == 1 else plural
        return text % {"num": n, **values}


def _plural_index(language: str, n: int) -> int:
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    return 0 if n == 1 else 1


class Catalogues:
    """Every language's translator, read once at start-up."""

    def __init__(self, locale_dir: Path) -> None:
        self._translators = {DEFAULT_LANGUAGE: Translator(DEFAULT_LANGUAGE)}
        for language in LANGUAGES:
            files = sorted((locale_dir / language / "LC_MESSAGES").glob("*.po"))
            if files:
                self._translators[language] = _read(language, files)

    def get(self, language: str) -> Translator:
        return self._translators.get(language) or self._translators[DEFAULT_LANGUAGE]


def _read(language: str, paths: Iterable[Path]) -> Translator:
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for path in paths:
        with path.open("rb") as file:
            _merge(read_po(file, locale=language), messages, plurals)
    return Translator(language, messages, plurals)


def _merge(catalog: Catalog, messages: dict[str, str], plurals: dict[str, tuple[str, ...]]) -> None:
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)) and isinstance(message.string, (tuple, list)):
            plurals[str(message.id[0])] = tuple(str(form) for form in message.string)
        elif isinstance(message.id, str) and message.string:
            messages[message.id] = str(message.string)


def negotiate(accept_language: str, available: Iterable[str] = LANGUAGES) -> str:
    """The best of ``available`` for an Accept-Language header (simple q-value parsing)."""
    choices: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        pieces = part.strip().split(";q=")
        tag = pieces[0].strip().lower().split("-")[0]
        try:
            quality = float(pieces[1]) if len(pieces) > 1 else 1.0
        except ValueError:
            quality = 0.0
        if tag in available:
            choices.append((quality, tag))
    return max(choices)[1] if choices else DEFAULT_LANGUAGE


def local(text: Mapping[str, str], language: str, original: str) -> tuple[str, bool]:
    """Scenario text in ``language``; else the original, flagged as untranslated."""
    if language in text:
        return text[language], False
    if original in text:
        return text[original], language != original
    return next(iter(text.values()), ""), True
