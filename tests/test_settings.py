"""Settings: typed, defaulted, read from the environment once, every one listed in the README."""

from __future__ import annotations

from pathlib import Path

from controlroom.settings import Settings, help_table

ROOT = Path(__file__).resolve().parents[1]


def test_settings_are_typed_and_defaulted() -> None:
    settings = Settings.from_environ(
        {
            "CONTROLROOM_RUN_CLOCK": "false",
            "CONTROLROOM_HEARTBEAT_SECONDS": "3.5",
            "CONTROLROOM_ALLOWED_ORIGINS": "http://10.0.0.5:8000, http://laptop.local:8000",
            "CONTROLROOM_DATA_DIR": "/tmp/cr",
        }
    )
    assert settings.run_clock is False
    assert settings.heartbeat_seconds == 3.5
    assert settings.allowed_origins == ("http://10.0.0.5:8000", "http://laptop.local:8000")
    assert settings.journal == "file:///tmp/cr"
    assert settings.sessions == "sqlite:///tmp/cr/access.sqlite3"
    assert settings.files == "file:///tmp/cr/files"
    assert Settings.from_environ({"CONTROLROOM_SESSIONS_URL": "memory://"}).sessions == "memory://"
    assert Settings.from_environ({}).send_queue_frames == 512


def test_redis_journal_brings_redis_sessions() -> None:
    settings = Settings.from_environ({"CONTROLROOM_JOURNAL_URL": "redis://127.0.0.1:6390/0"})
    assert settings.sessions == "redis://127.0.0.1:6390/0"
    assert settings.files == "redis://127.0.0.1:6390/0"  # any worker serves any reply's file


def test_the_readme_lists_every_setting_with_its_default_and_help() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, default, help_text in help_table():
        assert f"| `{name}` | `{default}` | {help_text} |" in readme, name
