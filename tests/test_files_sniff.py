"""A reply's file is what its first bytes say; its name is kept only when it is a plain name."""

from __future__ import annotations

import pytest

from controlroom.files.sniff import display_name, sniff


@pytest.mark.parametrize(
    ("head", "media"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x7fELF\x02\x01", None),  # a Linux program
        (b"MZ\x90\x00", None),  # a Windows program
        (b"#!/bin/sh\n", None),
        (b"<html><script>", None),
        (b"PK\x03\x04", None),  # a zip (or a docx)
        (b" %PDF-1.7", None),  # not at the start
        (b"", None),
    ],
)
def test_the_type_comes_from_the_content(head: bytes, media: str | None) -> None:
    assert sniff(head) == media


@pytest.mark.parametrize(
    "name",
    ["report.pdf", "Скан паспорта.jpg", "photo 2 (final).png", "a.b.c.pdf", "x" * 120],
)
def test_a_plain_name_is_kept(name: str) -> None:
    assert display_name(f"  {name} ") == name


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\boot.ini.pdf",
        "/etc/passwd.pdf",
        "C:\\Users\\x.pdf",
        "C:x.pdf",
        "folder/report.pdf",
        ".htaccess.pdf",
        "report..pdf",
        "...",
        "",
        "   ",
        "a\x00b.pdf",
        "line\nbreak.pdf",
        'quote".pdf',
        "x" * 121,
    ],
)
def test_a_name_with_a_folder_or_a_trick_in_it_is_refused(name: str) -> None:
    assert display_name(name) is None
