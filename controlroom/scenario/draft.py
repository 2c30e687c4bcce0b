"""A scenario's valid parts, before it becomes a Scenario: what the cross-file checks read.

Design: docs/scenario.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from controlroom.scenario.model import Inject, ScenarioFile
from controlroom.scenario.problems import Problem
from controlroom.scenario.source import Loc, Source


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
