"""Every setting, read once from the environment with a type, a default and help text.

Settings table: README.md (``controlroom settings`` prints it). Nothing is read at import time:
``Settings.from_environ()`` is called by the app factory or the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from starlette.config import Config, Environ


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = _setting(  # noqa: RUF009 - Path is immutable
        Path("data"), "Folder for the embedded journal, the secret key and uploads."
    )
    injects_dir: Path = _setting(  # noqa: RUF009 - Path is immutable
        Path("injects"), "Folder of scenarios, one sub-folder each."
    )
    journal_url: str = _setting(
        "",
        "Where exercise journals live: file:///path (embedded default: <data_dir>), "
        "redis://host:port/db (scaled), memory:// (nothing kept).",
    )
    sessions_url: str = _setting(
        "",
        "Where sign-in and device sessions and the control accounts live: "
        "sqlite:///path (embedded default: <data_dir>/access.sqlite3), "
        "redis://host:port/db (scaled; defaults to the journal's Redis), memory:// (nothing kept).",
    )
    files_url: str = _setting(
        "",
        "Where the files teams send with their replies live: file:///path (embedded default: "
        "<data_dir>/files), redis://host:port/db (scaled; defaults to the journal's Redis), "
        "memory:// (nothing kept).",
    )
    secret_key: str = _setting(
        "",
        "Key that signs cookies and join tokens. Empty: generated once and kept in "
        "<data_dir>/secret.key.",
    )
    admin_token: str = _setting(
        "",
        "One-time token for the first director's account. Empty: generated and printed "
        "at first start while no account exists.",
    )
    allowed_origins: tuple[str, ...] = _setting(
        (),
        "Comma-separated extra Origins allowed to open websockets and post forms "
        "(same-origin is always allowed), e.g. http://192.168.1.10:8000.",
    )
    allowed_hosts: tuple[str, ...] = _setting(
        ("*",),
        "Comma-separated Host names the server answers to (guards against DNS rebinding); "
        "* for any.",
    )
    run_clock: bool = _setting(
        True, "Run the release clock in this worker (every worker may: releases stay once)."
    )
    heartbeat_seconds: float = _setting(
        15.0, "Mean interval of websocket heartbeats (jittered +-20%)."
    )
    heartbeat_timeout: float = _setting(
        45.0, "Close a websocket that sent nothing (not even a heartbeat) for this long."
    )
    send_queue_frames: int = _setting(
        512, "Frames queued per websocket before a client that stopped reading is closed."
    )
    max_message_bytes: int = _setting(16_384, "Largest websocket message accepted from a client.")
    max_upload_bytes: int = _setting(
        5_000_000, "Largest MSEL spreadsheet (CSV or XLSX) the console accepts for import."
    )
    max_reply_file_bytes: int = _setting(
        10_000_000,
        "Largest file (PDF, JPEG or PNG) a team may send with a reply to an inject.",
    )
    messages_per_minute: int = _setting(
        240, "Websocket messages a client may send per minute before it is closed."
    )
    history_events: int = _setting(
        100_000, "Events per audience kept in memory for resume; older ones mean 'reload'."
    )
    restart_history_events: int = _setting(
        2_000,
        "Events before a start routed into the resume history when an exercise is opened "
        "(at most history_events); a device that last saw an older one reloads its view.",
    )
    snapshot_events: int = _setting(
        10_000,
        "A snapshot of an exercise's state (data folder, snapshots/) is made after this many "
        "events folded (at start or while running; one made while running is written once "
        "restart_history_events more followed), so the next start folds only what came after "
        "(0: off).",
    )
    resume_wait_seconds: float = _setting(
        10.0,
        "How long a resuming websocket waits for this worker to catch up with the journal "
        "(scaled mode) before it is told 'unavailable' and reconnects.",
    )
    ack_alert_seconds: float = _setting(
        300.0, "Alert control when a released inject is not acknowledged within this time."
    )
    join_attempts_per_minute: int = _setting(
        30, "Wrong join codes a minute (per server, not per IP) before /join pauses briefly."
    )
    language: str = _setting("en", "Default interface language (en, ru).")
    secure_cookies: bool = _setting(False, "Mark cookies Secure (set when served over HTTPS).")
    test_tokens: bool = _setting(
        False, "Accept signed test tokens on websockets (tests and benchmarks only)."
    )
    # -- the server (uvicorn), built by controlroom.server for `controlroom serve` ----------
    ws_implementation: str = _setting(
        "websockets-sansio",
        "uvicorn's websocket implementation (websockets-sansio: the leanest per idle socket).",
    )
    ws_max_bytes: int = _setting(
        0,
        "uvicorn's own limit on a websocket message; 0: four times the largest message "
        "accepted, so that Control Room answers 'too-big' before uvicorn closes.",
    )
    ws_ping_seconds: float = _setting(
        0.0, "uvicorn's own websocket pings; 0: off (the protocol's heartbeats do it)."
    )
    ws_deflate: bool = _setting(
        False, "Per-message deflate on websockets (off: frames are small, CPU per socket)."
    )
    direct_writes: bool = _setting(
        True,
        "Write websocket frames straight into uvicorn's transport when its version is a "
        "known one (controlroom.delivery.fastpath); false: always through ASGI send.",
    )
    backlog: int = _setting(2048, "Connections waiting to be accepted (listen backlog).")
    limit_concurrency: int = _setting(
        0, "Most connections and tasks at once before new ones get 503; 0: no limit."
    )
    keep_alive_seconds: int = _setting(5, "Close an idle HTTP keep-alive connection after this.")
    graceful_shutdown_seconds: int = _setting(
        10, "On SIGTERM, wait at most this long for connections to close."
    )
    proxy_headers: bool = _setting(
        True, "Trust X-Forwarded-Proto/For from the addresses in forwarded_allow_ips."
    )
    forwarded_allow_ips: str = _setting(
        "127.0.0.1", "Comma-separated proxy addresses whose X-Forwarded-* headers are trusted."
    )
    log_level: str = _setting("info", "Server log level (debug, info, warning, error).")
    access_log: bool = _setting(True, "Log every HTTP request.")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        config = Config(environ=Environ(dict(environ)) if environ is not None else Environ())
        values: dict[str, Any] = {}
        for item in fields(cls):
            key = env_name(item.name)
            default = item.default
            if isinstance(default, tuple):
                raw = config(key, cast=str, default=",".join(default))
                values[item.name] = tuple(p.strip() for p in raw.split(",") if p.strip())
            elif isinstance(default, Path):
                values[item.name] = Path(config(key, cast=str, default=str(default)))
            else:
                values[item.name] = config(key, cast=type(default), default=default)
        return cls(**values)

    @property
    def journal(self) -> str:
        return self.journal_url or f"file://{self.data_dir.resolve()}"

    @property
    def sessions(self) -> str:
        if self.sessions_url:
            return self.sessions_url
        if self.journal.startswith(("redis://", "rediss://", "unix://")):
            return self.journal
        return f"sqlite://{(self.data_dir / 'access.sqlite3').resolve()}"

    @property
    def files(self) -> str:
        if self.files_url:
            return self.files_url
        if self.journal.startswith(("redis://", "rediss://", "unix://")):
            return self.journal
        return f"file://{(self.data_dir / 'files').resolve()}"


def env_name(name: str) -> str:
    return f"CONTROLROOM_{name.upper()}"


def help_table() -> list[tuple[str, str, str]]:
    """(variable, default, help) for every setting: the README's settings table."""
    rows = []
    for item in fields(Settings):
        default = item.default
        shown = ",".join(default) if isinstance(default, tuple) else str(default)
        rows.append((env_name(item.name), shown, item.metadata["help"]))
    return rows
