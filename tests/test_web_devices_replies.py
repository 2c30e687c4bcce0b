"""A team replies to an inject from its tablet; control answers in the same thread (a real
server: the team's socket, the console's pages and forms)."""

from __future__ import annotations

from typing import Any

import httpx

from controlroom.access.sessions import SESSION_COOKIE
from tests.support.server import (
    Client,
    ClientFactory,
    LiveServer,
    LiveServerFactory,
    marked_scenario,
)
from tests.test_web_devices_reply_files import PDF, device


async def seen(client: Client, text: str, *also: str) -> None:
    """Until a content frame holding ``text`` (and ``also``) came, counting earlier ones."""

    def holds(frame: dict[str, Any]) -> bool:
        content = str(frame.get("content", ""))
        return all(t in content for t in (text, *also))

    if not any(holds(f) for f in client.frames):
        await client.until(holds)


def get(server: LiveServer, cookie: str, path: str) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", cookies={SESSION_COOKIE: cookie}, timeout=10.0)


def post(server: LiveServer, cookie: str, path: str, **kw: object) -> httpx.Response:
    return httpx.post(
        f"{server.url}{path}",
        cookies={SESSION_COOKIE: cookie},
        timeout=10.0,
        **kw,  # type: ignore[arg-type]
    )


async def test_a_reply_lands_in_the_queue_and_controls_answer_reaches_the_team_in_its_thread(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    server.run(
        exercise,
        ("join_device", {"device": "tab-1", "name": "Tab 1", "team": "t1"}),
        ("join_device", {"device": "tab-2", "name": "Tab 2", "team": "t2"}),
        ("startex", {"by": "d"}),
        ("release_now", {"by": "d", "inject": "I-t1-0"}),
        ("release_now", {"by": "d", "inject": "ALL-0"}),
    )
    director = server.session({"kind": "user", "role": "director", "name": "dina"})
    team_cookie = device(server, exercise, "tab-1", team="t1")
    other_cookie = device(server, exercise, "tab-2", team="t2")
    console = clients(server, exercise, "control")
    team = clients(server, exercise, "team:t1", device="tab-1")
    other = clients(server, exercise, "team:t2", device="tab-2")
    for client in (console, team, other):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")

    # the tablet's reply: through its outbox over the socket, applied once
    message = {
        "type": "reply",
        "inject": "I-t1-0",
        "kind": "action",
        "text": "Patrol sent",
        "files": [],
        "action": "r-1",
    }
    for _ in range(2):
        await team.send(message)
        await team.until(lambda f: f.get("type") == "done" and f.get("action") == "r-1")
    await seen(console, 'id="simcell-reply-A001"')
    await seen(team, 'id="reply-A001"')
    _, events = server.journal(exercise)
    assert [e["data"]["reply"] for e in events if e["type"] == "reply.sent"] == ["A001"]

    queue = get(server, director, f"/exercises/{exercise}/simcell")
    assert queue.status_code == 200
    row = queue.text[queue.text.index('id="simcell-reply-A001"') :][:2000]
    assert 'data-inject="I-t1-0"' in row and "Patrol sent" in row
    thread = get(server, director, f"/exercises/{exercise}/simcell/replies/A001")
    assert thread.status_code == 200 and "Sender of I-t1-0" in thread.text

    answered = post(
        server,
        director,
        f"/exercises/{exercise}/simcell/replies/A001/answer",
        data={"csrf": "test", "text": "Noted: the patrol is expected at 10:30."},
    )
    assert answered.status_code == 303, answered.text
    await seen(team, 'id="reply-A001"', "the patrol is expected at 10:30")
    # an observer rates the reply: an observation tied to it (and so to its team)
    observer = server.session({"kind": "user", "role": "observer", "name": "olga"})
    rated = post(
        server,
        observer,
        f"/exercises/{exercise}/simcell/replies/A001/rate",
        data={"csrf": "test", "objective": "identify", "rating": "S", "text": "Quick"},
    )
    assert rated.status_code == 303, rated.text
    refused = post(
        server,
        observer,
        f"/exercises/{exercise}/simcell/replies/A001/answer",
        data={"csrf": "test", "text": "observers do not answer"},
    )
    assert refused.status_code == 403
    _, events = server.journal(exercise)
    (observation,) = [e["data"] for e in events if e["type"] == "observation.added"]
    assert (observation["reply"], observation["team"], observation["rating"]) == ("A001", "t1", "S")
    page = get(server, team_cookie, f"/exercises/{exercise}/team/injects/I-t1-0")
    assert page.status_code == 200
    assert "the patrol is expected at 10:30" in page.text
    assert "Sender of I-t1-0" in page.text and "dina" not in page.text and "olga" not in page.text
    assert "Quick" not in page.text  # the observation is control's
    assert "SimCell" not in page.text
    # another team: nothing of the thread, not even the page of the inject
    assert all("Patrol sent" not in str(f) and "10:30" not in str(f) for f in other.frames)
    assert (
        get(server, other_cookie, f"/exercises/{exercise}/team/injects/I-t1-0").status_code == 404
    )
    other_page = get(server, other_cookie, f"/exercises/{exercise}/team")
    assert "Patrol sent" not in other_page.text and "10:30" not in other_page.text


def reply_form_of_t1(live_server: LiveServerFactory) -> tuple[LiveServer, str, str, str]:
    """A running exercise, team t1's tablet signed in and I-t1-0 released to it: the server,
    the exercise, the tablet's cookie and the reply form's path."""
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    server.run(
        exercise,
        ("join_device", {"device": "tab-1", "name": "Tab 1", "team": "t1"}),
        ("startex", {"by": "d"}),
        ("release_now", {"by": "d", "inject": "I-t1-0"}),
    )
    cookie = device(server, exercise, "tab-1", team="t1")
    return server, exercise, cookie, f"/exercises/{exercise}/team/injects/I-t1-0/reply"


async def test_without_javascript_the_reply_form_posts_text_and_files_at_once(
    live_server: LiveServerFactory,
) -> None:
    server, exercise, cookie, path = reply_form_of_t1(live_server)
    bad = post(
        server,
        cookie,
        path,
        data={"csrf": "test", "text": "x"},
        files={"files": ("../x.pdf", PDF, "application/pdf")},
    )
    assert bad.status_code == 422 and "plain name" in bad.text
    assert not (server.data_dir / "files").exists()
    sent = post(
        server,
        cookie,
        path,
        data={"csrf": "test", "text": "Our draft", "kind": "reply"},
        files={"files": ("draft.pdf", PDF, "application/pdf")},
    )
    assert sent.status_code == 303, sent.text
    page = get(server, cookie, sent.headers["location"].split("#")[0])
    assert "Our draft" in page.text and "draft.pdf" in page.text
    _, events = server.journal(exercise)
    (reply,) = [e for e in events if e["type"] == "reply.sent"]
    assert reply["data"]["files"][0]["name"] == "draft.pdf"


def stored_files(server: LiveServer) -> list[str]:
    folder = server.data_dir / "files"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_refused_reply_post_leaves_no_file_behind(
    live_server: LiveServerFactory,
) -> None:
    """The form without JavaScript decides first: a reply the command refuses (a bad form,
    ENDEX) stores none of its files; a reply taken stores them and links them."""
    server, exercise, cookie, path = reply_form_of_t1(live_server)
    pdf = {"files": ("draft.pdf", PDF, "application/pdf")}
    bad_kind = post(server, cookie, path, data={"csrf": "test", "kind": "gossip"}, files=pdf)
    assert bad_kind.status_code == 422, bad_kind.text
    assert stored_files(server) == []
    sent = post(server, cookie, path, data={"csrf": "test", "text": "Our draft"}, files=pdf)
    assert sent.status_code == 303, sent.text
    kept = stored_files(server)
    assert len(kept) == 2  # the file and its record
    _, events = server.journal(exercise)
    (reply,) = [e for e in events if e["type"] == "reply.sent"]
    file_id = reply["data"]["files"][0]["id"]
    assert kept == [f"{file_id}.bin", f"{file_id}.json"]
    fetched = get(server, cookie, f"/exercises/{exercise}/files/{file_id}")
    assert fetched.status_code == 200 and fetched.content == PDF
    page = get(server, cookie, f"/exercises/{exercise}/team/injects/I-t1-0")
    assert f"/files/{file_id}" in page.text

    server.run(exercise, ("endex", {"by": "d"}))
    other = {"files": ("late.pdf", PDF + b"%late\n", "application/pdf")}
    late = post(server, cookie, path, data={"csrf": "test", "text": "Too late"}, files=other)
    assert late.status_code == 422 and "ENDEX" in late.text
    again = post(server, cookie, path, data={"csrf": "test", "text": "Again"}, files=pdf)
    assert again.status_code == 422
    assert stored_files(server) == kept  # the reply's file stays, nothing new came
