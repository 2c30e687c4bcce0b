"""The ad-hoc inject composer: channel, recipients, text, attachment, actor cue."""

from __future__ import annotations

from typing import Any

from controlroom.live.runtime import ExerciseRuntime
from tests.support.console import Control


async def started(control: Control) -> ExerciseRuntime:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    return runtime


def form(**changes: Any) -> dict[str, Any]:
    return {
        "channel": "news",
        "to": ["police"],
        "language": "en",
        "from": "Norland Daily",
        "title": "A victim's photo online",
        "body": "The outlet shows a worker's face and full name.",
        "when": "now",
        **changes,
    }


async def test_an_ad_hoc_inject_sent_now_reaches_its_team(control: Control) -> None:
    runtime = await started(control)
    page = await control.get(f"/exercises/{runtime.id}/adhoc")
    assert page.status_code == 200 and "passport-scan.txt" in page.text
    created = await control.post(
        f"/exercises/{runtime.id}/adhoc",
        form(attachment="passport-scan.txt", notes="Watch how they handle privacy."),
    )
    assert created.status_code == 303
    assert created.headers["location"] == f"/exercises/{runtime.id}/injects/ADHOC-01"
    inject = runtime.state.injects["ADHOC-01"]
    assert inject.title == {"en": "A victim's photo online"}
    assert [a.file for a in inject.attachments] == ["passport-scan.txt"]
    assert inject.notes == {"en": "Watch how they handle privacy."}
    assert runtime.state.status("ADHOC-01", "police").value == "released"
    assert ("ADHOC-01", "labour") not in runtime.state.releases


async def test_scheduled_or_manual_ad_hoc_injects_wait(control: Control) -> None:
    runtime = await started(control)
    base = f"/exercises/{runtime.id}/adhoc"
    await control.post(base, form(when="at", at="D2 09:00", to=["all"]))
    await control.post(base, form(when="manual", title="Held back"))
    assert runtime.state.status("ADHOC-01", "labour").value == "scheduled"
    assert runtime.state.releases["ADHOC-01", "police"].due == 24 * 3600 + 9 * 3600
    assert runtime.state.status("ADHOC-02", "police").value == "planned"


async def test_an_actor_cue_goes_with_it(control: Control) -> None:
    runtime = await started(control)
    created = await control.post(
        f"/exercises/{runtime.id}/adhoc",
        form(
            **{
                "when": "manual",
                "cue.role": "worker",
                "cue.where": "Newsroom set",
                "cue.knows": "Who leaked the photo",
                "cue.emotion": "Angry",
                "cue.offset": "-5m",
            }
        ),
    )
    assert created.status_code == 303
    cue = runtime.state.injects["ADHOC-01"].cues[0]
    assert cue.role == "worker" and cue.where == {"en": "Newsroom set"}
    assert runtime.state.cues["ADHOC-01.1"].role == "worker"


async def test_a_bad_composition_is_shown_again_with_the_reason(control: Control) -> None:
    runtime = await started(control)
    base = f"/exercises/{runtime.id}/adhoc"
    nobody = await control.post(base, form(to=[]))
    assert nobody.status_code == 422 and "Pick at least one team." in nobody.text
    assert "The outlet shows a worker&#39;s face" in nobody.text  # the form keeps its text
    untitled = await control.post(base, form(title=""))
    assert untitled.status_code == 422 and "Fill in the sender" in untitled.text
    stray = await control.post(base, form(attachment="../../secret.key"))
    assert stray.status_code == 422 and "No such attachment" in stray.text
    role = await control.post(base, form(**{"cue.role": "ghost", "cue.where": "x"}))
    assert role.status_code == 422
    assert [i for i in runtime.state.injects if i.startswith("ADHOC")] == []


async def test_only_the_director_writes_ad_hoc_injects(control: Control) -> None:
    runtime = await started(control)
    for role in ("controller", "observer"):
        control.use(role)
        assert (await control.get(f"/exercises/{runtime.id}/adhoc")).status_code == 403
        refused = await control.post(f"/exercises/{runtime.id}/adhoc", form())
        assert refused.status_code == 403
    assert "ADHOC-01" not in runtime.state.injects


async def test_an_attachment_goes_with_its_other_languages(control: Control) -> None:
    runtime = await started(control)
    created = await control.post(
        f"/exercises/{runtime.id}/adhoc", form(attachment="statement.ru.md")
    )
    assert created.status_code == 303
    [attachment] = runtime.state.injects["ADHOC-01"].attachments
    assert attachment.key == "statement"
    assert attachment.files == {"en": "statement.en.md", "ru": "statement.ru.md"}
    only_english = await control.post(
        f"/exercises/{runtime.id}/adhoc", form(attachment="site-plan.en.md")
    )
    assert only_english.status_code == 303
    [plan] = runtime.state.injects["ADHOC-02"].attachments
    assert plan.files == {"en": "site-plan.en.md"}  # the Russian device gets it, marked
