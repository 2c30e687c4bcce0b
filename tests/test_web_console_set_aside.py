"""An exercise whose journal holds events that cannot be applied still opens, says so, works.

Through the real app on a real uvicorn: the journal on disk gets events no fold can apply
(an answer to an unknown request with a bad language key, a release of an unknown inject, an
unknown type, a payload that does not validate). After a restart the exercise is listed, its
console shows each set-aside event in the alerts area (English and Russian), and it takes new
commands whose events land after the bad ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson

from controlroom.access.sessions import SESSION_COOKIE
from tests.support.scenarios import inject, make_scenario
from tests.support.server import LiveServerFactory

SCENARIO = make_scenario(inject("A", at="D1 09:30"), inject("B", trigger="manual"))


def _bad_events(seq: int, at: float) -> list[dict[str, Any]]:
    return [
        {
            "seq": seq + 1,
            "type": "request.answered",
            "at": at + 1,
            "data": {"request": "R001", "text": {"EN": "yes"}, "by": "sam"},
        },
        {
            "seq": seq + 2,
            "type": "inject.released",
            "at": at + 2,
            "data": {"inject": "GHOST", "teams": ["alpha"]},
        },
        {"seq": seq + 3, "type": "weather.changed", "at": at + 3, "data": {"rain": True}},
        {"seq": seq + 4, "type": "clock.speed", "at": at + 4, "data": {"speed": "fast"}},
    ]


async def test_an_exercise_with_events_that_cannot_apply_opens_alerts_and_takes_commands(
    live_server: LiveServerFactory, tmp_path: Path
) -> None:
    data = tmp_path / "venue"
    server = live_server(data_dir=data)
    exercise = server.create_exercise(
        SCENARIO.model_dump(mode="json", by_alias=True, exclude_none=True)
    )
    server.run(exercise, ("startex", {"by": "dina"}))
    server.stop()

    path = data / "exercises" / exercise / "journal.jsonl"
    last = orjson.loads(path.read_bytes().splitlines()[-1])
    bad = _bad_events(last["seq"], last["at"])
    with path.open("ab") as file:
        for event in bad:
            file.write(orjson.dumps(event) + b"\n")
    server.start()

    director = server.session({"kind": "user", "role": "director", "name": "dina"})
    russian = server.session(
        {"kind": "user", "role": "controller", "name": "carl", "language": "ru"}
    )
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        client.cookies.set(SESSION_COOKIE, director)
        listed = await client.get("/exercises")
        assert listed.status_code == 200 and exercise in listed.text
        console = await client.get(f"/exercises/{exercise}")
        assert console.status_code == 200, server.log_tail()
        for event in bad:
            assert f'class="alert-item set-aside" data-seq="{event["seq"]}"' in console.text
            assert f"Event {event['seq']} ({event['type']})" in console.text
        assert "could not be applied and was set aside" in console.text
        assert "unknown event type &#39;weather.changed&#39;" in console.text
        assert "unknown inject" in console.text

        note = await client.post(
            f"/exercises/{exercise}/log/notes",
            data={"text": "after the damage", "csrf": "test"},
            headers={"Origin": server.origin},
        )
        assert note.status_code in (200, 303), note.text

        client.cookies.set(SESSION_COOKIE, russian)
        alerts = await client.get(f"/exercises/{exercise}/boards/alerts")
        assert alerts.status_code == 200
        assert f"Событие {bad[0]['seq']} (request.answered) не удалось применить" in alerts.text

    done = server.run(exercise, ("release_now", {"by": "dina", "inject": "B"}))
    assert done[0]["type"] == "inject.released"
    _, events = server.journal(exercise)
    types = [e["type"] for e in events]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert types[-2:] == ["note.added", "inject.released"]
    assert events[-2]["seq"] == bad[-1]["seq"] + 1
