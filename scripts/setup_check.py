"""Is what is installed what pyproject.toml wants? Used by scripts/setup; needs no network.

``python scripts/setup_check.py [--extra dev] [--constraints constraints.txt]`` exits 0 when
Control Room is installed at pyproject's version with pyproject's requirements, and every
requirement (with the extras asked for, and each installed distribution's own requirements,
all the way down) is met by an installed distribution within the constraints; else it
prints what is missing or wrong, one per line, and exits 1. Only the standard library and
``packaging`` (pip's own copy when the test tools are not installed).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _packaging(module: str) -> Any:
    try:
        return importlib.import_module(f"packaging.{module}")
    except ImportError:  # a venv without the test tools: pip brings its own copy
        return importlib.import_module(f"pip._vendor.packaging.{module}")


Requirement = _packaging("requirements").Requirement
canonicalize_name = _packaging("utils").canonicalize_name


def _version(name: str) -> str | None:
    try:
        return str(metadata.version(name))
    except metadata.PackageNotFoundError:
        return None


def _constraints(path: Path | None) -> dict[str, Any]:
    if path is None or not path.exists():
        return {}
    found: dict[str, Any] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            found[canonicalize_name(requirement.name)] = requirement
    return found


def problems(pyproject: Path, extras: list[str], constraints: Path | None) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    found: list[str] = []
    installed = _version(project["name"])
    if installed is None:
        return [f"{project['name']} is not installed"]
    if installed != project["version"]:
        found.append(
            f"{project['name']} {installed} is installed, pyproject wants {project['version']}"
        )
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project.get("optional-dependencies", {}).get(extra, [])
    own = {str(Requirement(r)) for r in project["dependencies"]}
    recorded = {
        str(Requirement(r)) for r in metadata.requires(project["name"]) or [] if "extra ==" not in r
    }
    if own != recorded:
        found.append(f"{project['name']} was installed from an older pyproject.toml")
    pins = _constraints(constraints)
    queue = [(Requirement(r), "pyproject.toml") for r in wanted]
    queue = [(r, by) for r, by in queue if r.marker is None or r.marker.evaluate({"extra": ""})]
    expanded: set[tuple[str, frozenset[str]]] = set()
    while queue:
        requirement, wanted_by = queue.pop()
        key = canonicalize_name(requirement.name)
        version = _version(requirement.name)
        if version is None:
            found.append(f"{requirement} (wanted by {wanted_by}) is not installed")
            continue
        for rule in (requirement, pins.get(key)):
            if rule is not None and not rule.specifier.contains(version, prereleases=True):
                found.append(f"{requirement.name} {version} is installed, {rule} is wanted")
        if (key, frozenset(requirement.extras)) in expanded:
            continue  # its own requirements are queued already
        expanded.add((key, frozenset(requirement.extras)))
        for line in metadata.requires(requirement.name) or []:
            needed = Requirement(line)
            environments = [{"extra": e} for e in requirement.extras] or [{"extra": ""}]
            if needed.marker is None or any(needed.marker.evaluate(e) for e in environments):
                queue.append((needed, requirement.name))
    return list(dict.fromkeys(found))  # once each, however many want it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="append", default=[], help="an optional extra, e.g. dev")
    parser.add_argument("--constraints", type=Path, default=None, help="a pip constraints file")
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    args = parser.parse_args(argv)
    found = problems(args.pyproject, args.extra, args.constraints)
    for problem in found:
        print(f"setup: {problem}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
