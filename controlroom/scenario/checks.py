"""Scenario problems with file and line: schema errors across files. See docs/scenario.md.

The schema (``model.py``) checks each file on its own; the checks here look across files:
ids that must be unique, references that must exist, triggers that must be able to fire,
translations that must be complete. Each finding is a :class:`Problem` naming the file, the
line and the field, so a scenario writer can go straight to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from controlroom.scenario import model
from controlroom.scenario.draft import Check, Draft, PlacedInject
from controlroom.scenario.model import ScenarioFile
from controlroom.scenario.problems import (
    Problem,
    duplicate_key_problems,
    error_message,
    format_loc,
    problem_at,
    unknown,
    validation_problems,
)
from controlroom.scenario.schedule_checks import sets
from controlroom.scenario.source import Loc, Source
from controlroom.scenario.time import parse_time
from controlroom.scenario.trigger_checks import triggers

# What the loader, the MSEL import and the tests name: one import for the scenario's checks.
__all__ = [
    "Check",
    "Draft",
    "PlacedInject",
    "Problem",
    "check_draft",
    "duplicate_key_problems",
    "error_message",
    "format_loc",
    "validation_problems",
]


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
    for placed in draft.injects:
        for n, cue in enumerate(placed.inject.cues):
            yield from _duplicates(
                "reveal",
                (
                    (reveal.id or str(m), *placed.at("cues", n, "reveals", m - 1))
                    for m, reveal in enumerate(cue.reveals, start=1)
                ),
            )


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
        message = unknown("inject", trigger.after, known_injects)
        yield problem_at(*placed.at("trigger", "after"), message)


def _references_to_header(header: ScenarioFile, placed: PlacedInject) -> Iterator[Problem]:
    inject = placed.inject
    teams = [team.id for team in header.teams]
    if inject.to != "all":
        for n, team in enumerate(inject.to):
            if team not in teams:
                yield problem_at(*placed.at("to", n), unknown("team", team, teams))
    cases = [case.id for case in header.cases]
    if inject.case is not None and inject.case not in cases:
        yield problem_at(*placed.at("case"), unknown("case", inject.case, cases))
    objectives = [objective.id for objective in header.objectives]
    for n, objective in enumerate(inject.objectives):
        if objective not in objectives:
            yield problem_at(
                *placed.at("objectives", n), unknown("objective", objective, objectives)
            )
    roles = [role.id for role in header.roles]
    for n, cue in enumerate(inject.cues):
        if cue.role not in roles:
            yield problem_at(*placed.at("cues", n, "role"), unknown("role", cue.role, roles))


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


CHECKS: list[Check] = [duplicate_ids, timing, references, triggers, sets, attachments, texts]
