"""The secret key: refused when empty or short (with the reason), written atomically, 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from controlroom.access.secret import MIN_KEY_CHARS, SecretKeyError, load_secret
from controlroom.settings import Settings


def test_a_key_is_generated_once_atomically_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    key = load_secret(settings)
    path = tmp_path / "data" / "secret.key"
    assert len(key) >= MIN_KEY_CHARS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(settings) == key
    assert sorted(os.listdir(tmp_path / "data")) == ["secret.key"]  # no temporary file left


@pytest.mark.parametrize("content", ["", "\n", "short-key\n"])
def test_an_empty_or_short_key_file_is_refused_with_the_reason(
    tmp_path: Path, content: str
) -> None:
    (tmp_path / "secret.key").write_text(content)
    with pytest.raises(SecretKeyError, match=r"secret\.key.*(empty|characters long)"):
        load_secret(Settings(data_dir=tmp_path))


def test_a_short_configured_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="CONTROLROOM_SECRET_KEY"):
        load_secret(Settings(data_dir=tmp_path, secret_key="abc"))
