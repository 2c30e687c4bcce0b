"""The daily debrief pack: times and delays per inject and team, requests and response times,
cue timings, observations by objective, notes; a printable page, CSV and XLSX; the
team-facing pack holds none of the planted secrets (a real server, the marked scenario)."""

from __future__ import annotations

import io

import httpx
import openpyxl

from controlroom.exercise import commands
from controlroom.exercise.events import ReplyFile
from controlroom.journal import Event
from controlroom.review.debrief import debrief_pack
from controlroom.scenario.model import Scenario
from controlroom.scenario.time import parse_time
from tests.support.server import LiveServer, LiveServerFactory, marked_scenario, marker
from tests.test_review_log import T0, Recorder

SECRETS = ("MK[NOTE", "MK[EXPECT", "MK[CUE", "MK[ROLENOTE", "MK[CONTROLLER")
ANSWERER = marker("CONTROLLER", "answerer")  # who in control answered: never the team's


def test_a_days_pack_has_times_delays_requests_cues_observations_and_notes() -> None:
    r = Recorder()  # tests.test_review_log: inject A at D1 09:10 to alpha, B manual to all
    r.play(0, commands.startex(r.state, "dina"))
    r.play(1200, commands.release_due(r.state, T0 + 1200))  # A: 10 min late (D1 09:20)
    r.play(1210, commands.join_device(r.state, "d1", "Alpha desk", team="alpha"))
    r.play(1220, commands.delivered(r.state, "A", "alpha", "d1"))
    r.play(1500, commands.acknowledge(r.state, "A", "alpha", "d1"))  # 5 min after release
    r.play(1600, commands.send_request(r.state, "alpha", "d1", None, "Need an interpreter"))
    r.play(1700, commands.claim_request(r.state, "carl", "R001"))
    r.play(
        2200,
        commands.answer_request(r.state, "carl", "R001", text="On the way", sender="Duty desk"),
    )
    r.play(2300, commands.add_note(r.state, "carl", "Alpha slow to call back", "alpha", "A"))
    observation = commands.add_observation(
        r.state, "olga", "Good screening", "OBJ-1", task="T1", rating="S", team="alpha"
    )
    r.play(2400, observation)
    r.play(2500, commands.jump(r.state, "dina", parse_time("D2 09:00")))
    r.play(2600, commands.release_now(r.state, "dina", "B", None))
    names = {"olga": "Olga Observer", "carl": "Carl"}
    day1 = debrief_pack(r.events, 1, names=names)
    a = next(row for row in day1.injects if row.inject == "A")
    assert a.team == "alpha" and a.planned == parse_time("D1 09:10")
    assert a.released == parse_time("D1 09:20") and a.release_delay == 600
    assert a.acknowledge_delay == 300 and a.acknowledged == parse_time("D1 09:25")
    assert a.expected_actions == () or isinstance(a.expected_actions, tuple)
    assert [q.response_seconds for q in day1.requests] == [600]
    [block] = day1.objectives
    assert block.objective == "OBJ-1" and dict(block.ratings)["S"] == 1
    assert block.observations[0].by == "Olga Observer"
    assert [n.text for n in day1.notes] == ["Alpha slow to call back"]
    assert all(row.inject != "B" for row in day1.injects)  # released on D2
    day2 = debrief_pack(r.events, 2, team="bravo")
    assert [(row.inject, row.team) for row in day2.injects] == [("B", "bravo")]
    assert day2.objectives == () and day2.notes == ()
    facing = debrief_pack(r.events, 1, team="alpha", team_facing=True)
    assert facing.notes == () and facing.cues == ()
    assert all(row.expected_actions == () for row in facing.injects)


def test_a_days_pack_has_each_teams_replies_with_files_answers_and_ratings() -> None:
    r = Recorder()
    r.play(0, commands.startex(r.state, "dina"))
    r.play(600, commands.release_due(r.state, T0 + 600))  # A to alpha at D1 09:10
    pdf = ReplyFile(id="a" * 32, name="plan.pdf", type="application/pdf", size=10, sha256="b" * 64)
    r.play(900, commands.send_reply(r.state, "alpha", "d1", "A", "We went there", [pdf]))
    r.play(1200, commands.answer_reply(r.state, "carl", "A001", "Seen, thank you"))
    rated = commands.add_observation(
        r.state, "olga", "Quick", "OBJ-1", task="T1", rating="S", team="alpha", reply="A001"
    )
    r.play(1300, rated)
    names = {"carl": "Carl Controller", "olga": "Olga Observer"}
    [row] = debrief_pack(r.events, 1, names=names).replies
    assert (row.reply, row.team, row.inject, row.kind) == ("A001", "alpha", "A", "reply")
    assert row.text == "We went there" and row.files == ("plan.pdf",)
    assert row.sent == parse_time("D1 09:15") and row.response_seconds == 300
    assert [(a.scenario_time, a.by, a.text) for a in row.answers] == [
        (parse_time("D1 09:20"), "Carl Controller", "Seen, thank you")
    ]
    assert [(g.objective, g.task, g.rating and g.rating.value) for g in row.ratings] == [
        ("OBJ-1", "T1", "S")
    ]
    [facing] = debrief_pack(r.events, 1, team="alpha", team_facing=True, names=names).replies
    assert [(a.by, a.text) for a in facing.answers] == [("", "Seen, thank you")]
    assert debrief_pack(r.events, 1, team="bravo", team_facing=True).replies == ()
    assert debrief_pack(r.events, 2).replies == ()


def test_the_pack_takes_observations_as_corrected_and_leaves_withdrawn_ones_out() -> None:
    r = Recorder()
    r.play(0, commands.startex(r.state, "dina"))
    r.play(600, commands.release_due(r.state, T0 + 600))  # A to alpha at D1 09:10
    for text, rating in (("First look", "M"), ("Second look", "S"), ("Mistaken", "U")):
        found = commands.add_observation(
            r.state, "olga", text, "OBJ-1", task="T1", rating=rating, team="alpha", inject="A"
        )
        r.play(700, found)
    first, _second, mistaken = sorted(r.state.observations)
    fix = commands.Observed("First look, corrected", "OBJ-1", "T1", "P", "alpha", "A")
    r.play(800, commands.correct_observation(r.state, "olga", first, fix))
    r.play(900, commands.withdraw_observation(r.state, "olga", mistaken))
    for pack in (
        debrief_pack(r.events, 1),
        debrief_pack(r.events, 1, team="alpha", team_facing=True),
    ):
        [block] = pack.objectives
        assert [(n.text, n.rating and n.rating.value, n.corrected) for n in block.observations] == [
            ("First look, corrected", "P", True),
            ("Second look", "S", False),
        ]
        assert dict(block.ratings) == {"P": 1, "S": 1, "M": 0, "U": 0}
        assert block.observations[0].inject == "A"


def drive(server: LiveServer, exercise: str) -> None:
    server.run(
        exercise,
        ("startex", {"by": "d"}),
        ("release_now", {"by": "d", "inject": "I-t1-0"}),
        ("release_now", {"by": "d", "inject": "I-t2-0"}),
        ("release_now", {"by": "d", "inject": "ALL-0", "teams": ["t1", "t3"]}),
        ("edit", {"by": "d", "inject": "I-t1-1", "changes": {"title": {"en": "=HYPERLINK(1)"}}}),
        ("release_now", {"by": "d", "inject": "I-t1-1"}),
        ("cue_status", {"role": "r0", "cue": "I-t1-0.1", "status": "ready", "device": "a"}),
        ("send_request", {"team": "t1", "device": "x", "kind": "interpreter", "text": "please"}),
        ("send_request", {"team": "t2", "device": "y", "kind": None, "text": "T2-REQUEST"}),
        ("answer_request", {"by": "c", "request": "R001", "answer": "soon"}),
        ("add_note", {"by": "c", "text": marker("NOTE", "log"), "team": "t1"}),
        ("add_observation", {"by": "o", "text": "T1-OBSERVED", "objective": "identify",
                             "rating": "M", "team": "t1"}),
        ("add_observation", {"by": "o", "text": "T2-OBSERVED", "objective": "identify",
                             "rating": "P", "team": "t2"}),
        ("acknowledge", {"inject": "I-t1-0", "team": "t1", "device": "x"}),
        ("send_reply", {"team": "t1", "device": "x", "inject": "I-t1-0", "text": "T1-REPLIED",
                        "kind": "action"}),
        ("send_reply", {"team": "t3", "device": "z", "inject": "ALL-0", "text": "T3-REPLIED"}),
        ("answer_reply", {"by": ANSWERER, "reply": "A001", "text": "T1-ANSWERED"}),
        ("answer_reply", {"by": "c", "reply": "A002", "text": "T3-ANSWERED"}),
        ("add_observation", {"by": "o", "text": "T1-REPLY-RATED", "objective": "identify",
                             "rating": "S", "team": "t1", "reply": "A001"}),
    )  # fmt: skip


def printed(page: str) -> str:
    """What the page prints: its pack (the console's navigation and forms do not print)."""
    start = page.index('<article class="debrief"')
    return page[start : page.index("</article>", start)]


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    return "\n".join(cells)


def test_the_team_facing_pack_holds_no_secret_on_page_csv_and_xlsx(
    live_server: LiveServerFactory,
) -> None:
    server = live_server()
    scenario = marked_scenario(teams=3, roles=2, injects_per_team=3)
    exercise = server.create_exercise(scenario)
    drive(server, exercise)
    session = server.session({"kind": "user", "role": "observer", "name": "olga"})
    client = httpx.Client(base_url=server.url, cookies={"cr_session": session}, timeout=30)
    base = f"/exercises/{exercise}/debrief"
    with client:
        team = {
            kind: client.get(f"{base}{kind}", params={"day": 1, "team": "t1", "facing": "team"})
            for kind in ("", ".csv", ".xlsx")
        }
        full = {kind: client.get(f"{base}{kind}", params={"day": 1}) for kind in ("", ".xlsx")}
        bad = [
            client.get(base, params=p) for p in ({"day": 9}, {"team": "navy"}, {"facing": "team"})
        ]
    assert all(r.status_code == 200 for r in (*team.values(), *full.values()))
    assert [r.status_code for r in bad] == [400, 400, 400]
    texts = {
        "page": printed(team[""].text),
        "csv": team[".csv"].content.decode("utf-8-sig"),
        "xlsx": xlsx_text(team[".xlsx"].content),
    }
    for kind, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (kind, secret)
        for other in ("I-t2-0", "I-t3-0", "I-t1-2", "T2-REQUEST", "T2-OBSERVED", "Team t2",
                      "T3-REPLIED", "T3-ANSWERED"):  # fmt: skip
            assert other not in text, (kind, other)  # other teams, never released
        assert "I-t1-0" in text and "ALL-0" in text and "T1-OBSERVED" in text, kind
        assert "please" in text, kind
        assert "T1-REPLIED" in text and "T1-ANSWERED" in text, kind  # its own replies
    assert "'=HYPERLINK(1)" in texts["csv"] and "'=HYPERLINK(1)" in texts["xlsx"]
    # the control pack has what the team's leaves out: the test can fail
    control_text = full[""].text + xlsx_text(full[".xlsx"].content)
    for planted in ("MK[NOTE:log]", "MK[EXPECT:I-t1-0]", "I-t2-0", "T2-OBSERVED", "I-t1-0.1",
                    "T3-REPLIED", "T3-ANSWERED", ANSWERER):  # fmt: skip
        assert planted in control_text, planted
    replies = (
        team[""].text.split('class="debrief-section debrief-replies"')[1].split("</section>")[0]
    )
    assert "T1-REPLIED" in replies and "SimCell" not in replies
    assert "REPLAY" not in team[""].text and "Debrief, day 1" in team[""].text
    assert "SimCell" not in texts["page"] and "Your requests to exercise control" in texts["page"]
    assert "Requests to the SimCell" in full[""].text  # the control pack keeps control's word


def test_a_day_before_startex_has_nothing_to_report() -> None:
    scenario = Scenario.model_validate(marked_scenario(teams=2, roles=1, injects_per_team=1))
    from controlroom.exercise.events import ExerciseCreated

    created = ExerciseCreated(exercise="x", name="x", scenario=scenario)
    events = [Event(1, created.TYPE, T0, created.data())]
    pack = debrief_pack(events, 1, team="t1")
    assert pack.injects == () and pack.requests == () and pack.objectives == ()


def test_the_page_says_delays_in_hours_and_cues_by_character_and_status(
    live_server: LiveServerFactory,
) -> None:
    server = live_server()
    scenario = marked_scenario(teams=1, roles=1, injects_per_team=0, scheduled=1)
    exercise = server.create_exercise(scenario)
    server.run(
        exercise,
        ("startex", {"by": "d", "scenario_time": parse_time("D1 07:00")}),
        ("release_now", {"by": "d", "inject": "S-0"}),
        ("cue_status", {"role": "r0", "cue": "S-0.1", "status": "in-scene", "device": "a"}),
    )
    session = server.session({"kind": "user", "role": "observer", "name": "olga"})
    with httpx.Client(base_url=server.url, cookies={"cr_session": session}, timeout=30) as client:
        page = printed(client.get(f"/exercises/{exercise}/debrief", params={"day": 1}).text)
        sheet = client.get(f"/exercises/{exercise}/debrief.csv", params={"day": 1}).text
    assert "released 2 hr 1 min before plan" in page
    assert "<td>Character r0</td><td>in the scene</td>" in page
    assert ">r0<" not in page and "in-scene" not in page
    assert "Character r0,in the scene" in sheet
