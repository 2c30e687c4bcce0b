"""Per inject: release now (all or one team), hold, reschedule, edit (versioned), cancel,
and the preview that is the team's own fragment."""

from __future__ import annotations

from controlroom.exercise import commands
from controlroom.live.runtime import ExerciseRuntime
from tests.support.console import Control
from tests.support.scenarios import inject


async def started(control: Control) -> ExerciseRuntime:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    return runtime


def status(runtime: ExerciseRuntime, inject: str, team: str) -> str:
    return runtime.state.status(inject, team).value


async def test_release_now_to_one_team_then_the_rest(control: Control) -> None:
    runtime = await started(control)
    path = f"/exercises/{runtime.id}/injects/S-03"
    one = await control.post(f"{path}/release", {"team": "labour"}, htmx=True)
    assert one.status_code == 200
    assert "S-03 released to Labour inspectors." in one.text  # the name, not the id
    assert 'id="inject-row-S-03"' in one.text  # the row, out of band
    assert status(runtime, "S-03", "labour") == "released"
    assert status(runtime, "S-03", "police") == "scheduled"
    rest = await control.post(f"{path}/release")
    assert rest.status_code == 303
    assert status(runtime, "S-03", "police") == "released"
    again = await control.post(f"{path}/release")
    assert again.status_code == 409
    assert "cannot be released" in again.text


async def test_a_controller_releases_but_does_not_hold_edit_or_cancel(control: Control) -> None:
    runtime = await started(control)
    path = f"/exercises/{runtime.id}/injects/S-04"
    control.use("controller")
    for verb, data in [
        ("hold", {}),
        ("unhold", {}),
        ("reschedule", {"at": "D1 12:00"}),
        ("cancel", {"confirmed": "yes"}),
        ("edit", {"title.en": "Changed"}),
    ]:
        assert (await control.post(f"{path}/{verb}", data)).status_code == 403, verb
    page = await control.get(path)
    assert f"{path}/release" in page.text and f"{path}/hold" not in page.text
    released = await control.post(f"{path}/release")
    assert released.status_code == 303
    assert status(runtime, "S-04", "police") == "released"


async def test_hold_unhold_and_reschedule(control: Control) -> None:
    runtime = await started(control)
    path = f"/exercises/{runtime.id}/injects/S-03"
    await control.post(f"{path}/hold", {"team": "police"})
    assert status(runtime, "S-03", "police") == "held"
    assert status(runtime, "S-03", "labour") == "scheduled"
    await control.post(f"{path}/unhold", {"team": "police"})
    assert status(runtime, "S-03", "police") == "scheduled"
    moved = await control.post(f"{path}/reschedule", {"at": "D2 11:00", "team": "labour"})
    assert moved.status_code == 303
    assert runtime.state.releases["S-03", "labour"].due == 24 * 3600 + 11 * 3600
    assert runtime.state.releases["S-03", "police"].due == 24 * 3600 + 10 * 3600 + 15 * 60
    bad = await control.post(f"{path}/reschedule", {"at": "tomorrow"})
    assert bad.status_code == 409
    unknown = await control.post(f"{path}/hold", {"team": "navy"})
    assert unknown.status_code == 409 and "Unknown team." in unknown.text


async def test_cancel_asks_first_and_then_never_releases(control: Control) -> None:
    runtime = await started(control)
    path = f"/exercises/{runtime.id}/injects/S-04"
    asked = await control.post(f"{path}/cancel", {"team": "labour"})
    assert asked.status_code == 200 and "Cancel S-04 for Labour inspectors?" in asked.text
    assert status(runtime, "S-04", "labour") == "planned"
    done = await control.post(f"{path}/cancel", {"team": "labour", "confirmed": "yes"})
    assert done.status_code == 303
    assert status(runtime, "S-04", "labour") == "cancelled"
    assert status(runtime, "S-04", "police") == "planned"


async def test_an_edit_makes_a_new_version_and_keeps_the_history(control: Control) -> None:
    runtime = await started(control)
    path = f"/exercises/{runtime.id}/injects/S-01"
    page = await control.get(path)
    assert "Caller hangs up if asked for a name twice." in page.text  # control sees notes
    form = {
        "channel": "phone-call",
        "title.en": "A second call about a building site",
        "title.ru": "Звонок о стройке",
        "from.en": "Anonymous caller",
        "from.ru": "Анонимный звонящий",
        "body.en": "She calls again.",
        "body.ru": "Женщина говорит, что рабочие спят на стройке и им не платят.",
        "notes.en": "Caller hangs up if asked for a name twice.",
        "notes.ru": "Звонящая вешает трубку, если дважды спросить имя.",
    }
    edited = await control.post(f"{path}/edit", form)
    assert edited.status_code == 303
    assert runtime.state.versions["S-01"] == 2
    inject = runtime.state.injects["S-01"]
    assert inject.title["en"] == "A second call about a building site"
    assert inject.body["en"] == "She calls again."
    events = await runtime.journal.read()
    change = next(e for e in events if e.type == "inject.edited")
    assert set(change.data["changes"]) == {"title", "body"}  # only what changed
    history = await control.get(path)
    assert "inject.edited" in history.text and "version 2" in history.text
    same = await control.post(f"{path}/edit", form)
    assert same.status_code == 409 and "Nothing was changed." in same.text


async def test_the_preview_is_the_team_fragment_without_anything_of_control(
    control: Control,
) -> None:
    runtime = await started(control)
    preview = await control.get(f"/exercises/{runtime.id}/injects/S-01/preview?team=police")
    assert preview.status_code == 200
    assert 'class="card inject-card"' in preview.text  # fragments/team_inject.html
    assert "EXERCISE EXERCISE EXERCISE" in preview.text
    assert "A woman says workers sleep on the site" in preview.text
    start = preview.text.index('id="preview"')
    shown = preview.text[start : preview.text.index("</main>")]
    assert "hangs up" not in shown  # controller notes
    assert "Record the call" not in shown  # expected actions
    assert " inert" in preview.text[start - 200 : start + 200]
    russian = await control.get(f"/exercises/{runtime.id}/injects/S-01/preview?team=police&lang=ru")
    assert "Женщина говорит" in russian.text
    elsewhere = await control.get(f"/exercises/{runtime.id}/injects/S-01/preview?team=labour")
    assert elsewhere.status_code == 404


async def test_unknown_injects_and_exercises_are_404(control: Control) -> None:
    runtime = await control.exercise()
    assert (await control.get(f"/exercises/{runtime.id}/injects/NOPE")).status_code == 404
    assert (await control.get("/exercises/no-such-exercise")).status_code == 404
    assert (await control.get("/exercises/..%2F..%2Fetc")).status_code == 404
    refused = await control.post(f"/exercises/{runtime.id}/injects/NOPE/release")
    assert refused.status_code == 409 and "No inject NOPE." in refused.text


async def test_the_history_reads_like_the_review_log_in_the_readers_language(
    control: Control,
) -> None:
    runtime = await started(control)
    path = f"/exercises/{runtime.id}/injects/S-01"
    assert (await control.post(f"{path}/release")).status_code == 303
    await control.post(f"/exercises/{runtime.id}/injects/S-02/release")  # another inject
    english = (await control.get(path)).text
    history = english[english.index('id="history"') :]
    assert "Dina released S-01 “A call about a building site” to Police team." in history
    assert 'class="log-stime">D1 ' in history  # the scenario time as it stood
    assert "<code>inject.released</code>" not in history and "S-02" not in history
    russian = (await control.get(path + "?lang=ru")).text
    history = russian[russian.index('id="history"') :]
    assert "Dina выпустил(а) S-01 «Звонок о стройке». Получатели: Команда полиции." in history
    assert 'class="log-stime">Д1 ' in history


async def test_a_simcell_answer_held_for_its_delay_says_when_it_is_scheduled(
    control: Control,
) -> None:
    runtime = await started(control)  # mini starts at D1 09:00
    await runtime.execute(lambda s: commands.send_request(s, "police", "dev-1", "interpreter", "?"))
    answered = commands.answer_request(runtime.state, "dina", "R001", answer="in-an-hour")
    due = 9 * 3600 + 45 * 60  # a least delay: the answer waits until D1 09:45
    await runtime.execute(lambda s: answered.model_copy(update={"due": due}))
    assert status(runtime, "SIM-R001", "police") == "scheduled"
    page = await control.get(f"/exercises/{runtime.id}/injects/SIM-R001")
    assert page.status_code == 200
    assert "SimCell answer to request R001, scheduled for D1 09:45" in page.text
    assert "Released by hand" not in page.text
    russian = await control.get(f"/exercises/{runtime.id}/injects/SIM-R001?lang=ru")
    assert "Ответ группы имитации на запрос R001, запланирован на Д1 09:45" in russian.text


async def test_an_answer_sent_at_once_is_a_simcell_answer_too(control: Control) -> None:
    runtime = await started(control)
    await runtime.execute(lambda s: commands.send_request(s, "police", "dev-1", "interpreter", "?"))
    await runtime.execute(lambda s: commands.answer_request(s, "dina", "R001", answer="in-an-hour"))
    page = await control.get(f"/exercises/{runtime.id}/injects/SIM-R001")
    assert "SimCell answer to request R001" in page.text
    assert "Released by hand" not in page.text


async def test_a_trigger_on_the_team_s_reply_reads_in_the_reader_s_language(
    control: Control,
) -> None:
    runtime = await started(control)
    follow = inject(
        "FOLLOW",
        to=["police"],
        trigger={"after": "S-01", "state": "replied", "delay": "10m", "confirm": True},
    )
    await runtime.execute(lambda s: commands.create_inject(s, "dina", follow))
    page = (await control.get(f"/exercises/{runtime.id}/injects/FOLLOW")).text
    assert "When the team replies to S-01, + 10m &middot; proposed to control" in page
    russian = (await control.get(f"/exercises/{runtime.id}/injects/FOLLOW?lang=ru")).text
    assert "Когда команда ответит на S-01, + 10m &middot; предлагается контролю" in russian
    row = (await control.get(f"/exercises/{runtime.id}")).text  # the timeline's row
    assert "when the team replies to S-01 (proposed to control)" in row
    row = (await control.get(f"/exercises/{runtime.id}?lang=ru")).text
    assert "когда команда ответит на S-01 (" in row
