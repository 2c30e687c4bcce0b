"""Observations over the socket (``observe``, ``withdraw``): from an observer's tablet or a
staff account, applied once, corrected and withdrawn by the author; never sent to a team."""

from __future__ import annotations

from typing import Any

from tests.support.server import ClientFactory, LiveServerFactory, marked_scenario


def done(action: str) -> Any:
    return lambda f: f.get("type") == "done" and f.get("action") == action


def error(action: str) -> Any:
    return lambda f: f.get("type") == "error" and f.get("action") == action


OBSERVATION = {
    "type": "observe",
    "team": "t1",
    "objective": "identify",
    "task": None,
    "rating": "S",
    "inject": "I-t1-0",
    "text": "SECRET-OBSERVATION about t1",
    "observation": None,
}


async def test_an_observer_tablet_observes_once_corrects_and_withdraws(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    server.run(
        exercise,
        ("join_device", {"device": "obs-1", "name": "Observer 1", "observer": True}),
        ("join_device", {"device": "tab-1", "name": "Tab", "team": "t1"}),
        ("startex", {"by": "d"}),
        ("release_now", {"by": "d", "inject": "I-t1-0"}),
    )
    team = clients(server, exercise, "team:t1", device="tab-1")
    tablet = clients(server, exercise, "observer", device="obs-1")
    for client in (team, tablet):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    for _ in range(2):  # sent again (the answer was lost): applied once
        await tablet.send({**OBSERVATION, "action": "o-1"})
        await tablet.until(done("o-1"))
    _, events = server.journal(exercise)
    added = [e for e in events if e["type"] == "observation.added"]
    assert len(added) == 1
    assert (added[0]["data"]["device"], added[0]["data"]["by"]) == ("obs-1", "")
    seq = added[0]["seq"]
    correction = {**OBSERVATION, "rating": "M", "observation": seq, "action": "c-1"}
    await tablet.send(correction)
    await tablet.until(done("c-1"))
    await tablet.send({"type": "withdraw", "observation": seq, "action": "w-1"})
    await tablet.until(done("w-1"))
    await tablet.send({"type": "withdraw", "observation": seq, "action": "w-2"})
    await tablet.until(error("w-2"))
    assert tablet.frames[-1]["reason"] == "observation-withdrawn"
    # another inject, not released to t2: refused with its reason
    wrong = {**OBSERVATION, "team": "t2", "action": "o-2"}
    await tablet.send(wrong)
    await tablet.until(error("o-2"))
    assert tablet.frames[-1]["reason"] == "not-released-to-team"
    # a team may not observe, and never gets a frame of an observation
    await team.send({**OBSERVATION, "action": "t-1"})
    await team.until(error("t-1"))
    assert team.frames[-1]["code"] == "forbidden"
    _, events = server.journal(exercise)
    kinds = {e["seq"]: e["type"] for e in events}
    assert [kinds[s] for s in sorted(kinds) if kinds[s].startswith("observation.")] == [
        "observation.added",
        "observation.corrected",
        "observation.withdrawn",
    ]
    observed = {s for s, kind in kinds.items() if kind.startswith("observation.")}
    assert observed <= {f.get("seq") for f in tablet.frames}  # observers see them
    assert not observed & {f.get("seq") for f in team.frames}
    assert not any("SECRET-OBSERVATION" in str(f) for f in team.frames)


async def test_a_staff_account_observes_and_only_the_author_or_director_changes_it(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    server.run(exercise, ("startex", {"by": "d"}))
    olga = clients(server, exercise, "observer", name="olga")
    oleg = clients(server, exercise, "observer", name="oleg")
    director = clients(server, exercise, "control", name="dina")
    for client in (olga, oleg, director):
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    note = {**OBSERVATION, "inject": None, "action": "a-1"}
    await olga.send(note)
    await olga.until(done("a-1"))
    _, events = server.journal(exercise)
    seq = next(e["seq"] for e in events if e["type"] == "observation.added")
    assert next(e for e in events if e["seq"] == seq)["data"]["by"] == "olga"
    await oleg.send({"type": "withdraw", "observation": seq, "action": "b-1"})
    await oleg.until(error("b-1"))
    assert oleg.frames[-1]["reason"] == "not-author"
    await director.send({**note, "rating": "P", "observation": seq, "action": "d-1"})
    await director.until(done("d-1"))
    await olga.send({"type": "withdraw", "observation": seq, "action": "a-2"})
    await olga.until(done("a-2"))
    await olga.send({"type": "observe", "objective": "identify", "action": "x-1", "text": 5})
    await olga.until(lambda f: f.get("type") == "error" and f.get("code") == "bad-message")
