"""What a file is, by its first bytes, and a display name fit to keep. Design: docs/security.md.

A team's file is accepted only when its content starts as a PDF, a JPEG or a PNG does: its
name and the Content-Type its browser claimed are never asked. A display name is kept only
when it is a plain file name (no folder, no ``..``, no control character, not hidden); it is
shown to people, never used as a path.
"""

from __future__ import annotations

import re
import unicodedata

# the types a reply may carry: (magic bytes at the start, media type, extension)
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
ACCEPTED = frozenset(media for _, media, _ in MAGIC)
EXTENSIONS = {media: extension for _, media, extension in MAGIC}
MAX_NAME = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def sniff(head: bytes) -> str | None:
    """The media type of a file starting with ``head``, if it is one a reply may carry."""
    for magic, media, _ in MAGIC:
        if head.startswith(magic):
            return media
    return None


def display_name(name: str) -> str | None:
    """``name`` cleaned for display, or None when it is not a plain file name.

    A name with a folder in it (``../../etc/passwd.pdf``, ``C:\\x.pdf``), a control
    character, a leading dot or nothing but dots and spaces is refused, not repaired: the
    team is told and renames the file.
    """
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned or len(cleaned) > MAX_NAME or _UNSAFE.search(cleaned):
        return None
    if cleaned.startswith(".") or ".." in cleaned or not cleaned.strip(". "):
        return None
    return cleaned
