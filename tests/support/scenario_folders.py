"""Scenario folders for tests: a copy of the mini fixture to break, and where lines are.

``tests/fixtures/scenarios/mini`` is a small valid scenario (en + ru, 2 teams, 2 roles, 1
case, 4 injects with a trigger, cues and an attachment) that any test may load or copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from controlroom.scenario import Problem, ScenarioInvalid, load_scenario

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
MINI = FIXTURES / "mini"


def copy_mini(tmp_path: Path, name: str = "mini") -> Path:
    """A copy of the mini scenario at ``tmp_path/name``, to edit."""
    folder = tmp_path / name
    shutil.copytree(MINI, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` (fails when there is not exactly one)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``path`` containing ``needle``."""
    found = [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if needle in line
    ]
    assert len(found) >= occurrence, f"{needle!r} is not in {path} {occurrence} times"
    return found[occurrence - 1]


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh, editable copy of the mini scenario."""
    return copy_mini(tmp_path)


def problems(folder: Path) -> list[Problem]:
    """Every problem loading ``folder`` reports (it must report some)."""
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario(folder)
    return caught.value.problems


def only_problem(folder: Path) -> Problem:
    [problem] = problems(folder)
    return problem


def day1(folder: Path) -> Path:
    return folder / "injects" / "01-day1.yaml"


def day2(folder: Path) -> Path:
    return folder / "injects" / "02-day2.yaml"
