"""A scenario from an MSEL, and an MSEL against a scenario. Design: docs/scenario.md.

``new_scenario_files`` makes a whole new scenario of an imported sheet: its teams and its
objectives are the values the sheet's rows name (with the sheet's names for them), its days
and start come from the rows' times. ``sheet_changes`` lists how a sheet differs from a
scenario (added, removed and changed injects, by field, in the sheet's language), and
``replaced_injects`` is the scenario's inject list after the sheet replaces it: injects
the sheet keeps keep their other languages, cues and attachments.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controlroom.scenario.loader import SCENARIO_FILE, ScenarioInvalid, load_scenario
from controlroom.scenario.model import Scenario
from controlroom.scenario.msel import MselImport, dump_inject_file, dump_yaml
from controlroom.scenario.time import format_time, parse_time

INJECT_FILE = "injects/01-msel.yaml"
# The inject fields an MSEL row carries.
ROW_FIELDS = (
    "at",
    "trigger",
    "channel",
    "from",
    "to",
    "title",
    "body",
    "expected_actions",
    "objectives",
    "controller",
    "notes",
)


def new_scenario_files(result: MselImport, lang: str, title: str) -> dict[str, str]:
    """``scenario.yaml`` and one inject file for a new scenario made of ``result``."""
    times = [parse_time(i["at"]) for i in result.injects if "at" in i]
    start = min([parse_time("D1 09:00"), *times])
    days = max([1, *(t // 86400 + 1 for t in times)])
    header: dict[str, Any] = {
        "title": {lang: title},
        "languages": [lang],
        "setting": {lang: title},
        "days": min(days, 14),
        "start": format_time(start - start % 60),
        "teams": [
            {"id": team, "name": {lang: name}, "country": {lang: name}, "agencies": ["police"]}
            for team, name in result.teams.items()
        ],
        "objectives": [
            {"id": objective, "title": {lang: name}}
            for objective, name in result.objectives.items()
        ],
    }
    if not header["teams"]:  # every row went to "all": a scenario needs one team
        header["teams"] = [
            {
                "id": "team-1",
                "name": {lang: "Team 1"},
                "country": {lang: "-"},
                "agencies": ["police"],
            }
        ]
    if not header["objectives"]:
        del header["objectives"]
    note = (
        "# Made from an MSEL: the teams and objectives are the values its rows name.\n"
        "# Check each team's country and agencies, and write the setting.\n"
    )
    return {SCENARIO_FILE: note + dump_yaml(header), INJECT_FILE: dump_inject_file(result.injects)}


def write_new_scenario(folder: Path, files: Mapping[str, str]) -> Scenario:
    """Write a new scenario folder, only if it validates; never over an existing one.

    Raises FileExistsError, or ScenarioInvalid (nothing is left behind then)."""
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} already exists and is not empty")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        target = staging / folder.name
        for name, text in files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (target / "attachments").mkdir(exist_ok=True)
        load_scenario(target)  # raises ScenarioInvalid
        if folder.exists():
            folder.rmdir()
        os.replace(target, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return load_scenario(folder)


@dataclass(frozen=True)
class Change:
    inject: str
    kind: str  # added | removed | changed
    fields: tuple[str, ...] = ()


@dataclass
class SheetChanges:
    changes: list[Change] = field(default_factory=list)

    def of(self, kind: str) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def unchanged(self) -> bool:
        return not self.changes


def _in_language(value: Any, lang: str) -> Any:
    """Every text of ``value`` in ``lang`` only (what a sheet in ``lang`` can say)."""
    if isinstance(value, dict):
        if value and all(isinstance(v, str) for v in value.values()) and "id" not in value:
            return value.get(lang, "")
        return {k: _in_language(v, lang) for k, v in value.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_in_language(item, lang) for item in value]
    return value


def _row_fields(inject: Mapping[str, Any], lang: str) -> dict[str, Any]:
    data = _in_language(dict(inject), lang)
    return {name: data.get(name) for name in ROW_FIELDS if data.get(name) not in (None, [], "")}


def sheet_changes(scenario: Scenario, result: MselImport, lang: str) -> SheetChanges:
    current = {
        inject.id: inject.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        for inject in scenario.injects
    }
    found = SheetChanges()
    for item in result.injects:
        before = current.get(item["id"])
        if before is None:
            found.changes.append(Change(item["id"], "added"))
            continue
        old, new = _row_fields(before, lang), _row_fields(item, lang)
        differ = tuple(name for name in ROW_FIELDS if old.get(name) != new.get(name))
        if differ:
            found.changes.append(Change(item["id"], "changed", differ))
    sheet_ids = {item["id"] for item in result.injects}
    found.changes += [Change(i, "removed") for i in current if i not in sheet_ids]
    return found


def replaced_injects(scenario: Scenario, result: MselImport, lang: str) -> list[dict[str, Any]]:
    """The sheet's injects, each merged into the scenario's inject of the same number."""
    current = {
        inject.id: inject.model_dump(mode="json", by_alias=True, exclude_none=True)
        for inject in scenario.injects
    }
    merged: list[dict[str, Any]] = []
    for item in result.injects:
        before = current.get(item["id"])
        if before is None:
            merged.append(item)
            continue
        after = dict(before)
        for name in ROW_FIELDS:
            after.pop(name, None)
        for name, value in item.items():
            if name == "attachments":
                continue  # the scenario's attachments keep their files in every language
            old = before.get(name)
            after[name] = _merge_text(old, value, lang)
        merged.append(after)
    return merged


def _merge_text(old: Any, new: Any, lang: str) -> Any:
    if isinstance(new, dict) and isinstance(old, dict) and lang in new and len(new) == 1:
        return {**old, lang: new[lang]}
    if isinstance(new, list) and isinstance(old, list) and len(old) == len(new):
        return [_merge_text(o, n, lang) for o, n in zip(old, new, strict=True)]
    return new


def replace_scenario_injects(folder: Path, injects: list[dict[str, Any]]) -> Scenario:
    """Replace the inject files of the scenario in ``folder`` with one file of ``injects``,
    only if the result validates. The old files are kept in ``injects/.replaced/``."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        trial = staging / folder.name
        trial.mkdir()
        shutil.copy2(folder / SCENARIO_FILE, trial / SCENARIO_FILE)
        (trial / "injects").mkdir()
        (trial / INJECT_FILE).write_text(dump_inject_file(injects), encoding="utf-8")
        if (folder / "attachments").is_dir():
            (trial / "attachments").symlink_to((folder / "attachments").resolve())
        load_scenario(trial)  # raises ScenarioInvalid: nothing changed
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    kept = folder / "injects" / ".replaced" / stamp
    kept.mkdir(parents=True, exist_ok=True)
    for old in sorted((folder / "injects").glob("*.yaml")):
        os.replace(old, kept / old.name)
    (folder / INJECT_FILE).write_text(dump_inject_file(injects), encoding="utf-8")
    return load_scenario(folder)


__all__ = [
    "Change",
    "ScenarioInvalid",
    "SheetChanges",
    "new_scenario_files",
    "replace_scenario_injects",
    "replaced_injects",
    "sheet_changes",
    "write_new_scenario",
]
