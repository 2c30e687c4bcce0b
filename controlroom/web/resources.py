"""The typed resources the lifespan hands to every request and socket. Design: docs/overview.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from controlroom.access.accounts import AccountStore
    from controlroom.access.attempts import Attempts
    from controlroom.access.sessions import SessionStore
    from controlroom.delivery.fastpath import FastPath
    from controlroom.delivery.hub import Delivery
    from controlroom.files.blobs import BlobStore
    from controlroom.live.registry import Exercises
    from controlroom.live.timesource import TimeSource
    from controlroom.scenario.catalog import ScenarioCatalog
    from controlroom.settings import Settings
    from controlroom.web.errors import Outage
    from controlroom.web.templating import Pages


@dataclass(frozen=True, slots=True)
class Resources:
    settings: Settings
    secret: str
    time: TimeSource
    exercises: Exercises
    sessions: SessionStore
    delivery: Delivery
    scenarios: ScenarioCatalog
    accounts: AccountStore
    pages: Pages
    join_attempts: Attempts  # wrong join codes, for the whole server (all workers)
    outage: Outage  # logs one line per outage of the journal or Redis
    fast_path: FastPath  # whether frames are written straight into uvicorn's transport
    files: BlobStore  # the files teams send with replies (controlroom.files)


class AppState(TypedDict):
    resources: Resources


def resources(conn: HTTPConnection) -> Resources:
    """The lifespan's resources, typed (``request.state`` itself is untyped)."""
    return cast(Resources, conn.state.resources)
