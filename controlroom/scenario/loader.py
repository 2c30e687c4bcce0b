"""Load a scenario folder, reporting every problem at once. See docs/scenario.md.

A scenario is a folder: ``scenario.yaml``, ``injects/*.yaml`` (merged in file-name order)
and ``attachments/``. Each inject is validated on its own, so one bad inject does not hide
the others, and the cross-reference checks run on whatever is valid.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from controlroom.scenario.checks import (
    Draft,
    PlacedInject,
    Problem,
    check_draft,
    duplicate_key_problems,
    validation_problems,
)
from controlroom.scenario.model import Inject, InjectFile, Scenario, ScenarioFile
from controlroom.scenario.schedule_checks import conflict_problems
from controlroom.scenario.source import Loc, Source, SourceError, read_source

SCENARIO_FILE = "scenario.yaml"
M = TypeVar("M", bound=BaseModel)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ScenarioInvalid(Exception):
    """A scenario with problems; ``problems`` holds every one that was found."""

    def __init__(self, scenario_id: str, problems: list[Problem]) -> None:
        self.scenario_id = scenario_id
        self.problems = problems
        count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
        super().__init__(f"{count} in {scenario_id}")

    def __str__(self) -> str:
        return "\n".join([*map(str, self.problems), self.args[0]])


class _Reader:
    """Reads the files of one scenario folder, collecting problems as it goes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.base = folder.resolve().parent  # problems name files relative to this
        self.problems: list[Problem] = []

    def name(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            return str(path)

    def read(self, path: Path) -> Source | None:
        try:
            source = read_source(path, self.name(path))
        except SourceError as error:
            self.problems.append(Problem(self.name(path), error.line, "", error.message))
            return None
        self.problems.extend(duplicate_key_problems(source))
        return source

    def validate(self, cls: type[M], source: Source, data: Any, loc: Loc) -> M | None:
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            self.problems.extend(validation_problems(source, error, loc))
            return None

    def header(self) -> tuple[ScenarioFile | None, Source | None]:
        path = self.folder / SCENARIO_FILE
        if not path.is_file():
            self.problems.append(Problem(self.name(path), 1, "", "file not found"))
            return None, None
        source = self.read(path)
        if source is None:
            return None, None
        return self.validate(ScenarioFile, source, source.data, ()), source

    def injects(self, path: Path) -> tuple[list[PlacedInject], set[str]]:
        """The valid injects of one file, and the ids of the broken ones."""
        source = self.read(path)
        if source is None:
            return [], set()
        data = source.data if source.data is not None else {}
        items = data.get("injects") if isinstance(data, dict) else None
        if not isinstance(items, list):  # let the schema say what is wrong with the file
            self.validate(InjectFile, source, data, ())
            return [], set()
        self.validate(InjectFile, source, {**data, "injects": []}, ())  # keys beside injects
        valid: list[PlacedInject] = []
        broken: set[str] = set()
        for n, item in enumerate(items):
            inject = self.validate(Inject, source, item, ("injects", n))
            if inject is not None:
                valid.append(PlacedInject(inject, source, ("injects", n)))
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                broken.add(item["id"])
        return valid, broken


def inject_files(folder: Path) -> list[Path]:
    """``injects/*.yaml`` (and ``*.yml``) in file-name order."""
    found = [*folder.glob("injects/*.yaml"), *folder.glob("injects/*.yml")]
    return sorted((path for path in found if path.is_file()), key=lambda path: path.name)


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in folder ``path``; raises ScenarioInvalid with every problem found."""
    return _load(Path(path))[0]


def validate_scenario(path: str | Path) -> tuple[Scenario | ScenarioInvalid, list[Problem]]:
    """The scenario (or every problem in it) and the clashes of its actors' run sheet
    (``schedule_checks.conflict_problems``): those do not stop it from loading."""
    try:
        scenario, draft = _load(Path(path))
    except ScenarioInvalid as invalid:
        return invalid, []
    return scenario, conflict_problems(draft)


def _load(folder: Path) -> tuple[Scenario, Draft]:
    scenario_id = folder.resolve().name
    reader = _Reader(folder)
    if not _ID.match(scenario_id):
        message = f"the folder name {scenario_id!r} is not a valid scenario id"
        reader.problems.append(Problem(reader.name(folder / SCENARIO_FILE), 1, "id", message))
    header, header_source = reader.header()
    files = inject_files(folder)
    draft = Draft(folder, header, header_source, [])
    for file in files:
        valid, broken = reader.injects(file)
        draft.injects.extend(valid)
        draft.broken_inject_ids |= broken
    problems = reader.problems + check_draft(draft)
    if problems or header is None:
        order = {reader.name(file): n for n, file in enumerate([folder / SCENARIO_FILE, *files])}
        problems.sort(key=lambda problem: (order.get(problem.file, len(order)), problem.line))
        raise ScenarioInvalid(scenario_id, problems)
    injects = [placed.inject for placed in draft.injects]
    return Scenario(id=scenario_id, injects=injects, **dict(header)), draft


def load_scenario_file(path: str | Path) -> ScenarioFile:
    """Only ``scenario.yaml`` of folder ``path``: teams, languages, objectives..."""
    folder = Path(path)
    reader = _Reader(folder)
    header, _ = reader.header()
    if reader.problems or header is None:
        raise ScenarioInvalid(folder.resolve().name, reader.problems)
    return header


def scenario_folders(root: str | Path) -> list[Path]:
    """The scenario folders under ``root`` (e.g. ``injects/``), by name."""
    return [
        folder
        for folder in sorted(Path(root).iterdir())
        if folder.is_dir() and not folder.name.startswith((".", "_"))
    ]


def load_scenarios(root: str | Path) -> dict[str, Scenario | ScenarioInvalid]:
    """Every scenario folder under ``root`` (e.g. ``injects/``), valid or not, by id."""
    found: dict[str, Scenario | ScenarioInvalid] = {}
    for folder in scenario_folders(root):
        try:
            found[folder.name] = load_scenario(folder)
        except ScenarioInvalid as invalid:
            found[folder.name] = invalid
    return found


def is_scenario(folder: str | Path) -> bool:
    return (Path(folder) / SCENARIO_FILE).is_file()


def summary(scenario: Scenario) -> str:
    """One line of counts, e.g. ``mini: 2 teams, 2 roles, 1 case, 4 injects, 2 cues, ...``."""
    cues = sum(len(inject.cues) for inject in scenario.injects)
    counts = [
        _count(len(scenario.teams), "team"),
        _count(len(scenario.roles), "role"),
        _count(len(scenario.cases), "case"),
        _count(len(scenario.injects), "inject"),
        _count(cues, "cue"),
    ]
    return f"{scenario.id}: {', '.join(counts)}, languages {', '.join(scenario.languages)}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
