"""The leakage matrix, on a real server: nothing reaches an audience that is not its own.

Every secret of the scenario is a unique marker (tests.support.server.marked_scenario); the
raw text of every frame each client receives is searched for markers its audience may not
see at that point (``Oracle.leaks``), live and through resumes with forged, old, future and
foreign sequence numbers or epochs.
"""

from __future__ import annotations

from typing import Any

from tests.support.server import (
    Client,
    ClientFactory,
    LiveServer,
    LiveServerFactory,
    Oracle,
    marked_scenario,
    marker,
)

AUDIENCES = ["control", "observer", "team:t1", "team:t2", "team:t3", "actor:r0", "actor:r1"]


def drive(server: LiveServer, exercise: str) -> None:
    """A morning of exercise: releases, edits, requests, notes, a hold, an ad-hoc inject."""
    adhoc: dict[str, Any] = {
        "id": "X-1",
        "trigger": "manual",
        "channel": "news",
        "from": {"en": "News"},
        "to": ["t2"],
        "title": {"en": "Breaking"},
        "body": {"en": marker("BODY", "X-1")},
        "notes": {"en": marker("NOTE", "X-1")},
    }
    edit_released = {
        "body": {"en": marker("BODY", "I-t1-0", "v2")},
        "notes": {"en": marker("NOTE", "I-t1-0", "v2")},
    }
    edit_upcoming = {"body": {"en": marker("BODY", "I-t3-1", "v2")}}
    observation = {"text": marker("NOTE", "obs"), "objective": "identify", "rating": "S"}
    server.run(
        exercise,
        ("startex", {"by": "d"}),
        ("release_now", {"by": "d", "inject": "I-t1-0"}),
        ("release_now", {"by": "d", "inject": "I-t2-0"}),
        ("release_now", {"by": "d", "inject": "ALL-0", "teams": ["t1", "t3"]}),
        ("edit", {"by": "d", "inject": "I-t1-0", "changes": edit_released}),
        ("edit", {"by": "d", "inject": "I-t3-1", "changes": edit_upcoming}),
        ("cue_status", {"role": "r0", "cue": "I-t1-0.1", "status": "ready", "device": "a"}),
        ("send_request", {"team": "t1", "device": "x", "kind": "interpreter", "text": "please"}),
        ("claim_request", {"by": "c", "request": "R001"}),
        ("answer_request", {"by": "c", "request": "R001", "answer": "soon"}),
        ("add_note", {"by": "c", "text": marker("NOTE", "log"), "team": "t1"}),
        ("hold", {"by": "d", "reason": marker("NOTE", "hold")}),
        ("resume", {"by": "d"}),
        ("create_inject", {"by": "d", "data": adhoc}),
        ("reschedule", {"by": "d", "inject": "I-t2-1", "scenario_time": 36000}),
        ("cancel", {"by": "d", "inject": "I-t3-2"}),
        ("release_now", {"by": "d", "inject": "I-t3-0"}),
        ("acknowledge", {"inject": "I-t1-0", "team": "t1", "device": "x"}),
        ("add_observation", {"by": "o", **observation}),
    )  # fmt: skip


def check(client: Client, oracle: Oracle, after: int = 0) -> list[int]:
    """No frame of ``client`` leaks; returns the seqs of its event frames."""
    for seq, _kind, text in client.received:
        assert oracle.leaks(client.audience, seq, text) == [], (client.audience, seq)
    seqs = client.event_seqs()
    allowed = set(oracle.seqs(client.audience))
    assert all(seq in allowed and seq > after for seq in seqs), (client.audience, seqs)
    return seqs


async def test_leakage_matrix_live_and_through_resume(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://", history_events=6)
    scenario = marked_scenario(teams=3, roles=2, injects_per_team=4)
    exercise = server.create_exercise(scenario)
    live = [
        clients(server, exercise, audience, language=language)
        for audience in AUDIENCES
        for language in ("en", "ru")
    ]
    for client in live:
        await client.connect()
        await client.until(lambda f: f["type"] == "live")
    drive(server, exercise)
    epoch, events = server.journal(exercise)
    oracle = Oracle(scenario, events)
    last = events[-1]["seq"]
    for client in live:
        expected = oracle.seqs(client.audience)
        await client.until_seq(expected[-1])
        assert check(client, oracle) == expected, client.audience
    # Teams never see controller-only text at all, in any language.
    team_text = "".join(t for c in live if c.audience.startswith("team") for _, _, t in c.received)
    for secret in ("MK[NOTE", "MK[EXPECT", "MK[CUE", "MK[ROLENOTE", "MK[CONTROLLER"):
        assert secret not in team_text
    assert marker("BODY", "I-t1-0", "v2") in team_text  # the edit reached its team
    assert marker("BODY", "I-t3-1", "v2") not in team_text  # unreleased: never

    # Resumes with forged, old, future or foreign positions: still only one's own frames.
    t2_only = next(s for s in oracle.seqs("team:t2") if s not in oracle.seqs("team:t1"))
    attempts: list[tuple[str | None, int]] = [
        (epoch, 0),
        (None, 0),
        (epoch, 1),
        (epoch, t2_only),
        (epoch, last - 1),
        (epoch, last),
        (epoch, last + 1),
        (epoch, 10**15),
        ("0" * 32, 3),
        (None, 5),
    ]
    outcomes = {"replay": 0, "reload": 0}
    for audience in ("team:t1", "team:t3", "actor:r1"):
        for attempt_epoch, last_seq in attempts:
            client = clients(server, exercise, audience)
            await client.connect(resume=False)
            await client.send({"type": "resume", "epoch": attempt_epoch, "last_seq": last_seq})
            await client.until(lambda f: f["type"] == "live")
            kinds = {kind for _, kind, _ in client.received}
            if "snapshot" in kinds:
                assert any(f["type"] == "reload" for f in client.frames)
                snapshot = next(t for _, k, t in client.received if k == "snapshot")
                assert oracle.leaks(audience, last, snapshot) == []
                outcomes["reload"] += 1
            else:
                outcomes["replay"] += 1
                seqs = check(client, oracle, after=last_seq)
                assert seqs == [s for s in oracle.seqs(audience) if s > last_seq]
            await client.close()
    assert outcomes["replay"] >= 9 and outcomes["reload"] >= 9, outcomes
