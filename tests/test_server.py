"""How Control Room is served (controlroom.server): one function builds uvicorn's options
from the settings, and the CLI, the Procfile and the tests' server all go through it."""

from __future__ import annotations

from pathlib import Path

import uvicorn
from click.testing import CliRunner

from controlroom.cli import main
from controlroom.server import APP, uvicorn_options
from controlroom.settings import Settings
from tests.support.server import LiveServer

ROOT = Path(__file__).resolve().parents[1]


def test_options_come_from_the_settings_and_uvicorn_takes_them() -> None:
    settings = Settings.from_environ(
        {"CONTROLROOM_MAX_MESSAGE_BYTES": "1000", "CONTROLROOM_BACKLOG": "64"}
    )
    options = uvicorn_options(settings, host="127.0.0.1", port=8123)
    assert options["ws"] == "websockets-sansio"
    assert options["ws_max_size"] > 1000  # above ours: our 'too-big' answers first
    assert options["ws_ping_interval"] is None and options["ws_per_message_deflate"] is False
    assert options["backlog"] == 64
    config = uvicorn.Config(APP, **options)  # every option is one uvicorn knows
    assert config.ws_max_size == options["ws_max_size"]
    explicit = Settings.from_environ({"CONTROLROOM_WS_MAX_BYTES": "500000"})
    assert uvicorn_options(explicit, host="h", port=1)["ws_max_size"] == 500000


def test_the_procfile_and_the_test_server_run_controlroom_serve(tmp_path: Path) -> None:
    assert (ROOT / "Procfile").read_text().split() == [
        "web:", "controlroom", "serve", "--host", "0.0.0.0", "--port", "$PORT"
    ]  # fmt: skip
    command = LiveServer(tmp_path, {}).command()
    assert command[1:4] == ["-m", "controlroom", "serve"]


def test_serve_refuses_a_short_secret_key_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("\n")
    result = CliRunner().invoke(
        main, ["serve", "--port", "1"], env={"CONTROLROOM_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert "cannot start" in result.output and "empty" in result.output
