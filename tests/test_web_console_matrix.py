"""The evaluation matrix on the console: cells, filters as real links, a cell's observations
as an htmx part, malformed queries a 400; control and observers only."""

from __future__ import annotations

import re

from controlroom.exercise import commands
from controlroom.exercise.commands import Observed
from controlroom.exercise.state import ExerciseState
from controlroom.live.runtime import ExerciseRuntime
from tests.support.console import Control


async def rated(runtime: ExerciseRuntime) -> int:
    await runtime.execute(lambda s: commands.startex(s, "dina"))

    seqs = []
    for rating, text in (("M", "Slow start"), ("S", "Better by noon")):

        def observe(s: ExerciseState, r: str = rating, t: str = text) -> commands.Decision | None:
            return commands.add_observation(
                s, "olga", t, "identify", task="interview", rating=r, team="police"
            )

        await runtime.execute(observe)
        seqs.append(runtime.state.seq)
    return seqs[-1]


def cell(page: str, team: str, task: str) -> tuple[str, str]:
    found = re.search(
        rf'id="cell-{team}--identify--{task}" data-rating="([A-Z]?)" data-count="(\d+)"', page
    )
    assert found, page
    return found[1], found[2]


async def test_the_matrix_shows_the_latest_rating_and_opens_a_cell(control: Control) -> None:
    runtime = await control.exercise()
    latest = await rated(runtime)
    control.use("observer")
    path = f"/exercises/{runtime.id}/matrix"
    page = await control.get(path)
    assert page.status_code == 200
    assert cell(page.text, "police", "interview") == ("S", "2")
    assert cell(page.text, "labour", "interview") == ("", "0")
    assert f'href="{path}"' in page.text  # the console's navigation
    assert 'hx-trigger="cr:refresh from:body"' in page.text  # live, as the boards
    link = f"{path}?team=police&amp;task=interview#cell-observations"
    assert link in page.text
    opened = await control.get(f"{path}?team=police&task=interview", htmx=True)
    assert opened.status_code == 200 and "Better by noon" in opened.text
    assert "Slow start" in opened.text and "<html" not in opened.text
    change = Observed("Much better", "identify", "interview", "P", "police")
    await runtime.execute(lambda s: commands.correct_observation(s, "olga", latest, change))
    assert cell((await control.get(path)).text, "police", "interview") == ("P", "2")
    await runtime.execute(lambda s: commands.withdraw_observation(s, "olga", latest))
    assert cell((await control.get(path)).text, "police", "interview") == ("M", "1")
    assert cell((await control.get(f"{path}?day=2")).text, "police", "interview") == ("", "0")
    assert "Much better" not in (await control.get(f"{path}?team=police&task=interview")).text


async def test_malformed_filters_are_a_400_and_strangers_stay_out(control: Control) -> None:
    runtime = await control.exercise()
    path = f"/exercises/{runtime.id}/matrix"
    for query in (
        "day=0",
        "day=99",
        "day=x",
        "objective=nope",
        "team=police",
        "team=navy&task=interview",
        "task=x&team=police",
    ):
        assert (await control.get(f"{path}?{query}")).status_code == 400, query
    control.client.cookies.clear()
    assert (await control.get(path)).status_code == 303
