"""The daily debrief pack: times and delays per inject and team, requests and response times,
cue timings, observations by objective, notes; a printable page, CSV and XLSX; the
team-facing pack holds none of the planted secrets (a real server, the marked scenario)."""

from __future__ import annotations

import io

import httpx
import openpyxl

from controlroom.exercise import commands
from controlroom.exercise.events import ExerciseCreated, ReplyFile
from controlroom.exercise.state import ExerciseState
from controlroom.exercise.tap_time import Tap
from controlroom.journal import Event
from controlroom.review.debrief import debrief_pack
from controlroom.scenario.model import Scenario
from controlroom.scenario.time import parse_time
from controlroom.web.console.debrief_sheets import pack_sheets
from controlroom.web.templating import elapsed
from tests.support.scenarios import inject, make_scenario
from tests.support.scenarios import text as words
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
        ("mark_reveal", {"role": "r0", "cue": "I-t1-0.1", "team": "t1", "reveal": "1",
                         "device": "a"}),
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
                    "MK[CUE:I-t1-0:r0:what]",
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
        ("set_speed", {"by": "d", "speed": 6}),
        ("mark_reveal", {"role": "r0", "cue": "S-0.1", "team": "t1", "reveal": "1", "device": "a"}),
    )
    session = server.session({"kind": "user", "role": "observer", "name": "olga"})
    with httpx.Client(base_url=server.url, cookies={"cr_session": session}, timeout=30) as client:
        page = printed(client.get(f"/exercises/{exercise}/debrief", params={"day": 1}).text)
        sheet = client.get(f"/exercises/{exercise}/debrief.csv", params={"day": 1}).text
    assert "released 2 hr 1 min before plan" in page
    assert "<td>Character r0</td><td>in the scene</td>" in page
    assert ">r0<" not in page and "in-scene" not in page
    assert "Character r0,in the scene" in sheet
    # the reveal where the pack shows its inject; the legend says which times are which
    reveals = page.split('<ul class="reveals">')[1].split("</ul>")[0]
    assert "Character r0" in reveals and "MK[CUE:S-0:r0:what]" in reveals
    assert "Times (D1 09:04) are scenario times" in page and "are real time" in page
    assert "The clock did not always run at real speed" in page
    assert "Acknowledged after (real s)" in sheet and "MK[CUE:S-0:r0:what]" in sheet


CUED = make_scenario(
    inject(
        "BB",
        at="D1 09:00",
        to=["alpha"],
        cues=[
            {
                "role": "driver",
                "where": words("Bus"),
                "knows": words("Everything"),
                "emotion": words("Calm"),
                "reveals": [
                    {"what": words("The driver holds the passports"), "condition": words("Asked")}
                ],
            }
        ],
    )
)


class CuedRecorder(Recorder):
    """The review log's recorder on a scenario with a cue that has a reveal."""

    def __init__(self) -> None:
        self.state = ExerciseState.new(CUED, "x")
        self.events = []
        self.oracle = []
        created = ExerciseCreated(exercise="x", name="x", scenario=CUED, by="dina")
        self.events.append(Event(1, created.TYPE, T0, created.data()))
        self.state.apply(self.events[0])
        self.oracle.append(0.0)


def tap(received: float, tapped: float) -> Tap:
    """A tap made at ``tapped`` seconds after T0 and received at ``received``."""
    return Tap(T0 + received, received - tapped)


def test_durations_are_real_time_beside_the_scenario_time_that_passed_at_speed_six() -> None:
    # the walk: BB-01 released D1 09:00, acknowledged D1 09:02:32 at x6: 25.4 real seconds
    r = CuedRecorder()
    r.play(0, commands.startex(r.state, "dina"))  # D1 09:00
    r.play(0, commands.set_speed(r.state, "dina", 6))
    r.play(0, commands.release_due(r.state, T0))
    r.play(1, commands.join_device(r.state, "d1", "Alpha desk", team="alpha"))
    r.play(25.4, commands.acknowledge(r.state, "BB", "alpha", "d1"))
    r.play(43.3, commands.send_request(r.state, "alpha", "d1", None, "Who owns the bus?"))
    r.play(
        56, commands.answer_request(r.state, "carl", "R001", text="A **company**", sender="Desk")
    )
    pack = debrief_pack(r.events, 1)
    row = next(row for row in pack.injects if row.inject == "BB")
    assert round(row.acknowledged or 0, 1) == parse_time("D1 09:02") + 32.4
    assert round(row.acknowledge_delay or 0, 1) == 25.4  # real seconds, not "0 min"
    assert round(row.acknowledge_scenario or 0, 1) == 152.4
    [request] = pack.requests
    assert round(request.sent or 0, 1) == parse_time("D1 09:04") + 19.8
    assert request.received is None
    assert round(request.response_seconds or 0, 1) == 12.7
    assert round(request.response_scenario or 0, 1) == 76.2
    assert pack.speed_varied
    sheets = dict(pack_sheets(pack, CUED, "en", lambda m, **k: m))
    injects, requests = sheets["Injects"], sheets["Requests"]
    head = dict(zip(injects[0], next(i for i in injects if i[0] == "BB"), strict=True))
    assert head["Acknowledged after (real s)"] == "25"
    assert head["Acknowledged after (scenario s)"] == "152"
    assert head["Release delay (scenario min)"] == "0.0"
    asked = dict(zip(requests[0], requests[1], strict=True))
    assert asked["Response time from receipt (real s)"] == "13"
    assert asked["Response time from receipt (scenario s)"] == "76"
    assert asked["Sent"] == "D1 09:04:19" and asked["Received (offline)"] == ""
    # control's answer, plain text as the replies' answers; the team received it: theirs too
    assert asked["Answer"] == "A company"
    facing = debrief_pack(r.events, 1, team="alpha", team_facing=True)
    assert facing.requests[0].answer == {"en": "A company"}


def test_a_duration_keeps_its_seconds_under_ten_minutes_in_the_readers_language() -> None:
    assert elapsed(25.4, "en") == "25 sec"
    assert elapsed(152.4, "en") == "2 min 32 sec"
    assert elapsed(152.4, "ru") == "2 мин 32 с"
    assert elapsed(3900, "en") == "1 hr 5 min"


def test_offline_taps_count_when_tapped_and_control_answers_from_receipt() -> None:
    # the walk: R002 tapped in the same offline spell as BB's acknowledgement
    r = CuedRecorder()
    r.play(0, commands.startex(r.state, "dina"))  # D1 09:00, real speed
    r.play(0, commands.release_due(r.state, T0))
    r.play(1, commands.join_device(r.state, "d1", "Alpha desk", team="alpha"))
    r.play(2, commands.join_device(r.state, "a1", "Driver tablet", role="driver"))
    r.play(3, commands.join_device(r.state, "o1", "Olga tablet", observer=True))
    # offline from 300 to 600: everything tapped then arrives at 600-603
    r.play(600, commands.acknowledge(r.state, "BB", "alpha", "d1", tap=tap(600, 300)))
    r.play(
        601, commands.send_request(r.state, "alpha", "d1", None, "Any record?", tap=tap(601, 360))
    )
    r.play(602, commands.send_reply(r.state, "alpha", "d1", "BB", "On our way", tap=tap(602, 420)))
    observed = commands.add_observation(
        r.state, "", "Calm", "OBJ-1", task="T1", rating="P", team="alpha", device="o1",
        tap=tap(603, 480),
    )  # fmt: skip
    r.play(603, observed)
    r.play(
        604, commands.mark_reveal(r.state, "driver", "BB.1", "alpha", "1", "a1", tap=tap(604, 189))
    )
    r.play(660, commands.answer_request(r.state, "carl", "R001", text="None", sender="Desk"))
    r.play(720, commands.answer_reply(r.state, "carl", "A001", "Noted"))
    pack = debrief_pack(r.events, 1, names={"carl": "Carl"})
    row = next(row for row in pack.injects if row.inject == "BB")
    assert row.acknowledged == parse_time("D1 09:05") and row.acknowledge_delay == 300
    [request] = pack.requests
    assert request.sent == parse_time("D1 09:06")  # tapped, not received (D1 09:10:01)
    assert request.received == parse_time("D1 09:10") + 1
    assert request.response_seconds == 59  # from receipt: control could not answer before
    [reply] = pack.replies
    assert reply.sent == parse_time("D1 09:07") and reply.received == parse_time("D1 09:10") + 2
    assert reply.response_seconds == 118
    [block] = pack.objectives
    assert block.observations[0].scenario_time == parse_time("D1 09:08")
    # the reveal (the walk: marked at D1 09:03:09) is in control's pack with its words
    [reveal] = pack.reveals
    assert (reveal.inject, reveal.team, reveal.role, reveal.reveal) == (
        "BB",
        "alpha",
        "driver",
        "1",
    )
    assert reveal.scenario_time == parse_time("D1 09:03") + 9 and reveal.by == "Driver tablet"
    assert reveal.what is not None and reveal.what["en"] == "The driver holds the passports"
    assert pack.reveals_of("BB", "alpha") == (reveal,)
    sheets = dict(pack_sheets(pack, CUED, "en", lambda m, **k: m))
    injects = dict(
        zip(sheets["Injects"][0], next(i for i in sheets["Injects"] if i[0] == "BB"), strict=True)
    )
    assert injects["Revealed in the scene"] == "D1 09:03:09 The driver holds the passports"
    requests = dict(zip(sheets["Requests"][0], sheets["Requests"][1], strict=True))
    assert requests["Sent"] == "D1 09:06" and requests["Received (offline)"] == "D1 09:10:01"
    # the reveal is the actor's script: the team-facing pack leaves it out
    facing = debrief_pack(r.events, 1, team="alpha", team_facing=True)
    assert facing.reveals == () and facing.requests[0].sent == parse_time("D1 09:06")
    facing_sheets = dict(pack_sheets(facing, CUED, "en", lambda m, **k: m))
    assert "passports" not in str(facing_sheets)
