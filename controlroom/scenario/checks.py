"""Scenario problems with file and line: schema errors and cross-references. See docs/scenario.md.

The schema (``model.py``) checks each file on its own; the checks here look across files:
ids that must be unique, references that must exist, triggers that must be able to fire,
translations that must be complete. Each finding is a :class:`Problem` naming the file, the
line and the field, so a scenario writer can go straight to it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from controlroom.scenario import model
from controlroom.scenario.model import Inject, ScenarioFile
from controlroom.scenario.source import Loc, Source, has_child
from controlroom.scenario.time import parse_time


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
        return _unknown("key", str(loc[-1]), _known_keys())
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


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    known = sorted(set(known))
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.7)
    if close:
        return f"unknown {kind} {value!r} (did you mean {close[0]!r}?)"
    listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return f"unknown {kind} {value!r} (known: {listed})" if known else f"unknown {kind} {value!r}"


# -- cross-reference checks --------------------------------------------------------------


@dataclass(frozen=True)
class PlacedInject:
    """An inject that passed the schema, and where it is: its file and ``("injects", n)``."""

    inject: Inject
    source: Source
    loc: Loc

    def at(self, *loc: str | int) -> tuple[Source, Loc]:
        return self.source, (*self.loc, *loc)


@dataclass
class Draft:
    """A scenario's valid parts, before it becomes a Scenario: what the checks look at.

    ``header`` is None when ``scenario.yaml`` itself is broken: the checks that need its
    teams, languages or days are skipped then. ``broken_inject_ids`` are the ids of injects
    that failed the schema: a trigger after one of them is not reported as unknown.
    """

    folder: Path
    header: ScenarioFile | None
    header_source: Source | None
    injects: list[PlacedInject]
    broken_inject_ids: set[str] = field(default_factory=set)


Check = Callable[[Draft], Iterator[Problem]]


def check_draft(draft: Draft) -> list[Problem]:
    return [problem for check in CHECKS for problem in check(draft)]


def _duplicates(kind: str, entries: Iterable[tuple[str, Source, Loc]]) -> Iterator[Problem]:
    first: dict[str, tuple[Source, Loc]] = {}
    for value, source, loc in entries:
        if value in first:
            where, at = first[value]
            also = (
                f"{where.name}:{where.line(at)}"
                if where is not source
                else f"line {where.line(at)}"
            )
            yield problem_at(source, loc, f"duplicate {kind} id {value!r} (first at {also})")
        else:
            first[value] = source, loc


def duplicate_ids(draft: Draft) -> Iterator[Problem]:
    header, source = draft.header, draft.header_source
    if header is not None and source is not None:
        yield from _duplicates(
            "language",
            ((lang, source, ("languages", n)) for n, lang in enumerate(header.languages)),
        )
        lists: dict[str, list[Any]] = {
            "team": header.teams,
            "role": header.roles,
            "case": header.cases,
            "objective": header.objectives,
            "request": header.requests,
        }
        for kind, items in lists.items():
            key = f"{kind}s"
            yield from _duplicates(
                kind, ((item.id, source, (key, n, "id")) for n, item in enumerate(items))
            )
        for n, objective in enumerate(header.objectives):
            yield from _duplicates(
                "task",
                (
                    (task.id, source, ("objectives", n, "tasks", m, "id"))
                    for m, task in enumerate(objective.tasks)
                ),
            )
        for n, request in enumerate(header.requests):
            yield from _duplicates(
                "prepared answer",
                (
                    (answer.id, source, ("requests", n, "answers", m, "id"))
                    for m, answer in enumerate(request.answers)
                ),
            )
    yield from _duplicates("inject", ((p.inject.id, *p.at("id")) for p in draft.injects))
    yield from _duplicates("cue", _cue_ids(draft))


def _cue_ids(draft: Draft) -> Iterator[tuple[str, Source, Loc]]:
    for placed in draft.injects:
        for n, (cue, cue_id) in enumerate(
            zip(placed.inject.cues, placed.inject.cue_ids(), strict=True)
        ):
            yield (
                (cue_id, *placed.at("cues", n, "id")) if cue.id else (cue_id, *placed.at("cues", n))
            )


def timing(draft: Draft) -> Iterator[Problem]:
    """Each inject has exactly one of ``at`` and ``trigger``; times fall within the days."""
    header = draft.header
    if header is not None and draft.header_source is not None:
        yield from _in_days(header.start, header.days, draft.header_source, ("start",))
    for placed in draft.injects:
        inject = placed.inject
        if inject.at is None and inject.trigger is None:
            message = "needs either 'at' (a scenario time like 'D1 09:30') or a 'trigger'"
            yield problem_at(*placed.at(), message)
        elif inject.at is not None and inject.trigger is not None:
            yield problem_at(*placed.at("trigger"), "has both 'at' and 'trigger': keep one")
        if inject.at is not None and header is not None:
            yield from _in_days(inject.at, header.days, *placed.at("at"))


def _in_days(at: str, days: int, source: Source, loc: Loc) -> Iterator[Problem]:
    try:
        parse_time(at, days=days)
    except ValueError as error:
        yield problem_at(source, loc, str(error))


def references(draft: Draft) -> Iterator[Problem]:
    """Teams, cases, objectives, roles and triggering injects that an inject names exist."""
    header = draft.header
    known_injects = {p.inject.id for p in draft.injects} | draft.broken_inject_ids
    for placed in draft.injects:
        inject = placed.inject
        if header is not None:
            yield from _references_to_header(header, placed)
        trigger = inject.trigger
        if not isinstance(trigger, model.AfterTrigger) or trigger.after in known_injects:
            continue
        message = _unknown("inject", trigger.after, known_injects)
        yield problem_at(*placed.at("trigger", "after"), message)


def _references_to_header(header: ScenarioFile, placed: PlacedInject) -> Iterator[Problem]:
    inject = placed.inject
    teams = [team.id for team in header.teams]
    if inject.to != "all":
        for n, team in enumerate(inject.to):
            if team not in teams:
                yield problem_at(*placed.at("to", n), _unknown("team", team, teams))
    cases = [case.id for case in header.cases]
    if inject.case is not None and inject.case not in cases:
        yield problem_at(*placed.at("case"), _unknown("case", inject.case, cases))
    objectives = [objective.id for objective in header.objectives]
    for n, objective in enumerate(inject.objectives):
        if objective not in objectives:
            yield problem_at(
                *placed.at("objectives", n), _unknown("objective", objective, objectives)
            )
    roles = [role.id for role in header.roles]
    for n, cue in enumerate(inject.cues):
        if cue.role not in roles:
            yield problem_at(*placed.at("cues", n, "role"), _unknown("role", cue.role, roles))


def triggers(draft: Draft) -> Iterator[Problem]:
    """``after`` and cue triggers form no cycle, the earlier inject reaches every recipient,
    and what players do names a known request type (and answer), cue and task."""
    by_id: dict[str, PlacedInject] = {}
    for placed in draft.injects:
        by_id.setdefault(placed.inject.id, placed)
    cue_owner = {
        cue_id: placed.inject.id for placed in draft.injects for cue_id in placed.inject.cue_ids()
    }
    yield from _cycles(draft.injects, by_id, cue_owner)
    if draft.header is None:
        return
    yield from _player_triggers(draft, draft.header, sorted(cue_owner))
    teams = [team.id for team in draft.header.teams]
    for placed in draft.injects:
        trigger = placed.inject.trigger
        if not isinstance(trigger, model.AfterTrigger) or trigger.after not in by_id:
            continue
        earlier = by_id[trigger.after].inject
        theirs = _recipients(earlier, teams)
        missing = [team for team in _recipients(placed.inject, teams) if team not in theirs]
        if missing:
            message = (
                f"{earlier.id!r} does not go to {', '.join(missing)}: "
                f"this inject can never fire for {'it' if len(missing) == 1 else 'them'}"
            )
            yield problem_at(*placed.at("trigger", "after"), message)


def _recipients(inject: Inject, teams: list[str]) -> list[str]:
    return list(teams) if inject.to == "all" else list(inject.to)


def _player_triggers(draft: Draft, header: ScenarioFile, cues: list[str]) -> Iterator[Problem]:
    kinds = {kind.id: kind for kind in header.requests}
    tasks = [task.id for objective in header.objectives for task in objective.tasks]
    for placed in draft.injects:
        trigger = placed.inject.trigger
        if not isinstance(trigger, model.PlayerTrigger):
            continue
        if trigger.request is not None and trigger.request not in kinds:
            message = _unknown("request type", trigger.request, list(kinds))
            yield problem_at(*placed.at("trigger", "request"), message)
        elif trigger.request is not None and trigger.answer is not None:
            answers = [a.id for a in kinds[trigger.request].answers]
            if trigger.answer not in answers:
                message = _unknown(f"answer of {trigger.request!r}", trigger.answer, answers)
                yield problem_at(*placed.at("trigger", "answer"), message)
        if trigger.cue is not None and trigger.cue not in cues:
            yield problem_at(*placed.at("trigger", "cue"), _unknown("cue", trigger.cue, cues))
        if trigger.task is not None and trigger.task not in tasks:
            yield problem_at(*placed.at("trigger", "task"), _unknown("task", trigger.task, tasks))


def _after(placed: PlacedInject, cue_owner: dict[str, str]) -> tuple[str, str] | None:
    """The inject this one waits for, and the trigger's key that names it."""
    trigger = placed.inject.trigger
    if isinstance(trigger, model.AfterTrigger):
        return trigger.after, "after"
    if isinstance(trigger, model.PlayerTrigger) and trigger.cue in cue_owner:
        return cue_owner[trigger.cue], "cue"
    return None


def _cycles(
    injects: list[PlacedInject], by_id: dict[str, PlacedInject], cue_owner: dict[str, str]
) -> Iterator[Problem]:
    # Each inject waits for at most one other: following ``after`` from any inject either
    # ends or runs into a loop. Each loop is reported once, at its first inject in the files.
    position = {placed.inject.id: n for n, placed in reversed(list(enumerate(injects)))}
    done: set[str] = set()
    for placed in injects:
        path: list[str] = []
        current: str | None = placed.inject.id
        while current is not None and current in by_id and current not in done:
            if current in path:
                cycle = path[path.index(current) :]
                first = min(range(len(cycle)), key=lambda n: position[cycle[n]])
                cycle = cycle[first:] + cycle[:first]
                text = " -> ".join([*cycle, cycle[0]])
                waits = _after(by_id[cycle[0]], cue_owner)
                key = waits[1] if waits else "after"
                yield problem_at(*by_id[cycle[0]].at("trigger", key), f"trigger cycle: {text}")
                break
            path.append(current)
            waits = _after(by_id[current], cue_owner)
            current = waits[0] if waits else None
        done.update(path)


def attachments(draft: Draft) -> Iterator[Problem]:
    """Every attachment's file (of an inject, or of a prepared answer) is inside the scenario's
    ``attachments/`` folder, its files are in declared languages, and no two attachments of an
    inject or an answer share a key."""
    for placed in draft.injects:
        yield from _attachment_problems(draft, placed.inject.attachments, placed.at)
    if draft.header is None or draft.header_source is None:
        return
    source = draft.header_source
    for n, kind in enumerate(draft.header.requests):
        for m, answer in enumerate(kind.answers):

            def at(*loc: str | int, n: int = n, m: int = m) -> tuple[Source, Loc]:
                return source, ("requests", n, "answers", m, *loc)

            yield from _attachment_problems(draft, answer.attachments, at)


def _attachment_problems(
    draft: Draft, items: list[model.Attachment], at: Callable[..., tuple[Source, Loc]]
) -> Iterator[Problem]:
    folder = (draft.folder / "attachments").resolve()
    languages = draft.header.languages if draft.header is not None else None
    keys: dict[str, int] = {}
    for n, item in enumerate(items):
        if item.key in keys:
            message = f"attachment {item.key!r} is listed twice (first at [{keys[item.key]}])"
            yield problem_at(*at("attachments", n), message)
        keys.setdefault(item.key, n)
        where: list[tuple[tuple[str | int, ...], str]] = []
        if item.file:
            source, loc = at("attachments", n)
            whole = isinstance(source.get(loc), str)  # the old form: a bare file name
            where.append(((n,) if whole else (n, "file"), item.file))
        for lang, name in item.files.items():
            where.append(((n, "files", lang), name))
            if languages is not None and lang not in languages:
                declared = ", ".join(languages)
                message = f"language {lang!r} is not declared in scenario.yaml ({declared})"
                yield problem_at(*at("attachments", n, "files", lang), message)
        for loc, name in where:
            path = (folder / name).resolve()
            if Path(name).is_absolute() or not path.is_relative_to(folder):
                message = f"{name!r} is outside the scenario's attachments/ folder"
            elif not path.is_file():
                message = f"file not found: attachments/{name}"
            else:
                continue
            yield problem_at(*at("attachments", *loc), message)


def texts(draft: Draft) -> Iterator[Problem]:
    """Every text has every declared language, no other, and none of them blank."""
    languages = draft.header.languages if draft.header is not None else None
    parts: list[tuple[BaseModel, Source, Loc]] = [(p.inject, *p.at()) for p in draft.injects]
    if draft.header is not None and draft.header_source is not None:
        parts.insert(0, (draft.header, draft.header_source, ()))
    for part, source, loc in parts:
        for text_loc, text in _local_texts(part, loc):
            yield from _text_problems(text, languages, source, text_loc)


def _text_problems(
    text: dict[str, str], languages: list[str] | None, source: Source, loc: Loc
) -> Iterator[Problem]:
    if languages is not None:
        missing = [lang for lang in languages if lang not in text]
        if missing:
            yield problem_at(source, loc, f"missing text in {', '.join(missing)}")
    for lang, value in text.items():
        if languages is not None and lang not in languages:
            declared = ", ".join(languages)
            message = f"language {lang!r} is not declared in scenario.yaml (languages: {declared})"
            yield problem_at(source, (*loc, lang), message)
        elif not value.strip():
            yield problem_at(source, (*loc, lang), "empty text")


def _local_texts(value: Any, loc: Loc) -> Iterator[tuple[Loc, dict[str, str]]]:
    """Every LocalText inside a model, with its location (the only dicts in the schema)."""
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            if isinstance(value, model.Attachment) and name == "files":
                continue  # files per language, not a text: a missing one falls back
            yield from _local_texts(getattr(value, name), (*loc, info.alias or name))
    elif isinstance(value, dict):
        yield loc, value
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _local_texts(item, (*loc, n))


CHECKS: list[Check] = [duplicate_ids, timing, references, triggers, attachments, texts]
