"""The SimCell queue: requests arrive, a controller claims one and answers it."""

from __future__ import annotations

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
