"""The MSEL as a spreadsheet, in: a sheet's rows to injects, with every problem found first.

Design: docs/scenario.md. ``msel_read`` turns bytes into rows (CSV in any encoding Excel
writes, or XLSX), ``msel_map`` maps a foreign sheet's headers and values to ours,
``msel_write`` writes the MSEL out, and ``msel_scenario`` makes a new scenario from a sheet
or shows how a sheet differs from a scenario. Here: each row to one inject, each bad cell a
problem with its line (CSV) or row (XLSX) and its column's header, nothing written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from controlroom.scenario.checks import Problem, error_message
from controlroom.scenario.model import Inject, ScenarioFile
from controlroom.scenario.msel_map import (
    ALL_TEAMS,
    CHANNEL_LABELS,
    COLUMNS,
    REQUIRED,
    MselError,
    MselMapping,
    channel_of,
    column_for,
    parse_mapping,
    slug,
    split_values,
    squash,
)
from controlroom.scenario.msel_read import SheetError, Table, read_csv, read_sheet
from controlroom.scenario.msel_write import (
    export_msel,
    export_xlsx,
    trigger_text,
    unneutralise,
)
from controlroom.scenario.time import parse_offset, parse_time

__all__ = [
    "CHANNEL_LABELS",
    "COLUMNS",
    "MselError",
    "MselImport",
    "SheetError",
    "channel_of",
    "column_for",
    "export_msel",
    "export_xlsx",
    "import_msel",
    "import_sheet",
    "import_table",
    "parse_mapping",
    "trigger_text",
]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_AFTER = re.compile(
    r"^after\s+(?P<after>\S+)(?:\s+(?P<state>released|delivered|acknowledged|replied))?"
    r"(?:\s+(?P<delay>[+-]?[0-9]+[smh]))?$",
    re.IGNORECASE,
)
# Which column an Inject field's error belongs to.
_FIELD_COLUMNS = {
    "id": "number",
    "at": "scenario time",
    "trigger": "scenario time",
    "channel": "delivery method",
    "from": "from",
    "to": "to",
    "title": "description",
    "body": "description",
    "expected_actions": "expected player action",
    "objectives": "objective",
    "controller": "responsible controller",
    "notes": "controller notes",
    "attachments": "attachments",
}


@dataclass
class MselImport:
    """The injects read from a sheet (plain data, ready for YAML) and its problems.

    ``teams`` and ``objectives`` are the ids the rows name, each with the sheet's own name
    for it (a new scenario is made of them); ``ignored_columns`` are headers we don't use.
    """

    injects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    teams: dict[str, str] = field(default_factory=dict)
    objectives: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # our column -> the sheet's header
    encoding: str = ""
    rows: int = 0

    def yaml(self) -> str:
        return dump_inject_file(self.injects)


def import_sheet(
    data: bytes,
    lang: str,
    *,
    name: str = "msel",
    mapping: MselMapping | None = None,
    scenario: ScenarioFile | None = None,
    max_bytes: int | None = None,
) -> MselImport:
    """A sheet's bytes (CSV or XLSX, whatever its name says) into injects in ``lang``.
    A file that is no sheet at all is one problem, never an exception."""
    try:
        table = (
            read_sheet(data, name)
            if max_bytes is None
            else read_sheet(data, name, max_bytes=max_bytes)
        )
    except SheetError as error:
        return MselImport(problems=[Problem(name, 1, "", str(error).removeprefix(f"{name}: "))])
    return import_table(table, lang, mapping=mapping, scenario=scenario)


def import_msel(
    text: str,
    lang: str,
    *,
    name: str = "msel.csv",
    mapping: Mapping[str, str] | MselMapping | None = None,
    scenario: ScenarioFile | None = None,
) -> MselImport:
    """Read MSEL CSV text into injects in ``lang``. ``scenario`` adds team/objective checks."""
    if not isinstance(mapping, MselMapping):
        mapping = MselMapping().with_columns(mapping or {})
    return import_table(read_csv(text, name), lang, mapping=mapping, scenario=scenario)


def import_table(
    table: Table,
    lang: str,
    *,
    mapping: MselMapping | None = None,
    scenario: ScenarioFile | None = None,
) -> MselImport:
    if scenario is not None and lang not in scenario.languages:
        declared = ", ".join(scenario.languages)
        raise MselError(f"the scenario has no language {lang!r} (languages: {declared})")
    mapping = mapping or MselMapping()
    result = MselImport(encoding=table.encoding, rows=len(table.rows))
    columns = _columns(table, mapping, result)
    if result.problems:
        return result
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        row = {
            column: unneutralise(cells[index]) if index < len(cells) else ""
            for column, index in columns.items()
        }
        reading = _RowReader(table.name, line, row, result, lang, mapping, scenario)
        inject = reading.inject()
        if inject is None:
            continue
        if inject["id"] in seen:
            message = f"duplicate number {inject['id']!r} (first at line {seen[inject['id']]})"
            result.problems.append(reading.problem("number", message))
            continue
        seen[inject["id"]] = line
        result.injects.append(inject)
    return result


def _columns(table: Table, mapping: MselMapping, result: MselImport) -> dict[str, int]:
    """Column name -> index in the row, from the sheet's headers and the mapping."""
    columns: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        column = column_for(header, mapping)
        if column is None or column in columns:
            if header.strip():
                result.ignored_columns.append(header)
            continue
        columns[column] = index
        result.headers[column] = header
    for column in REQUIRED:
        if column not in columns:
            message = (
                f"no {column!r} column (headers: {', '.join(table.headers)}); "
                f"map one with --map 'Header={column}'"
            )
            result.problems.append(Problem(table.name, 1, "", message))
    return columns


class _RowReader:
    """One row of the sheet into one inject, each bad cell a problem."""

    def __init__(
        self,
        name: str,
        line: int,
        row: dict[str, str],
        result: MselImport,
        lang: str,
        mapping: MselMapping,
        scenario: ScenarioFile | None,
    ) -> None:
        self.name, self.line, self.row, self.lang = name, line, row, lang
        self.result, self.mapping, self.scenario = result, mapping, scenario
        self.problems = result.problems
        self.problems_before = len(self.problems)
        self.reported: set[str] = set()  # columns with a problem already

    def cell(self, column: str) -> str:
        return self.row.get(column, "").strip()

    def text(self, column: str) -> str:
        """A text cell as it is (a Markdown body may end with a newline), or "" when blank."""
        value = self.row.get(column, "")
        return value if value.strip() else ""

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.name, self.line, self.result.headers.get(column, column), message)

    def fail(self, column: str, message: str) -> None:
        self.reported.add(column)
        self.problems.append(self.problem(column, message))

    def inject(self) -> dict[str, Any] | None:
        cell, lang = self.cell, self.lang
        item: dict[str, Any] = {"id": cell("number"), **self.when()}
        method = self.mapping.value("delivery method", cell("delivery method"))
        channel = channel_of(method)
        if channel is None:
            self.fail("delivery method", f"unknown delivery method {cell('delivery method')!r}")
        item["channel"] = channel.value if channel else method
        item["from"] = {lang: cell("from")}
        item["to"] = self.recipients()
        title, body = _description(self.text("description"))
        item["title"], item["body"] = {lang: title}, {lang: body}
        actions = [_unbullet(line) for line in cell("expected player action").split("\n")]
        if any(actions):
            item["expected_actions"] = [{lang: action} for action in actions if action]
        if objectives := self.objectives():
            item["objectives"] = objectives
        if controller := cell("responsible controller"):
            item["controller"] = controller
        if notes := self.text("controller notes"):
            item["notes"] = {lang: notes}
        if files := split_values(cell("attachments")):
            item["attachments"] = [{"files": {lang: name}} for name in files]
        self.validate(item)
        return item if len(self.problems) == self.problems_before else None

    def recipients(self) -> str | list[str]:
        teams: list[str] = []
        for value in split_values(self.cell("to")):
            ours = self.mapping.value("to", value)
            if squash(ours) in ALL_TEAMS:
                return "all"
            team = self.team(value, ours)
            if team is not None and team not in teams:
                teams.append(team)
        return teams

    def team(self, value: str, ours: str) -> str | None:
        if self.scenario is None:
            team = slug(ours, f"team-{len(self.result.teams) + 1}")
            self.result.teams.setdefault(team, value)
            return team
        for known in self.scenario.teams:
            names = {squash(known.id), *(squash(name) for name in known.name.values())}
            if squash(ours) in names:
                return known.id
        teams = ", ".join(team.id for team in self.scenario.teams)
        self.fail("to", f"unknown team {value!r} (teams: {teams})")
        return None

    def objectives(self) -> list[str]:
        found: list[str] = []
        for value in split_values(self.cell("objective")):
            ours = self.mapping.value("objective", value)
            if self.scenario is None:
                objective = slug(ours, f"objective-{len(self.result.objectives) + 1}")
                self.result.objectives.setdefault(objective, value)
            else:
                match = [
                    o.id
                    for o in self.scenario.objectives
                    if squash(ours) in {squash(o.id), *(squash(t) for t in o.title.values())}
                ]
                if not match:
                    known = ", ".join(o.id for o in self.scenario.objectives)
                    self.fail("objective", f"unknown objective {value!r} (objectives: {known})")
                    continue
                objective = match[0]
            if objective not in found:
                found.append(objective)
        return found

    def when(self) -> dict[str, Any]:
        text = " ".join(self.cell("scenario time").split())
        if squash(text) == "manual":
            return {"trigger": "manual"}
        if text.casefold().startswith("when "):  # a trigger on what players do, as JSON
            try:
                fields = json.loads(text[5:])
            except ValueError:
                fields = None
            if isinstance(fields, dict):
                return {"trigger": fields}
            self.fail("scenario time", "'when' is followed by the trigger's fields as JSON")
            return {"trigger": "manual"}
        if match := _AFTER.match(text):
            trigger: dict[str, Any] = {"after": match["after"]}
            if match["state"] and match["state"].casefold() != "acknowledged":
                trigger["state"] = match["state"].casefold()
            if match["delay"] and parse_offset(match["delay"]):
                trigger["delay"] = match["delay"].removeprefix("+")
            return {"trigger": trigger}
        try:
            parse_time(text)
        except ValueError as error:
            hint = (
                "; or 'manual', or 'after <number> [acknowledged|delivered|released|replied]"
                " [+10m]'"
            )
            self.fail("scenario time", f"{error}{hint}")
        return {"at": text}

    def validate(self, item: dict[str, Any]) -> None:
        try:
            Inject.model_validate(item)
        except ValidationError as error:
            for detail in error.errors():
                column = _FIELD_COLUMNS.get(str(detail["loc"][0]), "number")
                if column not in self.reported:  # once per column: unions repeat themselves
                    self.fail(column, error_message(detail["loc"], detail))


def _description(text: str) -> tuple[str, str]:
    """Title, blank line, body; without a blank line the first line is the title."""
    title, sep, body = text.partition("\n\n")
    if not sep:
        title, _, body = text.partition("\n")
    title = title.strip()
    return title, body if body.strip() else title


def _unbullet(line: str) -> str:
    return re.sub(r"^\s*(?:[-*\u2022]|[0-9]+[.)])\s+", "", line).strip()


# -- YAML out ----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """safe_dump, with multi-line text as ``|`` blocks so that the file stays readable."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def dump_inject_file(injects: list[dict[str, Any]]) -> str:
    """An ``injects/*.yaml`` file's text: ``injects: [...]``."""
    return dump_yaml({"injects": injects})
