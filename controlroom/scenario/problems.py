"""A scenario problem with file, line and field, and the schema's errors as problems.

Design: docs/scenario.md. The schema (``model.py``) checks each file on its own; its errors
become :class:`Problem`s here, in words a scenario writer understands. The checks that look
across files are in ``checks`` (and ``trigger_checks``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from controlroom.scenario import model
from controlroom.scenario.source import Loc, Source, has_child


@dataclass(frozen=True)
class Problem:
    """One mistake in a scenario: ``file:line: field: message``."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where} {self.message}"


def format_loc(loc: Loc) -> str:
    """``("injects", 3, "cues", 0, "role")`` -> ``"injects[3].cues[0].role"``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def problem_at(source: Source, loc: Loc, message: str) -> Problem:
    return Problem(source.name, source.line(loc), format_loc(loc), message)


def duplicate_key_problems(source: Source) -> list[Problem]:
    return [
        Problem(
            source.name,
            dup.line,
            format_loc(dup.loc),
            f"duplicate key (first at line {dup.first_line})",
        )
        for dup in source.duplicates
    ]


# -- schema errors -----------------------------------------------------------------------


def validation_problems(source: Source, error: ValidationError, prefix: Loc = ()) -> list[Problem]:
    """Pydantic's errors for the value at ``prefix`` in ``source``, as problems with lines.

    An error's ``loc`` also names union members ("literal['manual']", "AfterTrigger") that are
    not in the file: they are dropped, and a union's alternatives become one problem.
    """
    found: list[tuple[Loc, bool, str]] = []
    for detail in error.errors():
        loc, in_union = _file_loc(source, (*prefix, *detail["loc"]), detail["type"] == "missing")
        found.append((loc, in_union, error_message(loc, detail)))
    deeper = {loc[:end] for loc, _, _ in found for end in range(len(loc))}
    merged: dict[Loc, list[str]] = {}
    problems: list[Problem] = []
    for loc, in_union, message in found:
        if not in_union:
            problems.append(problem_at(source, loc, message))
        elif loc not in deeper:  # another alternative of the union got further: report that
            merged.setdefault(loc, []).append(message)
    for loc, messages in merged.items():
        problems.append(problem_at(source, loc, _either(messages, source.get(loc))))
    return sorted(problems, key=lambda problem: problem.line)


def _file_loc(source: Source, loc: Loc, missing: bool) -> tuple[Loc, bool]:
    """The part of ``loc`` that is in the file, and whether a union member was dropped."""
    value: Any = source.data
    kept: list[str | int] = []
    dropped = False
    for index, part in enumerate(loc):
        if has_child(value, part):
            value = value[part]
        elif isinstance(value, dict) and missing and index == len(loc) - 1:
            pass  # a required key that is missing: name it
        else:
            dropped = True
            continue
        kept.append(part)
    return tuple(kept), dropped


_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_LANG_PATTERN = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
_EXPECTED = {
    "model_type": "a mapping (key: value)",
    "dict_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "list_type": "a list",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
}


def error_message(loc: Loc, detail: ErrorDetails) -> str:
    """A pydantic error's message, in a scenario writer's words where we have better ones."""
    kind, ctx = detail["type"], detail.get("ctx") or {}
    if kind == "extra_forbidden":
        return unknown("key", str(loc[-1]), _known_keys())
    if kind == "missing":
        return "required, but missing"
    if kind in ("literal_error", "enum"):
        return f"expected {ctx['expected']}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == _ID_PATTERN:
        return (
            f"{detail['input']!r} is not a valid id: letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, at most 64 characters"
        )
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == _LANG_PATTERN:
        return f"{detail['input']!r} is not a language code like 'en', 'ru' or 'pt-BR'"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "empty text"
    if kind == "too_short" and loc[-1:] == ("to",):
        return "no recipients: expected 'all' or at least one team"
    if kind == "too_short":
        return f"expected at least {ctx.get('min_length', 1)} item(s)"
    return detail["msg"].removeprefix("Value error, ")


def _either(messages: list[str], value: Any) -> str:
    if all(message.startswith("expected ") for message in messages):
        unique = dict.fromkeys(message.removeprefix("expected ") for message in messages)
        alternatives = " or ".join(unique)
        return f"expected {alternatives}, got {_short(value)}"
    return " or ".join(messages)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@cache
def _known_keys() -> frozenset[str]:
    keys: set[str] = set()
    for item in vars(model).values():
        if isinstance(item, type) and issubclass(item, BaseModel) and item is not BaseModel:
            keys.update(info.alias or name for name, info in item.model_fields.items())
    return frozenset(keys)


def unknown(kind: str, value: str, known: Iterable[str]) -> str:
    known = sorted(set(known))
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.7)
    if close:
        return f"unknown {kind} {value!r} (did you mean {close[0]!r}?)"
    listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return f"unknown {kind} {value!r} (known: {listed})" if known else f"unknown {kind} {value!r}"
