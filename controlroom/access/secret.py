"""The server's secret key: from the settings, or generated once and kept in the data folder.

Design: docs/security.md. Read in the lifespan, never at import time.
"""

from __future__ import annotations

import os
import secrets

from controlroom.settings import Settings


def load_secret(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key
