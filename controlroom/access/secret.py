"""The server's secret key: from the settings, or generated once and kept in the data folder.

Design: docs/security.md. Read in the lifespan, never at import time. A key shorter than
``MIN_KEY_CHARS`` (an empty ``secret.key`` left by a first start on a full disk, or one
edited by hand) is refused with the reason: with it, anyone could compute the setup token
and forge cookies. The generated key is written atomically (a temporary file, fsync,
rename, then fsync of the folder), mode 0600, so a crash leaves either no key or the whole.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from controlroom.settings import Settings, env_name

MIN_KEY_CHARS = 32
KEY_FILE = "secret.key"


class SecretKeyError(RuntimeError):
    """The configured or kept secret key cannot be used; the message says why and what to do."""


def load_secret(settings: Settings) -> str:
    if settings.secret_key:
        return _checked(settings.secret_key.strip(), f"{env_name('secret_key')}")
    path = settings.data_dir / KEY_FILE
    if path.exists():
        return _checked(path.read_text(errors="replace").strip(), str(path))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    write_key(path, key)
    return key


def _checked(key: str, where: str) -> str:
    if len(key) < MIN_KEY_CHARS:
        what = "empty" if not key else f"only {len(key)} characters long"
        raise SecretKeyError(
            f"the secret key in {where} is {what}; it needs at least {MIN_KEY_CHARS}. "
            f"Delete {KEY_FILE} to have a new one generated (every session and join code "
            "then changes), or set a long random key."
        )
    return key


def write_key(path: Path, key: str) -> None:
    """Write ``key`` to ``path`` atomically with mode 0600 (never replacing an existing key)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)  # like rename, but fails if another process wrote one first
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
