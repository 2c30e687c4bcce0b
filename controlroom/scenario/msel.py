"""The MSEL as a spreadsheet (CSV) with the HSEEP columns, out and back in. See docs/scenario.md.

Export writes one row per inject in one language: timed injects in time order, then the
manual and triggered ones. Import turns such a sheet (or one whose headers differ, through a
column mapping) into an inject file for ``injects/*.yaml``, reporting bad rows by CSV line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from controlroom.scenario.checks import Problem, error_message
from controlroom.scenario.model import AfterTrigger, Channel, Inject, Scenario, ScenarioFile
from controlroom.scenario.time import parse_offset, parse_time

# The HSEEP columns, in order, by the field names that ``--map "Header=field"`` uses.
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
)
REQUIRED = ("number", "scenario time", "delivery method", "from", "to", "description")
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
}

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

_AFTER = re.compile(
    r"^after\s+(?P<after>\S+)(?:\s+(?P<state>released|delivered|acknowledged))?"
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
}


def _squash(text: str) -> str:
    """Case- and space-insensitive form of a header or a delivery method."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def channel_of(text: str) -> Channel | None:
    """Our channel ids and common spellings: "Phone call", "E-mail", "News item"..."""
    key = _squash(text)
    for channel, label in CHANNEL_LABELS.items():
        if key in (_squash(channel.value), _squash(label)):
            return channel
    return _CHANNEL_SPELLINGS.get(key)


# -- export ------------------------------------------------------------------------------


def msel_order(scenario: Scenario) -> list[Inject]:
    """Timed injects by scenario time, then manual and triggered ones in scenario order."""
    timed = [inject for inject in scenario.injects if inject.at_seconds is not None]
    untimed = [inject for inject in scenario.injects if inject.at_seconds is None]
    return sorted(timed, key=lambda inject: inject.at_seconds or 0) + untimed


def trigger_text(inject: Inject) -> str:
    """The scenario time column: ``D2 10:15``, ``manual`` or ``after B-03 acknowledged +10m``."""
    trigger = inject.trigger
    if isinstance(trigger, AfterTrigger):
        text = f"after {trigger.after} {trigger.state}"
        if trigger.delay_seconds:
            text += " " + (trigger.delay if trigger.delay[0] in "+-" else f"+{trigger.delay}")
        return text
    return inject.at or trigger or ""


def export_msel(scenario: Scenario, lang: str | None = None) -> str:
    """The scenario's MSEL as CSV text in ``lang`` (default: the original language)."""
    lang = lang or scenario.original_language
    if lang not in scenario.languages:
        raise ValueError(
            f"{scenario.id} has no language {lang!r} ({', '.join(scenario.languages)})"
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.capitalize() for column in COLUMNS])
    for inject in msel_order(scenario):
        writer.writerow(_row(inject, lang, scenario.original_language))
    return buffer.getvalue()


def _row(inject: Inject, lang: str, original: str) -> list[str]:
    def text(value: Mapping[str, str] | None) -> str:
        return "" if value is None else value.get(lang, value.get(original, ""))

    return [
        inject.id,
        trigger_text(inject),
        CHANNEL_LABELS[inject.channel],
        text(inject.sender),
        "all" if inject.to == "all" else "; ".join(inject.to),
        f"{text(inject.title)}\n\n{text(inject.body)}",
        "\n".join(text(action) for action in inject.expected_actions),
        "; ".join(inject.objectives),
        inject.controller or "",
        text(inject.notes),
    ]


# -- import ------------------------------------------------------------------------------


class MselError(ValueError):
    """The import can't start: a bad ``--map``, an unknown language."""


@dataclass
class MselImport:
    """The injects read from a sheet (plain data, ready for YAML) and its bad rows."""

    injects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def yaml(self) -> str:
        return dump_inject_file(self.injects)


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``["Inject No=number", "Time=scenario time"]`` -> header -> column."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, column = item.partition("=")
        known = {_squash(name): name for name in COLUMNS}
        if not sep or _squash(column) not in known:
            raise MselError(
                f"bad column mapping {item!r}: expected 'Header=column' with a column among "
                + ", ".join(COLUMNS)
            )
        mapping[header.strip()] = known[_squash(column)]
    return mapping


def import_msel(
    text: str,
    lang: str,
    *,
    name: str = "msel.csv",
    mapping: Mapping[str, str] | None = None,
    scenario: ScenarioFile | None = None,
) -> MselImport:
    """Read MSEL CSV text into injects in ``lang``. ``scenario`` adds team/objective checks."""
    if scenario is not None and lang not in scenario.languages:
        declared = ", ".join(scenario.languages)
        raise MselError(f"the scenario has no language {lang!r} (languages: {declared})")
    result = MselImport()
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    headers = next(reader, [])
    columns = _columns(headers, mapping or {}, name, result)
    if result.problems:
        return result
    seen: dict[str, int] = {}
    for line, row in _rows(reader, columns):
        reading = _RowReader(name, line, row, headers, columns, lang, result.problems)
        inject = reading.inject(scenario)
        if inject is None:
            continue
        if inject["id"] in seen:
            message = f"duplicate number {inject['id']!r} (first at line {seen[inject['id']]})"
            result.problems.append(reading.problem("number", message))
            continue
        seen[inject["id"]] = line
        result.injects.append(inject)
    return result


def _delimiter(text: str) -> str:
    """Spreadsheets save CSV with ',' or, in much of Europe, ';' (or tabs)."""
    first = text.split("\n", 1)[0]
    return max(",;\t", key=first.count)


def _columns(
    headers: list[str], mapping: Mapping[str, str], name: str, result: MselImport
) -> dict[str, int]:
    """Column name -> index in the row, from the sheet's headers and the mapping."""
    mapped = {_squash(header): column for header, column in mapping.items()}
    standard = {_squash(column): column for column in COLUMNS} | _HEADER_ALIASES
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _squash(header)
        column = mapped.get(key) or standard.get(key)
        if column is None or column in columns:
            if header.strip():
                result.ignored_columns.append(header)
            continue
        columns[column] = index
    for column in REQUIRED:
        if column not in columns:
            message = (
                f"no {column!r} column (headers: {', '.join(headers)}); "
                f"map one with --map 'Header={column}'"
            )
            result.problems.append(Problem(name, 1, "", message))
    return columns


def _rows(reader: Any, columns: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the row starts, column -> cell) for every row that is not blank."""
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield (
                line,
                {
                    column: cells[index] if index < len(cells) else ""
                    for column, index in columns.items()
                },
            )
        line = reader.line_num + 1


class _RowReader:
    """One row of the sheet into one inject, each bad cell a problem."""

    def __init__(
        self,
        name: str,
        line: int,
        row: dict[str, str],
        headers: list[str],
        columns: dict[str, int],
        lang: str,
        problems: list[Problem],
    ) -> None:
        self.name, self.line, self.row, self.lang = name, line, row, lang
        self.headers = {column: headers[index] for column, index in columns.items()}
        self.problems = problems
        self.problems_before = len(problems)
        self.reported: set[str] = set()  # columns with a problem already

    def cell(self, column: str) -> str:
        return self.row.get(column, "").strip()

    def text(self, column: str) -> str:
        """A text cell as it is (a Markdown body may end with a newline), or "" when blank."""
        value = self.row.get(column, "")
        return value if value.strip() else ""

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.name, self.line, self.headers.get(column, column), message)

    def fail(self, column: str, message: str) -> None:
        self.reported.add(column)
        self.problems.append(self.problem(column, message))

    def inject(self, scenario: ScenarioFile | None) -> dict[str, Any] | None:
        cell, lang = self.cell, self.lang
        item: dict[str, Any] = {"id": cell("number"), **self.when()}
        channel = channel_of(cell("delivery method"))
        if channel is None:
            self.fail("delivery method", f"unknown delivery method {cell('delivery method')!r}")
        item["channel"] = channel.value if channel else cell("delivery method")
        item["from"] = {lang: cell("from")}
        item["to"] = "all" if cell("to").casefold() == "all" else _ids(cell("to"))
        title, body = _description(self.text("description"))
        item["title"], item["body"] = {lang: title}, {lang: body}
        actions = [_unbullet(line) for line in cell("expected player action").split("\n")]
        if any(actions):
            item["expected_actions"] = [{lang: action} for action in actions if action]
        if objectives := _ids(cell("objective")):
            item["objectives"] = objectives
        if controller := cell("responsible controller"):
            item["controller"] = controller
        if notes := self.text("controller notes"):
            item["notes"] = {lang: notes}
        self.validate(item)
        if scenario is not None:
            self.references(item, scenario)
        return item if len(self.problems) == self.problems_before else None

    def when(self) -> dict[str, Any]:
        text = " ".join(self.cell("scenario time").split())
        if text.casefold() == "manual":
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
            hint = "; or 'manual', or 'after <number> [acknowledged|delivered|released] [+10m]'"
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

    def references(self, item: dict[str, Any], scenario: ScenarioFile) -> None:
        teams = [team.id for team in scenario.teams]
        for team in [] if item["to"] == "all" else item["to"]:
            if team not in teams:
                self.fail("to", f"unknown team {team!r} (teams: {', '.join(teams)})")
        objectives = [objective.id for objective in scenario.objectives]
        for objective in item.get("objectives", []):
            if objective not in objectives:
                known = ", ".join(objectives)
                self.fail("objective", f"unknown objective {objective!r} (objectives: {known})")


def _ids(text: str) -> list[str]:
    return [part for part in re.split(r"[;,\s]+", text) if part]


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


def dump_inject_file(injects: list[dict[str, Any]]) -> str:
    """An ``injects/*.yaml`` file's text: ``injects: [...]``."""
    return yaml.dump(
        {"injects": injects}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
