"""How Control Room is served: the ONE place that turns settings into uvicorn's options.

Design: docs/protocol.md ("Serving it"). ``controlroom serve`` (the CLI), the Procfile
(which runs ``controlroom serve``) and the tests' live server (tests/support/server.py, which
runs the same command) all go through ``uvicorn_options``, so what is tested is what runs.
"""

from __future__ import annotations

from typing import Any

from controlroom.settings import Settings

APP = "controlroom.app:create_app"
WS_MAX_FACTOR = 4  # uvicorn's own message limit, over ours: our 'too-big' answers first


def ws_max_bytes(settings: Settings) -> int:
    """uvicorn's limit: above ``max_message_bytes`` so the protocol's ``too-big`` is reachable."""
    chosen = settings.ws_max_bytes or settings.max_message_bytes * WS_MAX_FACTOR
    return max(chosen, settings.max_message_bytes + 1024)


def uvicorn_options(
    settings: Settings, *, host: str, port: int, workers: int = 1
) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run(APP, **options)`` (``uvicorn.Config``)."""
    return {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "ws": settings.ws_implementation,
        "ws_max_size": ws_max_bytes(settings),
        "ws_ping_interval": settings.ws_ping_seconds or None,
        "ws_per_message_deflate": settings.ws_deflate,
        "backlog": settings.backlog,
        "limit_concurrency": settings.limit_concurrency or None,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "timeout_graceful_shutdown": settings.graceful_shutdown_seconds or None,
        "proxy_headers": settings.proxy_headers,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "log_level": settings.log_level,
        "access_log": settings.access_log,
    }


def serve(settings: Settings, *, host: str, port: int, workers: int = 1, app: str = APP) -> None:
    """Run uvicorn with ``app`` (an app factory's import path) as configured."""
    import uvicorn

    uvicorn.run(app, **uvicorn_options(settings, host=host, port=port, workers=workers))
