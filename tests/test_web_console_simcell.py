"""The SimCell queue: requests arrive, a controller claims one and answers it."""

from __future__ import annotations

import re

from controlroom.exercise import commands
from controlroom.live.runtime import ExerciseRuntime
from controlroom.web.console.simcell import ResponseTimes, queue
from tests.support.console import Control


async def with_request(control: Control, kind: str | None = "interpreter") -> ExerciseRuntime:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    await runtime.execute(
        lambda s: commands.send_request(s, "police", "dev-1", kind, "We need Dari, urgently")
    )
    return runtime


async def test_a_request_is_claimed_and_answered_from_the_prepared_answers(
    control: Control,
) -> None:
    runtime = await with_request(control)
    control.use("controller")
    queue_page = await control.get(f"/exercises/{runtime.id}/simcell")
    assert 'id="simcell-R001"' in queue_page.text and "We need Dari, urgently" in queue_page.text
    claimed = await control.post(f"/exercises/{runtime.id}/simcell/R001/claim", htmx=True)
    assert claimed.status_code == 200 and "You have claimed request R001." in claimed.text
    assert 'data-state="claimed"' in claimed.text  # the queue item, out of band
    form = await control.get(f"/exercises/{runtime.id}/simcell/R001")
    assert "An interpreter arrives in one hour." in form.text
    answered = await control.post(
        f"/exercises/{runtime.id}/simcell/R001/answer",
        {"answer": "in-an-hour", "next": f"/exercises/{runtime.id}/simcell"},
    )
    assert answered.status_code == 303
    request = runtime.state.requests["R001"]
    assert request.claimed_by == "carl" and request.answered_by == "carl"
    assert request.response_seconds is not None and request.response_seconds >= 0
    assert runtime.state.status("SIM-R001", "police").value == "released"
    assert runtime.state.injects["SIM-R001"].body["en"] == "An interpreter arrives in one hour."


async def test_a_free_text_answer_in_the_controllers_language(control: Control) -> None:
    runtime = await with_request(control, kind=None)
    nobody = await control.post(
        f"/exercises/{runtime.id}/simcell/R001/answer",
        {"text": "Переводчик выехал.", "language": "ru"},
        htmx=True,
    )
    assert nobody.status_code == 409 and "Say who answers in the fiction" in nobody.text
    answered = await control.post(
        f"/exercises/{runtime.id}/simcell/R001/answer",
        {"text": "Переводчик выехал.", "language": "ru", "sender": "Бюро переводов"},
        htmx=True,
    )
    assert answered.status_code == 200 and "Request R001 answered." in answered.text
    assert runtime.state.injects["SIM-R001"].body == {"ru": "Переводчик выехал."}
    assert set(runtime.state.injects["SIM-R001"].sender.values()) == {"Бюро переводов"}
    again = await control.post(f"/exercises/{runtime.id}/simcell/R001/answer", {"text": "Twice"})
    assert again.status_code == 409 and "already been answered" in again.text
    empty = await control.get(f"/exercises/{runtime.id}/simcell/R404")
    assert empty.status_code == 404


async def test_response_times_are_recorded_and_summed_up(control: Control) -> None:
    runtime = await with_request(control)
    await runtime.execute(lambda s: commands.send_request(s, "labour", "d", None, "Shelter?"))
    await control.post(f"/exercises/{runtime.id}/simcell/R001/answer", {"answer": "in-an-hour"})
    times = ResponseTimes.of(list(runtime.state.requests.values()))
    assert times.answered == 1 and times.waiting == 1 and times.mean is not None
    assert [r.id for r in queue(runtime.state)] == ["R002", "R001"]  # waiting first
    page = await control.get(f"/exercises/{runtime.id}/simcell")
    assert "Mean response time" in page.text and "R001" in page.text


async def test_observers_watch_the_queue_but_cannot_claim_or_answer(control: Control) -> None:
    runtime = await with_request(control)
    control.use("observer")
    page = await control.get(f"/exercises/{runtime.id}/simcell/R001")
    assert page.status_code == 200 and "/answer" not in page.text and "/claim" not in page.text
    for verb, data in [("claim", {}), ("answer", {"answer": "in-an-hour"})]:
        refused = await control.post(f"/exercises/{runtime.id}/simcell/R001/{verb}", data)
        assert refused.status_code == 403
    assert runtime.state.requests["R001"].claimed_by is None


async def test_the_director_assigns_a_controller_whose_console_opens_on_their_team(
    control: Control,
) -> None:
    runtime = await with_request(control)  # R001 from police
    await runtime.execute(lambda s: commands.send_request(s, "labour", "d", None, "Shelter?"))
    path = f"/exercises/{runtime.id}/simcell/assign"
    nobody = await control.post(path, {"controller": "zed", "team": "police"})
    assert nobody.status_code == 400
    wrong = await control.post(path, {"controller": "carl", "team": "nowhere"})
    assert wrong.status_code == 409 and "Unknown team." in wrong.text
    control.use("controller")
    forbidden = await control.post(path, {"controller": "carl", "team": "police"})
    assert forbidden.status_code == 403
    control.use("director")
    done = await control.post(path, {"controller": "carl", "team": "police", "case": "site"})
    assert done.status_code == 303, done.text
    assert runtime.state.assignments["carl"].teams == ("police",)
    assert runtime.state.assignments["carl"].cases == ("site",)
    assert runtime.state.assigned_to("police") == ["carl"]
    events = [e.type for e in await runtime.journal.read()]
    assert "controller.assigned" in events
    # carl's console opens on his team; his SimCell link counts his team's waiting requests
    control.use("controller")
    console = await control.get(f"/exercises/{runtime.id}")
    assert '.timeline .inject-row:not([data-teams~="police"])' in console.text
    badge = re.search(r'<span id="simcell-badge"[^>]*>(\d+)</span>', console.text)
    assert badge is not None and badge[1] == "1"  # R001 (police), not R002 (labour)
    assert 'data-mine="police"' in console.text and 'data-waiting="R001"' in console.text
    control.use("observer")
    assert "simcell-badge" not in (await control.get(f"/exercises/{runtime.id}")).text
    # unassigning: no team, no case
    control.use("director")
    assert (await control.post(path, {"controller": "carl"})).status_code == 303
    assert "carl" not in runtime.state.assignments


async def test_response_times_per_team_and_per_controller(control: Control) -> None:
    runtime = await with_request(control)
    await runtime.execute(lambda s: commands.send_request(s, "labour", "d", None, "Shelter?"))
    control.use("controller")
    await control.post(f"/exercises/{runtime.id}/simcell/R001/answer", {"answer": "in-an-hour"})
    page = await control.get(f"/exercises/{runtime.id}/simcell")
    teams = re.search(r'<details class="team-times".*?</details>', page.text, re.S)
    assert teams is not None
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td>", teams[0])
    names = {t.id: t.name["en"] for t in runtime.state.scenario.teams}
    assert rows == [(names["labour"], "0", "1"), (names["police"], "1", "0")]
    controllers = re.search(r'<details class="controller-times".*?</details>', page.text, re.S)
    assert controllers is not None
    assert re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>", controllers[0]) == [("carl", "1")]


def counters(page: str) -> tuple[str, str]:
    stats = re.search(r'<dl class="stats">.*?</dl>', page, re.S)
    assert stats is not None
    found = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", stats[0]))
    return found["Waiting or in progress"], found["Answered"]


async def test_team_replies_count_and_show_on_the_timeline_side_panel(control: Control) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    await runtime.execute(lambda s: commands.release_now(s, "dina", "S-04"))
    await runtime.execute(lambda s: commands.send_reply(s, "police", "dev-1", "S-04", "On it"))
    page = await control.get(f"/exercises/{runtime.id}/simcell")
    assert counters(page.text) == ("1", "0")
    side = await control.get(f"/exercises/{runtime.id}")
    panel = re.search(r'<section class="card simcell-side".*?</section>', side.text, re.S)
    assert panel is not None and 'id="simcell-replies"' in panel[0]
    assert 'id="simcell-reply-A001"' in panel[0] and "On it" in panel[0]
    await runtime.execute(lambda s: commands.answer_reply(s, "carl", "A001", "Noted"))
    page = await control.get(f"/exercises/{runtime.id}/simcell")
    assert counters(page.text) == ("0", "1")
    teams = re.search(r'<details class="team-times".*?</details>', page.text, re.S)
    assert teams is not None and re.findall(r"<td>(\d+)</td><td>(\d+)</td>", teams[0]) == [
        ("1", "0")
    ]
    controllers = re.search(r'<details class="controller-times".*?</details>', page.text, re.S)
    assert controllers is not None and "<td>carl</td>" in controllers[0]
