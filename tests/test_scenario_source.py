from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from controlroom.scenario import source as source_module
from controlroom.scenario.source import Source, SourceError, parse_source, read_source


def parse(text: str) -> Source:
    return parse_source(textwrap.dedent(text).lstrip("\n"), Path("x.yaml"), "x.yaml")


def syntax_error(text: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse(text)
    return caught.value


def test_data_is_plain_python() -> None:
    source = parse(
        """
        injects:
          - id: A-01
            to: [police, labour]
            delay: 10m
            count: 3
        """
    )
    assert source.data == {
        "injects": [{"id": "A-01", "to": ["police", "labour"], "delay": "10m", "count": 3}]
    }


def test_lines_of_keys_and_items() -> None:
    source = parse(
        """
        title: Mini
        injects:
          - id: A-01
            cues:
              - role: caller
                where: home

              - role: driver
          - id: A-02
        """
    )
    assert source.lines[("title",)] == 1
    assert source.lines[("injects",)] == 2
    assert source.lines[("injects", 0)] == 3
    assert source.lines[("injects", 0, "id")] == 3
    assert source.lines[("injects", 0, "cues", 0, "role")] == 5
    assert source.lines[("injects", 0, "cues", 0, "where")] == 6
    assert source.lines[("injects", 0, "cues", 1)] == 8
    assert source.lines[("injects", 1, "id")] == 9


def test_line_falls_back_to_the_nearest_parent() -> None:
    source = parse(
        """
        injects:
          - id: A-01
            title: {en: x}
        """
    )
    assert source.line(("injects", 0, "body")) == 2
    assert source.line(("injects", 0, "title", "ru")) == 3
    assert source.line(("nothing", "here")) == 1


def test_flow_sequences_keep_item_lines() -> None:
    source = parse(
        """
        to: [police,
             labour]
        """
    )
    assert source.line(("to", 0)) == 1
    assert source.line(("to", 1)) == 2


def test_get_follows_a_location() -> None:
    source = parse("a: {b: [1, 2]}\n")
    assert source.get(("a", "b", 1)) == 2
    assert source.get(("a", "c")) is None
    assert source.get(("a", "b", 5)) is None


def test_duplicate_keys_are_found_with_both_lines() -> None:
    source = parse(
        """
        injects:
          - id: A-01
            title: one
            body: x
            title: two
        """
    )
    [duplicate] = source.duplicates
    assert duplicate.loc == ("injects", 0, "title")
    assert (duplicate.line, duplicate.first_line) == (5, 3)
    assert source.data["injects"][0]["title"] == "two"


def test_merge_keys_are_not_duplicates() -> None:
    source = parse(
        """
        base: &base
          where: lobby
          emotion: calm
        cue:
          <<: *base
          emotion: angry
        """
    )
    assert source.duplicates == []
    assert source.data["cue"] == {"where": "lobby", "emotion": "angry"}
    assert source.line(("cue", "emotion")) == 6


def test_syntax_error_has_its_line() -> None:
    error = syntax_error(
        """
        title: Mini
        injects:
          - id: A-01
           title: bad indent
        """
    )
    assert error.line == 4
    assert error.message.startswith("YAML syntax error")


def test_tab_indentation_is_a_syntax_error() -> None:
    assert syntax_error("title: x\nteams:\n\t- id: a\n").line == 3


def test_two_documents_are_an_error() -> None:
    assert syntax_error("a: 1\n---\nb: 2\n").line == 2


def test_unknown_tag_is_an_error() -> None:
    assert syntax_error("a: 1\nb: !secret x\n").line == 2


def test_recursive_alias_is_an_error() -> None:
    assert "alias" in syntax_error("a: 1\nb: &loop [*loop]\n").message


def test_mapping_as_key_is_an_error() -> None:
    assert syntax_error("a: 1\n? [x]\n: 2\n").line == 2


def test_empty_file_is_none() -> None:
    assert parse("# nothing yet\n").data is None


def test_read_source_reports_bad_encoding(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes("a: 1\nb: 2\nc: \xe9\n".encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        read_source(path)
    assert caught.value.line == 3
    assert "UTF-8" in caught.value.message


def test_read_source_skips_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_text("title: Учения\n", encoding="utf-8-sig")
    source = read_source(path, "bom.yaml")
    assert source.data == {"title": "Учения"}
    assert source.name == "bom.yaml"


def test_read_source_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_source(tmp_path / "nope.yaml")
    assert "cannot read" in caught.value.message


def test_uses_libyaml_when_available() -> None:
    expected = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    assert source_module._Loader is expected
