"""YAML with line numbers: plain Python data plus where each key and item is. See docs/scenario.md.

PyYAML's composer gives a node tree whose marks carry the line of every key and value; we
turn it into dicts, lists and scalars ourselves, so that duplicate keys are caught (PyYAML
would keep the last one silently) and so that every error can name its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Where a value is inside a file: ("injects", 3, "cues", 0, "role").
Loc = tuple[str | int, ...]

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)
_MERGE = "tag:yaml.org,2002:merge"


class SourceError(ValueError):
    """The file can't be read as YAML at all: a syntax error, bad encoding, a missing file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class DuplicateKey:
    loc: Loc  # the key's own location: the mapping's path plus the key
    line: int
    first_line: int


@dataclass
class Source:
    """One YAML file: its data, the line of every location in it, its duplicate keys."""

    path: Path
    name: str  # how problems name the file, e.g. "trafficking-week/injects/day1.yaml"
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[DuplicateKey] = field(default_factory=list)

    def line(self, loc: Loc) -> int:
        """The 1-based line of ``loc``, or of its nearest parent that has one."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return 1

    def get(self, loc: Loc) -> Any:
        """The value at ``loc``, or None when there is none."""
        value = self.data
        for part in loc:
            if not has_child(value, part):
                return None
            value = value[part]
        return value


def has_child(value: Any, part: str | int) -> bool:
    """Whether ``value[part]`` is a key of a mapping or an index of a list."""
    if isinstance(value, list):
        return isinstance(part, int) and 0 <= part < len(value)
    return isinstance(value, dict) and part in value


def read_source(path: Path, name: str | None = None) -> Source:
    """Read a YAML file. Raises SourceError with a line number when it isn't valid YAML."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError(1, f"cannot read the file: {error.strerror or error}") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SourceError(line, "the file is not UTF-8 text") from error
    return parse_source(text, path, name or str(path))


def parse_source(text: str, path: Path, name: str) -> Source:
    source = Source(path=path, name=name, data=None)
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is not None:
            source.lines[()] = node.start_mark.line + 1
            source.data = _Builder(source).build(node, ())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(part for part in (error.context, error.problem) if part)
        raise SourceError(line, f"YAML syntax error: {message}") from error
    except yaml.YAMLError as error:
        raise SourceError(1, f"YAML syntax error: {error}") from error
    return source


class _Builder:
    """Turns a composed node tree into plain data, recording lines and duplicate keys."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        self.building: set[int] = set()  # nodes being built: an alias to one is a loop

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self.constructor.construct_object(node, deep=True)
        if id(node) in self.building:
            raise SourceError(node.start_mark.line + 1, "an alias refers to its own parent")
        self.building.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, loc)
            return self.sequence(node, loc)
        finally:
            self.building.discard(id(node))

    def sequence(self, node: yaml.Node, loc: Loc) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            self.source.lines[(*loc, index)] = item.start_mark.line + 1
            items.append(self.build(item, (*loc, index)))
        return items

    def mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        first_lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.key(key_node)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                duplicate = DuplicateKey((*loc, key), line, first_lines[key])
                self.source.duplicates.append(duplicate)
            else:
                first_lines[key] = line
        self.constructor.flatten_mapping(node)  # resolve "<<: *anchor" merge keys
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            self.source.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, (*loc, key))
        return result

    def key(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            line = node.start_mark.line + 1
            raise SourceError(line, "a mapping key must be a plain value, not a list or mapping")
        return self.constructor.construct_object(node, deep=True)
