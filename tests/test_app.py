"""The factory and its lifespan (controlroom.app): what start-up opened is closed even when
start-up fails halfway; the test-only routes are not part of ``create_app``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route

from controlroom import app as app_module
from controlroom.app import create_app
from controlroom.delivery.hub import Delivery
from controlroom.journal import open_store
from controlroom.web.testroutes import create_test_app
from tests.support.console import settings


async def test_a_start_up_that_fails_halfway_closes_what_it_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []
    real_open_store = open_store

    def spied_store(url: str) -> Any:
        store = real_open_store(url)
        real_close = store.close

        async def close() -> None:
            closed.append("store")
            await real_close()

        store.close = close  # type: ignore[method-assign]
        return store

    async def failing_setup(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(app_module, "open_store", spied_store)
    monkeypatch.setattr(app_module, "announce_setup", failing_setup)

    class SpiedDelivery(Delivery):
        async def close(self) -> None:
            closed.append("delivery")
            await super().close()

    monkeypatch.setattr(app_module, "Delivery", SpiedDelivery)
    application = create_app(settings(tmp_path, journal_url=f"file://{tmp_path}/journal"))
    with pytest.raises(RuntimeError, match="disk full"):
        async with application.router.lifespan_context(application):
            pass  # pragma: no cover - start-up fails before this
    assert closed == ["delivery", "store"]
    # the file journal's lock was released: another store opens the same folder
    again = open_store(f"file://{tmp_path}/journal")
    await again.close()


def _paths(application: Any) -> set[str]:
    return {r.path for r in application.router.routes if isinstance(r, Route)}


def test_test_routes_are_only_in_the_test_factory(tmp_path: Path) -> None:
    production = _paths(create_app(settings(tmp_path)))
    test = _paths(create_test_app(settings(tmp_path)))
    assert not any(p.startswith("/test/") for p in production)
    assert {"/test/exercises", "/test/exercises/{exercise}/sockets"} <= test
    assert production <= test
