"""Nothing acknowledged is lost: kill -9 a real server after N acknowledged events, restart.

Each controller note below is acknowledged (HTTP 303) only after its event was fsynced to
the exercise's journal file. SIGKILL gives the server no chance to flush anything more.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx

from controlroom.journal import Event
from controlroom.journal.file import FileJournalStore
from tests.support.server import LiveServerFactory

ADMIN_TOKEN = "crash-test-setup-token"
NOTES = 40


def sign_in_director(client: httpx.Client) -> str:
    """Create the first director through /setup and return the session's CSRF token."""
    response = client.post(
        f"/setup?token={ADMIN_TOKEN}", data={"name": "director", "password": "a-long-password"}
    )
    assert response.status_code == 303, response.text
    page = client.get("/exercises")
    match = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert match, "the page carries the session's CSRF token"
    return match.group(1)


def create_exercise(client: httpx.Client, csrf: str) -> str:
    response = client.post(
        "/exercises", data={"scenario": "trafficking-week", "name": "Crash test", "csrf": csrf}
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


def test_kill_9_after_acknowledged_events_loses_none(live_server: LiveServerFactory) -> None:
    server = live_server(env={"CONTROLROOM_ADMIN_TOKEN": ADMIN_TOKEN})
    with httpx.Client(base_url=server.url) as client:
        csrf = sign_in_director(client)
        exercise = create_exercise(client, csrf)
        for n in range(NOTES):
            response = client.post(
                f"/exercises/{exercise}/log/notes", data={"text": f"note-{n}", "csrf": csrf}
            )
            assert response.status_code == 303, response.text  # acknowledged

    server.kill()  # SIGKILL: no shutdown, no flush
    server.start()  # the same data folder and port
    with httpx.Client(base_url=server.url) as client:
        csrf = sign_in_director_again(client)
        log = client.get(f"/exercises/{exercise}/log")
        assert log.status_code == 200
        assert all(f"note-{n}" in log.text for n in range(NOTES))
    server.kill()

    events = asyncio.run(read_journal(server.data_dir, exercise))
    notes = [e.data["text"] for e in events if e.type == "note.added"]
    assert notes == [f"note-{n}" for n in range(NOTES)]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


async def read_journal(data_dir: Path, exercise: str) -> list[Event]:
    store = FileJournalStore.from_url(f"file://{data_dir}")
    try:
        return await (await store.open(exercise)).read()
    finally:
        await store.close()


def sign_in_director_again(client: httpx.Client) -> str:
    response = client.post("/signin", data={"name": "director", "password": "a-long-password"})
    assert response.status_code == 303, response.text
    match = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/exercises").text)
    assert match
    return match.group(1)
