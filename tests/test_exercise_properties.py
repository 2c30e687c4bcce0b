"""Property: no sequence of commands, however malformed its arguments, can break an exercise.

Hypothesis drives random sequences of every exercise command (with random and malformed
arguments, and the clock's own ``release_due`` as time passes) through a real
``ExerciseRuntime`` on a ``file://`` journal. For every sequence:

* every refusal is a typed ``CommandRefused`` whose code has an English and a Russian text;
* no other exception escapes a command;
* every journaled event folds (nothing is set aside), and folding the journal again from
  disk gives the same state as the live one.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from controlroom.exercise.evaluation_commands import Observed
from controlroom.exercise.events import ExerciseCreated, ReplyFile
from controlroom.exercise.refusals import TEMPLATES, CommandRefused, Refusal
from controlroom.exercise.state import ExerciseState
from controlroom.i18n import Catalogues
from controlroom.journal.file import FileJournalStore
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.timesource import ManualTime
from controlroom.package_data import web_dir
from controlroom.web.refusal import refusal_text
from controlroom.web.testroutes import COMMAND_MODULES
from tests.support.scenarios import inject, make_scenario, text

REVEAL = {"what": text("name"), "condition": text("asked")}
CUE = {
    "role": "driver",
    "where": text("Bus"),
    "knows": text("k"),
    "emotion": text("calm"),
    "reveals": [{"what": text("w"), "condition": text("c")}, {"id": "who", **REVEAL}],
}
SCENARIO = make_scenario(
    inject("A", at="D1 09:30", cues=[CUE]),
    inject("B", trigger="manual", to=["alpha"]),
    inject("C", trigger={"after": "A", "state": "acknowledged", "delay": "10m"}),
    inject("D", at="D1 09:45", to=["bravo"]),
)
CATALOGUES = Catalogues(web_dir() / "locale")

# valid values are drawn more often than malformed ones, so sequences get deep enough
ids = st.sampled_from(["A", "B", "C", "D", "A", "B", "D", "ADHOC-1", "SIM-R001", "nope", ""])
team = st.sampled_from(["alpha", "bravo", "alpha", "bravo", "charlie", "", "ALPHA"])
teams = st.none() | st.lists(team, max_size=3)
words = st.sampled_from(["hello", "Привет", "hello", "", "   ", "x" * 10_001]) | st.text(
    max_size=12
)
by = st.sampled_from(["dina", "", "clock"])
numbers = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -1.0, 9 * 3600.0, 10 * 3600 + 30.0, 2 * 86400.0, 1e300]
)
speeds = numbers | st.sampled_from([0.5, 1.0, 2.0, 60.0, 61.0])
device = st.sampled_from(["dev1", "dev2", "dev3", "dev1", "nobody"])
action = st.none() | st.sampled_from(["a1", "a2", "bad action!", "", "x" * 65])
language = st.none() | st.sampled_from(["en", "ru", "EN", "", "xx-YY", "de"])
request = st.sampled_from(["R001", "R002", "R001", "R999", ""])
changes = st.sampled_from(
    [
        {"title": text("Edited")},
        {"title": {"EN": "bad key"}},
        {"to": ["bravo"]},
        {"channel": "carrier-pigeon"},
        {"cues": [CUE]},
        {"cues": [{**CUE, "role": "ghost"}]},
        {"cues": []},
        {},
    ]
)
adhoc = st.sampled_from(
    [
        inject("ADHOC-1", trigger="manual"),
        inject("ADHOC-2", at="D1 10:00", to=["alpha"]),
        inject("ADHOC-3", trigger="manual", to=["charlie"]),
        inject("ADHOC-4", trigger="manual", cues=[{**CUE, "role": "ghost"}]),
        inject("ADHOC-5", at="D9 10:00"),
        inject("A", trigger="manual"),
        {"id": "!!"},
        {},
    ]
)
target = st.sampled_from(
    ["team:alpha", "actor:driver", "team:nope", "garbage", "actor:", "observer", "observer:x"]
)
observation = st.sampled_from([9, 9, 10, 12, 15, 3, 0, -1, 10**9])  # 9: the prelude's
observed = st.builds(
    Observed,
    text=words,
    objective=st.sampled_from(["OBJ-1", "OBJ-1", "nope"]),
    task=st.none() | st.sampled_from(["T1", "T9"]),
    rating=st.none() | st.sampled_from(["P", "S", "M", "U", "X"]),
    team=st.none() | team,
    inject=st.none() | ids,
)
author = st.sampled_from(["olga", "dina", ""])
reply = st.sampled_from(["A001", "A002", "A001", "A999", ""])
PDF = {
    "id": "0" * 32,
    "name": "report.pdf",
    "type": "application/pdf",
    "size": 9,
    "sha256": "a" * 64,
}
reply_files = st.sampled_from(
    [(), (), (ReplyFile(**PDF),), (ReplyFile(**PDF), ReplyFile(**PDF)), (ReplyFile(**PDF),) * 6]
)


STRATEGIES: dict[str, st.SearchStrategy[Any]] = {}


def _command(name: str) -> Any:
    return next(getattr(m, name) for m in COMMAND_MODULES if hasattr(m, name))


def command(command_name: str, /, **arguments: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    STRATEGIES[command_name] = st.tuples(st.just(command_name), st.fixed_dictionaries(arguments))
    return STRATEGIES[command_name]


COMMANDS = st.one_of(
    command("startex", by=by, scenario_time=st.none() | numbers),
    command("hold", by=by, reason=words, shift=st.booleans()),
    command("resume", by=by),
    command("set_speed", by=by, speed=speeds),
    command("jump", by=by, scenario_time=numbers),
    command("endex", by=by),
    command("release_now", by=by, inject=ids, teams=teams),
    command("hold_inject", by=by, inject=ids, teams=teams),
    command("unhold_inject", by=by, inject=ids, teams=teams),
    command("reschedule", by=by, inject=ids, scenario_time=numbers, teams=teams),
    command("cancel", by=by, inject=ids, teams=teams),
    command("edit", by=by, inject=ids, changes=changes),
    command("create_inject", by=by, data=adhoc),
    command("delivered", inject=ids, team=team, device=device, action=action),
    command("acknowledge", inject=ids, team=team, device=device, action=action),
    command(
        "cue_status",
        role=st.sampled_from(["driver", "ghost"]),
        cue=st.sampled_from(["A.1", "nope"]),
        status=st.sampled_from(["ready", "in-scene", "done", "waiting", "bogus"]),
        device=device,
        action=action,
        team=st.none() | team,
    ),
    command(
        "mark_reveal",
        role=st.sampled_from(["driver", "ghost"]),
        cue=st.sampled_from(["A.1", "nope"]),
        team=team,
        reveal=st.sampled_from(["1", "who", "2", ""]),
        device=device,
        action=action,
    ),
    command("hold_team", by=by, team=team, reason=words, shift=st.booleans()),
    command("resume_team", by=by, team=team),
    command(
        "shift_team",
        by=by,
        team=team,
        reason=words,
        minutes=st.none() | numbers | st.sampled_from([15.0, -15.0, 90.0]),
        to_inject=st.none() | ids,
    ),
    command(
        "send_request",
        team=team,
        device=device,
        kind=st.none() | st.sampled_from(["db-check", "nope"]),
        text=words,
        action=action,
    ),
    command("claim_request", by=by, request=request, take_over=st.booleans()),
    command(
        "answer_request",
        by=by,
        request=request,
        answer=st.none() | st.sampled_from(["no-record", "nope", "passport", "return"]),
        text=st.none() | words,
        language=language,
        sender=st.none() | words,
        confirmed=st.booleans(),
    ),
    command(
        "assign_controller",
        by=by,
        controller=by,
        teams=st.lists(team, max_size=2),
        cases=st.lists(st.sampled_from(["nope"]), max_size=1),
    ),
    command("add_note", by=by, text=words, team=st.none() | team, inject=st.none() | ids),
    command(
        "add_observation",
        by=by,
        text=words,
        objective=st.sampled_from(["OBJ-1", "nope"]),
        task=st.none() | st.sampled_from(["T1", "T9"]),
        rating=st.none() | st.sampled_from(["P", "S", "M", "U", "X"]),
        team=st.none() | team,
        inject=st.none() | ids,
        device=st.sampled_from(["", "dev4", "nobody"]),
        action=action,
        reply=st.none() | reply,
    ),
    command(
        "correct_observation",
        by=author,
        observation=observation,
        observed=observed,
        director=st.booleans(),
        device=st.sampled_from(["", "dev4"]),
        action=action,
    ),
    command(
        "withdraw_observation",
        by=author,
        observation=observation,
        director=st.booleans(),
        device=st.sampled_from(["", "dev4"]),
        action=action,
    ),
    command(
        "send_reply",
        team=team,
        device=device,
        inject=ids,
        text=words,
        files=reply_files,
        kind=st.sampled_from(["reply", "action", "reply", "bogus"]),
        action=action,
    ),
    command("answer_reply", by=by, reply=reply, text=st.sampled_from(["hello", "", "x" * 10_001])),
    command(
        "join_device",
        device=device,
        name=words,
        team=st.none() | team,
        role=st.none() | st.sampled_from(["driver", "ghost"]),
        observer=st.booleans(),
    ),
    command("rename_device", device=device, name=words),
    command("revoke_device", by=by, device=device),
    command("reissue_join", by=by, target=target),
    command(
        "stop",
        role=st.sampled_from(["driver", "ghost"]),
        device=device,
        cue=st.none() | st.sampled_from(["A.1", "nope"]),
        action=action,
        team=st.none() | team,
    ),
    command(
        "call_control",
        role=st.sampled_from(["driver", "ghost"]),
        device=device,
        cue=st.none() | st.sampled_from(["A.1", "nope"]),
        action=action,
        team=st.none() | team,
    ),
    command("seen", by=by, name=words, alert=st.sampled_from(["S001", "S002", "S999", ""])),
    command("set_autohold", by=by, enabled=st.booleans()),
    command("release_due"),
    command("tick", seconds=st.sampled_from([1, 90, 900])),
)


def test_the_strategy_drives_every_command() -> None:
    deciding = {
        name
        for module in COMMAND_MODULES
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and not name.startswith("_")
        and next(iter(inspect.signature(function).parameters), "") == "state"
    }
    assert len(deciding) > 24
    assert {"stop", "call_control", "seen", "set_autohold"} <= deciding
    assert deciding <= set(STRATEGIES), sorted(deciding - set(STRATEGIES))


def _check_refusal(refused: CommandRefused) -> None:
    assert isinstance(refused.code, Refusal)
    assert refused.code in TEMPLATES
    for language in ("en", "ru"):
        said = refusal_text(refused, CATALOGUES.get(language), SCENARIO)
        assert said and "%(" not in said
    assert CATALOGUES.get("ru").messages.get(TEMPLATES[refused.code])


PRELUDE: list[tuple[str, dict[str, Any]]] = [
    ("startex", {"by": "dina"}),
    ("join_device", {"device": "dev1", "name": "Tab 1", "team": "alpha"}),
    ("join_device", {"device": "dev2", "name": "Tab 2", "role": "driver"}),
    ("join_device", {"device": "dev3", "name": "Tab 3", "team": "bravo"}),
    ("release_now", {"by": "dina", "inject": "A"}),
    ("send_request", {"team": "alpha", "device": "dev1", "kind": "db-check", "text": ""}),
    ("join_device", {"device": "dev4", "name": "Observer", "observer": True}),
    (
        "add_observation",
        {
            "by": "olga",
            "text": "Checked the passports",
            "objective": "OBJ-1",
            "task": "T1",
            "rating": "S",
            "team": "alpha",
            "inject": "A",
        },
    ),
    ("send_reply", {"team": "alpha", "device": "dev1", "inject": "A", "text": "We went there"}),
]


async def _run(folder: Path, steps: list[tuple[str, dict[str, Any]]]) -> None:
    store = FileJournalStore.from_url(f"file://{folder}")
    time = ManualTime()
    journal = await store.create("prop")
    created = ExerciseCreated(exercise="prop", name="p", scenario=SCENARIO, by="t")
    await journal.append(created.TYPE, created.data(), at=time.now(), expect_seq=0)
    runtime = await ExerciseRuntime.load(journal, time)
    for name, arguments in steps:
        if name == "tick":
            await time.advance(arguments["seconds"])
            continue
        function = _command(name)
        if name == "release_due":
            arguments = {"wall": time.now()}
        elif name == "shift_team":
            arguments = {**arguments, "wall": time.now()}

        def decide(state: ExerciseState, f: Any = function, a: Any = arguments) -> Any:
            return f(state, **a)

        try:
            await runtime.execute(decide)
        except CommandRefused as refused:
            _check_refusal(refused)
    live = runtime.state
    event(f"events journaled: {min(live.seq // 10 * 10, 30)}+")
    answered = any(r.answered_at for r in live.requests.values())
    talked = any(r.answers for r in live.replies.values())
    event(f"replies: {min(len(live.replies), 3)}; control answered one: {talked}")
    event(f"started: {live.started}; answered: {answered}; ended: {live.clock.phase}")
    assert live.set_aside == []
    await store.close()

    reopened = FileJournalStore.from_url(f"file://{folder}")
    events = await (await reopened.open("prop")).read()
    await reopened.close()
    assert len(events) == live.seq
    again = ExerciseState.fold(SCENARIO, events, "prop")
    assert again.set_aside == []
    assert again == live


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(prelude=st.booleans(), steps=st.lists(COMMANDS, min_size=15, max_size=50))
def test_no_command_sequence_breaks_the_exercise(
    tmp_path_factory: Any, prelude: bool, steps: list[tuple[str, dict[str, Any]]]
) -> None:
    folder = tmp_path_factory.mktemp("journal")
    asyncio.run(_run(folder, [*PRELUDE, *steps] if prelude else steps))
