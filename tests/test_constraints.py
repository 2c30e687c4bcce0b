"""Dependency versions are locked: constraints.txt pins exactly what is installed of the
project's dependency closure, and scripts/setup installs with it."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[name] = version
    return found


def test_every_direct_dependency_is_pinned_to_what_is_installed() -> None:
    locked = pins()
    for name in ("starlette", "uvicorn", "websockets", "redis", "jinja2", "pytest", "mypy"):
        assert locked[name] == metadata.version(name), name


def test_setup_installs_with_the_constraints() -> None:
    setup = (ROOT / "scripts" / "setup").read_text()
    installs = [line for line in setup.splitlines() if '-e "$TARGET"' in line]
    assert installs and all('-c "$CONSTRAINTS"' in line for line in installs)
    assert "CONSTRAINTS=constraints.txt" in setup.splitlines()
