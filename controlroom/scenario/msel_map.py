"""How a foreign MSEL's headers and values become ours. Design: docs/scenario.md.

A mapping has two parts, as in ``MAPPING.yaml``::

    columns:             # the sheet's header -> our column
      Serial: number
      Mode of delivery: delivery method
    values:              # per column: the sheet's value -> ours
      delivery method:
        Tel.: phone-call
      to:
        Police of Valdoria: valdoria
        Everyone: all

Headers and values match whatever their case and spacing. Multi-value cells (recipients,
objectives) are split on the separators spreadsheets use for lists, ``;`` and a new line
(a cell with neither is split on commas, as older sheets wrote them), never on spaces:
"All teams" is one value, and so is an objective of four words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from controlroom.scenario.model import Channel

# The HSEEP columns, in order, by the names that mappings use.
COLUMNS = (
    "number",
    "scenario time",
    "delivery method",
    "from",
    "to",
    "description",
    "expected player action",
    "objective",
    "responsible controller",
    "controller notes",
    "attachments",
)
REQUIRED = ("number", "scenario time", "delivery method", "from", "to", "description")
CHANNEL_LABELS = {
    Channel.PHONE_CALL: "Phone call",
    Channel.EMAIL: "E-mail",
    Channel.LETTER: "Letter",
    Channel.WALK_IN: "Walk-in",
    Channel.FIELD_EVENT: "Field event",
    Channel.DOCUMENT_PACK: "Document pack",
    Channel.NEWS: "News item",
    Channel.SOCIAL_POST: "Social media post",
    Channel.SIMCELL_ANSWER: "SimCell answer",
}
MULTI_VALUE = ("to", "objective", "attachments")
# Recipient values that mean every team, in the languages we ship.
ALL_TEAMS = frozenset({"all", "allteams", "everyone", "все", "всекоманды"})
# Other headers that spreadsheets commonly use for a column.
_HEADER_ALIASES = {
    "no": "number",
    "injectno": "number",
    "injectnumber": "number",
    "id": "number",
    "time": "scenario time",
    "injecttype": "delivery method",
    "method": "delivery method",
    "channel": "delivery method",
    "sender": "from",
    "recipient": "to",
    "recipients": "to",
    "expectedaction": "expected player action",
    "expectedactions": "expected player action",
    "objectives": "objective",
    "capability": "objective",
    "controller": "responsible controller",
    "notes": "controller notes",
    "attachment": "attachments",
}
_CHANNEL_SPELLINGS = {
    "phone": Channel.PHONE_CALL,
    "call": Channel.PHONE_CALL,
    "telephone": Channel.PHONE_CALL,
    "telephonecall": Channel.PHONE_CALL,
    "mail": Channel.EMAIL,
    "complaintletter": Channel.LETTER,
    "visit": Channel.WALK_IN,
    "field": Channel.FIELD_EVENT,
    "documents": Channel.DOCUMENT_PACK,
    "document": Channel.DOCUMENT_PACK,
    "news": Channel.NEWS,
    "newsarticle": Channel.NEWS,
    "newsreport": Channel.NEWS,
    "socialmedia": Channel.SOCIAL_POST,
    "post": Channel.SOCIAL_POST,
    "simcell": Channel.SIMCELL_ANSWER,
    "simcellreply": Channel.SIMCELL_ANSWER,
}
_LATIN = (
    "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya a g q n o u u h i"
)
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", _LATIN.split(), strict=True))
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class MselError(ValueError):
    """The import can't start: a bad mapping, an unknown language."""


def squash(text: str) -> str:
    """Case- and space-insensitive form of a header or a value."""
    return re.sub(r"[\W_]+", "", text.casefold())


def split_values(cell: str) -> list[str]:
    """A multi-value cell's values: split on ``;`` and new lines (else commas), each whole."""
    separators = r"[;\n]+" if re.search(r"[;\n]", cell.strip()) else r",+"
    return [part.strip() for part in re.split(separators, cell) if part.strip()]


@dataclass(frozen=True)
class MselMapping:
    """Header -> column, and per column, sheet value -> our value (both squashed)."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def column_of(self, header: str) -> str | None:
        return self.columns.get(squash(header))

    def value(self, column: str, value: str) -> str:
        """Our value for a sheet's ``value`` in ``column`` (the value itself if unmapped)."""
        return self.values.get(column, {}).get(squash(value), value)

    def with_columns(self, more: Mapping[str, str]) -> MselMapping:
        return MselMapping({**self.columns, **{squash(h): c for h, c in more.items()}}, self.values)


def column_name(text: str) -> str | None:
    """One of ``COLUMNS`` from how a user spells it (``Delivery Method``), else None."""
    known = {squash(name): name for name in COLUMNS}
    return known.get(squash(text))


def mapping_from(
    columns: Mapping[str, str], values: Mapping[str, Mapping[str, str]]
) -> MselMapping:
    """A mapping from plain dicts (a form, a YAML file); raises MselError on a bad column."""
    mapped: dict[str, str] = {}
    for header, column in columns.items():
        name = column_name(str(column))
        if name is None:
            raise MselError(
                f"bad column mapping {header!r}: {column!r} is not one of {', '.join(COLUMNS)}"
            )
        mapped[squash(str(header))] = name
    by_column: dict[str, dict[str, str]] = {}
    for column, table in values.items():
        name = column_name(str(column))
        if name is None:
            raise MselError(f"values for {column!r}: not one of {', '.join(COLUMNS)}")
        by_column[name] = {squash(str(k)): str(v).strip() for k, v in table.items()}
    return MselMapping(mapped, by_column)


def parse_mapping_yaml(text: str, name: str = "mapping.yaml") -> MselMapping:
    """A ``MAPPING.yaml`` with ``columns:`` and ``values:`` sections."""
    try:
        data: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise MselError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if not isinstance(data, dict) or set(data) - {"columns", "values"}:
        raise MselError(f"{name}: expected only 'columns:' and 'values:' sections")
    columns, values = data.get("columns") or {}, data.get("values") or {}
    if not isinstance(columns, dict) or not isinstance(values, dict):
        raise MselError(f"{name}: 'columns' and 'values' must be mappings")
    if not all(isinstance(table, dict) for table in values.values()):
        raise MselError(f"{name}: each entry of 'values' maps sheet values to ours")
    return mapping_from(columns, values)


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``["Inject No=number", "Time=scenario time"]`` (``--map``) -> header -> column."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, column = item.partition("=")
        name = column_name(column)
        if not sep or name is None:
            raise MselError(
                f"bad column mapping {item!r}: expected 'Header=column' with a column among "
                + ", ".join(COLUMNS)
            )
        mapping[header.strip()] = name
    return mapping


def channel_of(text: str) -> Channel | None:
    """Our channel ids and common spellings: "Phone call", "E-mail", "News item"..."""
    key = squash(text)
    for channel, label in CHANNEL_LABELS.items():
        if key in (squash(channel.value), squash(label)):
            return channel
    return _CHANNEL_SPELLINGS.get(key)


def slug(name: str, fallback: str) -> str:
    """An id from a name in any script: ``Полиция Валдории`` -> ``politsiya-valdorii``."""
    if _ID.match(name) and len(name) <= 64:
        return name
    text = "".join(_CYRILLIC.get(char, char) for char in name.casefold())
    text = re.sub(r"[^a-z0-9]+", "-", text.replace("-", " ")).strip("-")[:64].strip("-")
    return text or fallback


def column_for(header: str, mapping: MselMapping | None = None) -> str | None:
    """Our column for a sheet's header: the mapping's ("" there: ignore the column), else
    ours or a common alias."""
    if mapping is not None and squash(header) in mapping.columns:
        return mapping.columns[squash(header)] or None
    standard = {squash(column): column for column in COLUMNS} | _HEADER_ALIASES
    return standard.get(squash(header))
