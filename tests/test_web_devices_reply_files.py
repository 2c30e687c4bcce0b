"""Files a team sends with a reply, on a real server: refused unless they are what their
content says (PDF, JPEG, PNG), small enough and plainly named, and then served only to that
team and to control (docs/security.md, "Files teams send")."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from controlroom.access.sessions import SESSION_COOKIE
from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.files.blobs import MemoryBlobs, describe
from controlroom.web.devices.reply_files import stored_while
from tests.support.redis_server import RedisServer
from tests.support.server import ClientFactory, LiveServer, LiveServerFactory, marked_scenario

LIMIT = 4000
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(120) + b"This program cannot be run in DOS"


@dataclass
class Place:
    server: LiveServer
    exercise: str
    team: str  # cookies
    other_team: str
    actor: str
    director: str
    observer: str

    @property
    def files(self) -> Path:
        return self.server.data_dir / "files"

    def stored(self) -> list[str]:
        return sorted(p.name for p in self.files.glob("*")) if self.files.exists() else []

    def upload(
        self, cookie: str, name: str, data: bytes, claimed: str = "application/pdf", **kw: Any
    ) -> httpx.Response:
        return httpx.post(
            f"{self.server.url}/exercises/{self.exercise}/team/files",
            files={"file": (name, data, claimed)},
            headers={"X-CSRF-Token": kw.get("csrf", "test")},
            cookies={SESSION_COOKIE: cookie},
            timeout=10.0,
        )

    def fetch(self, cookie: str, file_id: str, exercise: str | None = None) -> httpx.Response:
        return httpx.get(
            f"{self.server.url}/exercises/{exercise or self.exercise}/files/{file_id}",
            cookies={SESSION_COOKIE: cookie} if cookie else {},
            timeout=10.0,
        )


def device(
    server: LiveServer, exercise: str, device: str, language: str = "en", **target: str
) -> str:
    role = "team" if "team" in target else "actor"
    data = {"kind": "device", "role": role, "name": device, "exercise": exercise}
    return server.session({**data, **target, "device": device, "language": language})


@pytest.fixture
def place(live_server: LiveServerFactory) -> Place:
    server = live_server(journal_url="memory://", max_reply_file_bytes=LIMIT)
    exercise = server.create_exercise(marked_scenario())
    server.run(
        exercise,
        ("join_device", {"device": "tab-1", "name": "Tab 1", "team": "t1"}),
        ("join_device", {"device": "tab-2", "name": "Tab 2", "team": "t2"}),
        ("join_device", {"device": "act-1", "name": "Act", "role": "r0"}),
        ("startex", {"by": "d"}),
        ("release_now", {"by": "d", "inject": "I-t1-0"}),
    )
    return Place(
        server,
        exercise,
        device(server, exercise, "tab-1", team="t1"),
        device(server, exercise, "tab-2", team="t2"),
        device(server, exercise, "act-1", actor_role="r0"),
        server.session({"kind": "user", "role": "director", "name": "dina"}),
        server.session({"kind": "user", "role": "observer", "name": "olga"}),
    )


REFUSED = [
    ("notes.txt", b"plain words, not a document", "text/plain", 415, "file-type"),
    ("report.pdf", ELF, "application/pdf", 415, "file-type"),  # an executable renamed .pdf
    ("scan.png", PE, "image/png", 415, "file-type"),  # a Windows program renamed .png
    ("big.pdf", PDF + bytes(LIMIT), "application/pdf", 413, "file-too-big"),
    ("../../etc/passwd.pdf", PDF, "application/pdf", 422, "file-name"),
    ("..\\..\\windows\\win.ini.pdf", PDF, "application/pdf", 422, "file-name"),
    (".hidden.pdf", PDF, "application/pdf", 422, "file-name"),
    ("empty.pdf", b"", "application/pdf", 422, "file-empty"),
]


@pytest.mark.parametrize(("name", "data", "claimed", "status", "code"), REFUSED)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_stored(
    place: Place, name: str, data: bytes, claimed: str, status: int, code: str
) -> None:
    response = place.upload(place.team, name, data, claimed)
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["code"] == code
    assert answer["error"] and "%(" not in answer["error"]
    assert "no-store" in response.headers["cache-control"]
    assert place.stored() == []


def test_the_messages_say_what_to_do_in_the_devices_language(place: Place) -> None:
    said = place.upload(place.team, "report.pdf", ELF).json()["error"]
    assert said == "Only PDF, JPEG and PNG files can be sent; this file's content is none of these."
    big = place.upload(place.team, "big.pdf", PDF + bytes(LIMIT)).json()["error"]
    assert big == "The file is too big (at most 0.004 MB)."
    russian = device(place.server, place.exercise, "tab-1", "ru", team="t1")
    named = place.upload(russian, "../../etc/passwd.pdf", PDF).json()["error"]
    assert named.startswith("Такое имя файла нельзя использовать")
    assert place.stored() == []


def test_an_upload_without_the_csrf_token_or_by_a_stranger_stores_nothing(place: Place) -> None:
    assert place.upload(place.team, "report.pdf", PDF, csrf="forged").status_code == 403
    assert place.upload(place.actor, "report.pdf", PDF).status_code in (403, 404)
    assert place.upload(place.director, "report.pdf", PDF).status_code in (403, 404)
    assert place.upload("", "report.pdf", PDF).status_code in (303, 403, 404)
    assert place.stored() == []


@pytest.mark.parametrize(
    ("name", "data", "media"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("Скан паспорта.jpg", JPEG, "image/jpeg"),
        ("scan.pdf", PNG, "image/png"),
    ],
)
def test_a_good_file_is_stored_by_id_and_typed_by_its_content(
    place: Place, name: str, data: bytes, media: str
) -> None:
    response = place.upload(place.team, name, data, "application/octet-stream")
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["name"], stored["type"], stored["size"]) == (name, media, len(data))
    again = place.upload(place.team, name, data).json()  # a retried upload: the same file
    assert again["id"] == stored["id"]
    assert place.stored() == [f"{stored['id']}.bin", f"{stored['id']}.json"]
    served = place.fetch(place.team, stored["id"])
    assert served.status_code == 200
    assert served.content == data
    assert served.headers["content-type"] == media
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline; filename=")
    assert "no-store" in served.headers["cache-control"]


def test_only_that_team_and_control_ever_fetch_the_file(place: Place) -> None:
    file_id = place.upload(place.team, "report.pdf", PDF).json()["id"]
    assert place.fetch(place.team, file_id).status_code == 200
    assert place.fetch(place.director, file_id).status_code == 200
    assert place.fetch(place.observer, file_id).status_code == 200
    for stranger in (place.other_team, place.actor, ""):
        assert place.fetch(stranger, file_id).status_code == 404
    other = place.server.create_exercise(marked_scenario(), "other")
    assert place.fetch(place.director, file_id, exercise=other).status_code == 404
    # the other team sending the same bytes gets its own file, and still not the first one
    theirs = place.upload(place.other_team, "report.pdf", PDF).json()["id"]
    assert theirs != file_id
    assert place.fetch(place.other_team, file_id).status_code == 404
    assert place.fetch(place.team, theirs).status_code == 404
    place.server.run(place.exercise, ("revoke_device", {"by": "d", "device": "tab-1"}))
    assert place.fetch(place.team, file_id).status_code == 404


async def test_a_reply_names_its_files_and_the_journal_never_holds_their_bytes(
    place: Place, clients: ClientFactory
) -> None:
    stored = place.upload(place.team, "statement.pdf", PDF).json()
    theirs = place.upload(place.other_team, "theirs.pdf", PDF + b"%").json()
    team = clients(place.server, place.exercise, "team:t1", device="tab-1")
    await team.connect()
    await team.until(lambda f: f["type"] == "live")
    await team.send(
        {
            "type": "reply",
            "inject": "I-t1-0",
            "kind": "reply",
            "text": "Our statement",
            "files": [stored["id"]],
            "action": "rp-1",
        }
    )
    await team.until(lambda f: f.get("type") == "done" and f.get("action") == "rp-1")
    await team.send(
        {"type": "reply", "inject": "I-t1-0", "text": "", "files": [theirs["id"]], "action": "rp-2"}
    )
    await team.until(lambda f: f.get("type") == "error" and f.get("action") == "rp-2")
    assert team.frames[-1]["reason"] == "no-file"
    _, events = place.server.journal(place.exercise)
    sent = [e for e in events if e["type"] == "reply.sent"]
    assert len(sent) == 1
    (record,) = sent[0]["data"]["files"]
    assert record == {
        "id": stored["id"],
        "name": "statement.pdf",
        "type": "application/pdf",
        "size": len(PDF),
        "sha256": __import__("hashlib").sha256(PDF).hexdigest(),
    }
    assert b"%PDF" not in orjson.dumps(events)


def test_in_scaled_mode_any_worker_serves_a_file_another_stored(
    live_server: LiveServerFactory, redis_server: RedisServer
) -> None:
    """Two workers on one Redis: uploaded to one, the file is served by the other."""
    one, two = (
        live_server(
            data_dir=redis_server.directory.parent / f"worker{k}", journal_url=redis_server.url
        )
        for k in (1, 2)
    )
    exercise = one.create_exercise(marked_scenario())
    one.run(
        exercise,
        ("join_device", {"device": "tab-1", "name": "Tab 1", "team": "t1"}),
        ("join_device", {"device": "tab-2", "name": "Tab 2", "team": "t2"}),
    )
    mine = device(one, exercise, "tab-1", team="t1")  # sessions are in Redis too
    theirs = device(one, exercise, "tab-2", team="t2")
    on_one = Place(one, exercise, mine, theirs, "", "", "")
    on_two = Place(two, exercise, mine, theirs, "", "", "")
    stored = on_one.upload(mine, "report.pdf", PDF).json()
    assert on_one.stored() == []  # not in the worker's data folder: in Redis
    deadline = time.monotonic() + 10
    while (served := on_two.fetch(mine, stored["id"])).status_code != 200:
        assert time.monotonic() < deadline, served.status_code  # until worker two follows
        time.sleep(0.2)
    assert served.content == PDF
    assert on_two.fetch(theirs, stored["id"]).status_code == 404


async def test_files_stored_for_a_refused_command_are_removed_unless_held_before() -> None:
    """The no-JavaScript reply stores its files, then runs the command: if the runtime
    refuses it after all (the state moved since the post decided), what it added goes."""
    store = MemoryBlobs()
    held = describe("ex1", "t1", "held.pdf", "application/pdf", PDF)
    new = describe("ex1", "t1", "new.png", "image/png", PNG)
    await store.put(held, PDF)  # sent before with a reply the journal names

    async def refused() -> None:
        raise CommandRefused(Refusal.ENDED)

    with pytest.raises(CommandRefused):
        await stored_while(store, [(held, PDF), (new, PNG)], refused)
    assert await store.read(held.id) == PDF
    assert await store.record(new.id) is None and await store.read(new.id) is None

    async def taken() -> str:
        return "A001"

    assert await stored_while(store, [(held, PDF), (new, PNG)], taken) == "A001"
    assert await store.read(new.id) == PNG and await store.read(held.id) == PDF
