"""The review log: every event's scenario time as the clock stood when it happened (through
holds, jumps, speed changes and ENDEX), names for people and devices, filters and pages."""

from __future__ import annotations

from controlroom.exercise import commands
from controlroom.exercise.events import EventType, ExerciseCreated, NoteAdded, Payload
from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.package_data import web_dir
from controlroom.review.log import PAGE_SIZE, LogFilter, page_of, people_of, review_log
from controlroom.scenario.time import parse_time
from tests.support.console import Control
from tests.support.scenarios import inject, make_scenario, text

SCENARIO = make_scenario(inject("A", at="D1 09:10", to=["alpha"]), inject("B", trigger="manual"))
T0 = 1_800_000_000.0


class Recorder:
    """A live fold and its journal; ``oracle`` is the live clock's time as each event landed."""

    def __init__(self) -> None:
        self.state = ExerciseState.new(SCENARIO, "x")
        self.events: list[Event] = []
        self.oracle: list[float] = []
        created = ExerciseCreated(exercise="x", name="x", scenario=SCENARIO, by="dina")
        self.events.append(Event(1, created.TYPE, T0, created.data()))
        self.state.apply(self.events[0])
        self.oracle.append(0.0)

    def play(self, seconds: float, payload: Payload | None) -> None:
        assert payload is not None
        event = Event(self.state.seq + 1, payload.TYPE, T0 + seconds, payload.data())
        self.state.apply(event)
        assert not self.state.set_aside
        self.events.append(event)
        self.oracle.append(self.state.clock.scenario_now(event.at))


def note(r: Recorder, text: str) -> NoteAdded:
    return commands.add_note(r.state, "carl", text, None, None)


def record() -> Recorder:
    r = Recorder()
    r.play(0, commands.startex(r.state, "dina"))  # D1 09:00
    r.play(600, commands.release_due(r.state, T0 + 600))  # D1 09:10
    r.play(1200, commands.hold(r.state, "dina", "fire drill"))  # held at 09:20
    r.play(1800, note(r, "during the hold"))  # still 09:20
    r.play(2400, commands.resume(r.state, "dina"))
    r.play(2460, note(r, "after the hold"))  # 09:21
    r.play(2520, commands.set_speed(r.state, "dina", 4))  # 09:22
    r.play(2580, note(r, "at speed four"))  # 09:22 + 4 min = 09:26
    r.play(2600, commands.jump(r.state, "dina", parse_time("D2 11:40")))
    r.play(2660, note(r, "after the jump"))  # D2 11:44
    r.play(2720, commands.endex(r.state, "dina"))  # D2 11:48
    r.play(3600, note(r, "hot wash"))  # still D2 11:48
    return r


def test_scenario_times_are_the_clock_as_it_stood_not_as_it_stands() -> None:
    r = record()
    entries = review_log(r.events, {"carl": "Carl Controller", "dina": "Dina"})
    assert entries[0].scenario_time is None  # before STARTEX: no scenario time
    assert [e.scenario_time for e in entries[1:]] == r.oracle[1:]
    expected = {
        "clock.started": "D1 09:00",
        "inject.released": "D1 09:10",
        "clock.held": "D1 09:20",
        "during the hold": "D1 09:20",
        "after the hold": "D1 09:21",
        "clock.speed": "D1 09:22",
        "at speed four": "D1 09:26",
        "clock.jumped": "D2 11:40",
        "after the jump": "D2 11:44",
        "clock.ended": "D2 11:48",
        "hot wash": "D2 11:48",
    }
    for entry in entries[1:]:
        text = getattr(entry.fact.payload, "text", "")
        key = text if entry.type == "note.added" else entry.type
        if key in expected:
            assert entry.scenario_time == parse_time(expected.pop(key)), key
    assert expected == {}
    # the live clock after ENDEX would give every event D2 11:48: the log does not
    assert len({e.scenario_time for e in entries[1:]}) > 5


def test_names_teams_filters_and_pages() -> None:
    r = record()
    r.play(3700, commands.join_device(r.state, "d1", "Alpha tablet 1", team="alpha"))
    r.play(3710, commands.rename_device(r.state, "d1", "Alpha front desk"))
    r.play(3720, commands.delivered(r.state, "A", "alpha", "d1"))
    entries = review_log(r.events, {"carl": "Carl Controller"})
    delivered = entries[-1]
    assert delivered.person == "Alpha front desk" and delivered.teams == ("alpha",)
    released = next(e for e in entries if e.type == "inject.released")
    assert released.teams == ("alpha",) and released.person == ""  # the release clock
    assert people_of(entries)["carl"] == "Carl Controller"
    notes = page_of(entries, LogFilter(person="carl"), 1)
    assert notes.total == 5 and all(e.type == "note.added" for e in notes.entries)
    assert notes.entries[0].fact.payload.text == "hot wash"  # type: ignore[attr-defined]
    assert page_of(entries, LogFilter(search="FIRE drill"), 1).total == 1
    assert page_of(entries, LogFilter(team="alpha", kind="inject"), 1).total == 2
    assert page_of(entries, LogFilter(team="bravo", kind="inject"), 1).total == 0
    many = entries * (PAGE_SIZE // len(entries) + 2)
    last = page_of(many, LogFilter(), 99)
    assert last.number == last.pages == 2 and last.total == len(many)
    assert len(last.entries) == len(many) - PAGE_SIZE


async def review_section(control: Control, path: str) -> str:
    page = await control.get(path)
    assert page.status_code == 200
    start = page.text.index('id="review-log"')
    return page.text[start : page.text.index("</section>", start)]


async def test_the_log_page_pages_the_whole_journal_with_names_and_sentences(
    control: Control,
) -> None:
    runtime = await control.exercise()
    control.use("controller")
    for n in range(1, 321):
        done = await control.post(f"/exercises/{runtime.id}/log/notes", {"text": f"note {n}"})
        assert done.status_code == 303
    log = f"/exercises/{runtime.id}/log"
    first = await review_section(control, log)
    assert "note 320" in first and "note 221" in first and "note 220<" not in first
    assert "carl noted:" in first and "page 1 of 4" in first
    oldest = await review_section(control, f"{log}?page=4")
    assert "note 1<" in oldest and "Dina created the exercise." in oldest
    found = await review_section(control, f"{log}?q=note+17&kind=note&person=carl")
    assert "note 17<" in found and "note 170" in found and "note 18<" not in found
    assert "11 events" in found
    russian = await review_section(control, f"{log}?page=4&lang=ru")
    assert "Dina создал(а) учение." in russian and "carl записал(а):" in russian
    for bad in ("?page=x", "?team=%3Cscript%3E", "?kind=nope", "?q=" + "x" * 300):
        assert (await control.get(log + bad)).status_code == 400, bad


async def test_the_log_keeps_every_version_of_an_observation(control: Control) -> None:
    runtime = await control.exercise()
    await runtime.execute(lambda s: commands.startex(s, "dina"))
    await runtime.execute(
        lambda s: commands.add_observation(
            s, "dina", "Slow to screen", "identify", task="interview", rating="M", team="police"
        )
    )
    seq = runtime.state.seq
    change = commands.Observed("Quick to screen", "identify", "interview", "P", "police")
    await runtime.execute(lambda s: commands.correct_observation(s, "dina", seq, change))
    await runtime.execute(lambda s: commands.withdraw_observation(s, "dina", seq))
    log = await review_section(control, f"/exercises/{runtime.id}/log?kind=observation")
    assert "Slow to screen" in log and "Quick to screen" in log
    assert f"corrected observation #{seq} (identify · interview · P)" in log
    assert f"withdrew observation #{seq}." in log and "3 events" in log
    russian = await review_section(control, f"/exercises/{runtime.id}/log?kind=observation&lang=ru")
    assert f"отозвал(а) наблюдение №{seq}." in russian


def test_every_event_type_has_its_own_sentence_in_the_log() -> None:
    # An event type the log template does not name falls through to "set aside", which would
    # tell a reviewer that a STOP or an assignment was an event the exercise could not apply.
    template = (web_dir() / "templates" / "console" / "_log_entry.html").read_text("utf-8")
    named = {t for t in EventType if f't == "{t.value}"' in template}
    assert set(EventType) - named == {EventType.SET_ASIDE}


def test_a_cue_with_an_id_of_its_own_is_logged_with_its_inject() -> None:
    greeter = {
        "id": "greeter",  # names no inject: the log must not read one out of it
        "role": "driver",
        "where": text("Bus stop"),
        "knows": text("Knows"),
        "emotion": text("Calm"),
    }
    scenario = make_scenario(inject("A", at="D1 10:00", to=["alpha"], cues=[greeter]))
    state = ExerciseState.new(scenario, "x")
    created = ExerciseCreated(exercise="x", name="x", scenario=scenario, by="dina")
    events = [Event(1, created.TYPE, T0, created.data())]
    state.apply(events[0])
    for n, payload in enumerate(
        [
            commands.startex(state, "dina"),
            commands.join_device(state, "a1", "Driver tablet", role="driver"),
            commands.cue_status(state, "driver", "greeter", "ready", "a1", team="alpha"),
        ],
        start=2,
    ):
        assert payload is not None
        events.append(Event(n, payload.TYPE, T0 + n, payload.data()))
        state.apply(events[-1])
    cue = review_log(events, {})[-1]
    assert cue.type == "cue.status" and cue.inject == "A" and cue.case is None
