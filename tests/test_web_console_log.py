"""The controller log (notes into the journal) and observers' observations."""

from __future__ import annotations

import pytest

from controlroom.exercise import commands, safety_commands
from controlroom.exercise.events import EventType
from tests.support.console import ROOT, Control


async def test_a_note_goes_into_the_journal_with_its_author_and_time(control: Control) -> None:
    runtime = await control.exercise()
    control.use("controller")
    added = await control.post(
        f"/exercises/{runtime.id}/log/notes",
        {"text": "Police team asked twice for the interpreter", "team": "police", "inject": ""},
        htmx=True,
    )
    assert added.status_code == 200 and "Note added to the log." in added.text
    events = await runtime.journal.read()
    note = events[-1]
    assert note.type == EventType.NOTE_ADDED
    assert note.data["by"] == "carl" and note.data["team"] == "police"
    assert note.data["inject"] is None and note.at > 0
    page = await control.get(f"/exercises/{runtime.id}/log")
    assert "Police team asked twice for the interpreter" in page.text
    assert 'id="review-log"' in page.text and "carl noted:" in page.text


async def test_empty_notes_and_unknown_teams_are_refused(control: Control) -> None:
    runtime = await control.exercise()
    empty = await control.post(f"/exercises/{runtime.id}/log/notes", {"text": "  "})
    assert empty.status_code == 409 and "The note is empty." in empty.text
    stranger = await control.post(
        f"/exercises/{runtime.id}/log/notes", {"text": "x", "team": "navy"}
    )
    assert stranger.status_code == 409


async def test_observers_record_observations_but_write_no_control_note(control: Control) -> None:
    runtime = await control.exercise()
    control.use("observer")
    page = await control.get(f"/exercises/{runtime.id}/log")
    assert "/log/notes" not in page.text
    assert f'href="/exercises/{runtime.id}/observe"' in page.text  # the observer's page
    refused = await control.post(f"/exercises/{runtime.id}/log/notes", {"text": "sneaky"})
    assert refused.status_code == 403
    recorded = await control.post(
        f"/exercises/{runtime.id}/log/observations",
        {
            "objective": "identify",
            "task": "interview",
            "rating": "S",
            "team": "police",
            "text": "Interview started before the interpreter came.",
        },
    )
    assert recorded.status_code == 303
    observation = runtime.state.notes[-1]
    assert observation.kind == "observation" and observation.by == "olga"
    assert observation.rating == "S" and observation.task == "interview"
    bad = await control.post(
        f"/exercises/{runtime.id}/log/observations", {"objective": "nope", "text": "x"}
    )
    assert bad.status_code == 409 and "Unknown objective." in bad.text


async def test_a_markdown_answer_reads_as_plain_text_in_the_log(control: Control) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    await runtime.execute(lambda s: commands.send_request(s, "police", "d", None, "Check?"))
    answer = "**Result of the check.** Seen *11 times* in the last six months."
    answered = await control.post(
        f"/exercises/{runtime.id}/simcell/R001/answer", {"text": answer, "sender": "Records"}
    )
    assert answered.status_code in (200, 303), answered.text
    page = await control.get(f"/exercises/{runtime.id}/log")
    assert "Result of the check. Seen 11 times in the last six months." in page.text
    assert "**" not in page.text


async def test_a_markdown_answer_to_a_reply_reads_as_plain_text_in_the_log(
    control: Control,
) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    await runtime.execute(lambda s: commands.release_now(s, "dina", "S-01"))
    await runtime.execute(lambda s: commands.send_reply(s, "police", "d", "S-01", "Done", []))
    answer = "**Seen.** Ask the *driver* again."
    await runtime.execute(lambda s: commands.answer_reply(s, "carl", "A001", answer))
    page = await control.get(f"/exercises/{runtime.id}/log")
    assert "Seen. Ask the driver again." in page.text
    assert "**" not in page.text


@pytest.mark.parametrize("console_settings", [{"injects_dir": ROOT / "injects"}])
async def test_a_characters_apostrophes_are_escaped_once_in_the_sample(control: Control) -> None:
    created = await control.post("/exercises", {"scenario": "trafficking-week", "name": "Sample"})
    assert created.status_code == 303, created.text
    runtime = await control.resources.exercises.get(created.headers["location"].rsplit("/")[-1])
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    await runtime.execute(lambda s: commands.join_device(s, "dev-a", "Tablet", role="bus-driver"))
    await runtime.execute(lambda s: safety_commands.call_control(s, "bus-driver", "dev-a", None))
    page = await control.get(f"/exercises/{runtime.id}/log")
    assert page.status_code == 200
    assert "&amp;#39;" not in page.text and "&amp;#x27;" not in page.text
    character = "Davron Sattorov, bus driver and &#39;tour manager&#39;"
    assert f"joined the actor playing {character}." in page.text
    assert f"The actor playing {character} (Tablet) calls control." in page.text
