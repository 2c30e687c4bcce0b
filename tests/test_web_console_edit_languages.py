"""Editing every language together (web/console/injects.py, console/inject.html): the
languages side by side, a warning for a language left behind, a confirmation after saving;
teams reading that language see the older text marked as not yet updated."""

from __future__ import annotations

import html

from controlroom.live.runtime import ExerciseRuntime
from tests.support.console import Control

ENGLISH_ONLY = {
    "channel": "phone-call",
    "title.en": "A second call about a building site",
    "from.en": "Anonymous caller",
    "body.en": "She calls again: now there are children on the site.",
}


async def started(control: Control) -> ExerciseRuntime:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    return runtime


def form_of(runtime: ExerciseRuntime, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it (every language), with ``changes``."""
    inject = runtime.state.injects["S-01"].model_dump(by_alias=True)
    form = {"channel": inject["channel"]}
    for name in ("title", "from", "body", "notes"):
        for language, value in (inject.get(name) or {}).items():
            form[f"{name}.{language}"] = value
    return {**form, **changes}


async def test_the_editor_shows_the_languages_side_by_side(control: Control) -> None:
    runtime = await started(control)
    page = await control.get(f"/exercises/{runtime.id}/injects/S-01")
    assert 'class="edit-languages" style="--languages: 2"' in page.text
    assert 'data-language="en" data-language-name="English"' in page.text
    assert 'data-language="ru" data-language-name="Русский"' in page.text
    assert "/static/js/editor.js" in page.text
    assert "edit-behind" not in page.text


async def test_an_english_only_edit_warns_and_marks_the_russian_team(control: Control) -> None:
    runtime = await started(control)
    path = f"/exercises/{runtime.id}/injects/S-01"
    await control.post(f"{path}/release", {"team": "police"})
    saved = await control.post(
        f"{path}/edit", {**form_of(runtime, **ENGLISH_ONLY), "next": f"{path}?saved=2"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"{path}?saved=2"
    page = await control.get(saved.headers["location"])
    assert "Saved: version 2 of S-01 is in force." in page.text  # a confirmation
    assert "The Русский text is still that of version 1" in html.unescape(page.text)
    russian = await control.get(f"{path}/preview?team=police&lang=ru")
    assert "На этом языке ещё не обновлено" in russian.text
    assert "здесь пока текст версии 1" in russian.text
    assert "Обновлено" not in russian.text  # never a silent "updated" over the old text
    english = await control.get(f"{path}/preview?team=police&lang=en")
    assert "Updated" in english.text and "Not yet updated" not in english.text
    assert "now there are children on the site" in english.text

    # the Russian text catches up: nobody is behind, both read "updated"
    caught_up = form_of(runtime, **{"body.ru": "Она звонит снова: на стройке дети."})
    await control.post(f"{path}/edit", caught_up)
    page = await control.get(path)
    assert "edit-behind" not in page.text
    russian = await control.get(f"{path}/preview?team=police&lang=ru")
    assert "Обновлено" in russian.text and "ещё не обновлено" not in russian.text


async def test_a_russian_console_warns_in_russian(control: Control) -> None:
    runtime = await started(control)
    path = f"/exercises/{runtime.id}/injects/S-01"
    await control.post(f"{path}/edit", form_of(runtime, **ENGLISH_ONLY))
    page = await control.get(f"{path}?lang=ru")
    text = html.unescape(page.text)
    assert "Текст на языке «Русский» всё ещё версии 1" in text
    assert "Вы изменили текст на языке «%(changed)s»" in text  # the live warning's template
