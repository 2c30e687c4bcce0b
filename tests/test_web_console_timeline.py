"""The live timeline: swimlanes per team and per case, filters, the next 15 minutes."""

from __future__ import annotations

import re

from controlroom.exercise import commands
from controlroom.exercise.state import ExerciseState
from controlroom.web.console.timeline import Filters, shown, timeline
from tests.support.console import Control
from tests.support.scenarios import inject, make_scenario

WALL = 1_800_000_000.0


def state_with(*injects: dict[str, object]) -> ExerciseState:
    return ExerciseState.new(make_scenario(*injects), "ex")


def test_filters_keep_only_values_the_scenario_knows() -> None:
    scenario = make_scenario(inject("A", at="D1 09:30"))
    filters = Filters.of(
        {"team": "alpha", "case": "x</style>", "channel": "email", "status": "held", "lanes": "?"},
        scenario,
    )
    assert filters == Filters(team="alpha", channel="email", status="held", lanes="team")
    assert Filters.of({"lanes": "case", "case": "none"}, scenario).lanes == "case"
    assert filters.query(status="") == "team=alpha&channel=email"


def test_filter_rules_hide_what_the_filters_leave_out() -> None:
    css = Filters(team="alpha", status="held").css()
    assert '.timeline .inject-row:not([data-teams~="alpha"]){display:none}' in css
    assert '.timeline .cell-release:not([data-team="alpha"]){display:none}' in css
    assert '.timeline .inject-row:not([data-statuses~="alpha:held"]){display:none}' in css
    assert Filters().css() == ""


def test_rows_are_in_planned_order_and_lanes_are_css_grid_lines() -> None:
    state = state_with(
        inject("LATE", at="D1 12:00"),
        inject("EARLY", at="D1 09:00", to=["bravo"]),
        inject("BYHAND", trigger="manual"),
    )
    view = timeline(state, Filters(), WALL)
    assert [row.inject.id for row in view.rows] == ["EARLY", "LATE", "BYHAND"]
    assert [lane.line for lane in view.team_lanes] == ["t0", "t1"]
    css = view.css()
    assert "[t0] minmax" in css and '.cell-release[data-team="bravo"]{grid-column:t1}' in css
    by_case = timeline(state, Filters(lanes="case"), WALL).css()
    assert ".inject-row:not([data-case])>.cell-inject{grid-column:c0}" in by_case


def test_the_next_15_minutes_are_marked() -> None:
    state = state_with(
        inject("SOON", at="D1 09:10"),
        inject("LATER", at="D1 09:30"),
        inject("DONE", at="D1 09:05"),
    )
    state_apply(state, commands.startex(state, "dina"))
    state_apply(state, commands.release_now(state, "dina", "DONE"))
    view = timeline(state, Filters(), WALL)
    assert view.now == 9 * 3600
    assert view.soon == frozenset({"SOON"})  # DONE is released already


def test_shown_matches_the_filters() -> None:
    state = state_with(inject("A", at="D1 09:00", to=["alpha"], channel="email"))
    row = timeline(state, Filters(), WALL).rows[0]
    assert shown(row, Filters(team="alpha", channel="email"))
    assert not shown(row, Filters(team="bravo"))
    assert not shown(row, Filters(status="held"))
    assert shown(row, Filters(case="none"))


def state_apply(state: ExerciseState, decision: commands.Decision | None) -> None:
    from controlroom.journal import Event

    assert decision is not None
    state.apply(Event(state.seq + 1, decision.TYPE, WALL, decision.data()))


async def test_the_console_shows_every_inject_with_its_facts(control: Control) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    await control.post(f"/exercises/{runtime.id}/injects/S-03/release", {"team": "labour"})
    page = await control.get(f"/exercises/{runtime.id}")
    assert page.status_code == 200
    rows = re.findall(r'<li id="inject-row-([^"]+)"', page.text)
    assert rows == ["S-01", "S-03", "S-02", "S-04"]
    row = page.text[page.text.index('id="inject-row-S-03"') :]
    row = row[: row.index("</li>\n</li>") if "</li>\n</li>" in row else 3000]
    assert 'data-case="site"' in row and 'data-channel="letter"' in row
    assert 'data-teams="police labour"' in row
    assert "labour:released" in row and "police:scheduled" in row
    assert 'id="control-injects"' in page.text  # where the hub inserts new rows
    assert 'hx-ws:connect="/exercises/' in page.text
    assert f'data-cr-seq="{runtime.state.seq}"' in page.text
    assert 'id="now-line"' in page.text


async def test_filters_by_query_and_for_htmx_only_the_content(control: Control) -> None:
    runtime = await control.exercise()
    page = await control.get(f"/exercises/{runtime.id}?team=labour&lanes=case", htmx=True)
    assert "<html" not in page.text and 'id="timeline-grid"' in page.text
    assert 'class="timeline by-case"' in page.text
    assert '[data-teams~="labour"]' in page.text
    assert "2 of 4 injects" in page.text


async def test_observers_see_the_timeline_without_any_action(control: Control) -> None:
    runtime = await control.exercise()
    control.use("observer")
    page = await control.get(f"/exercises/{runtime.id}")
    assert page.status_code == 200 and 'id="inject-row-S-01"' in page.text
    assert "/release" not in page.text and "/clock/" not in page.text
    assert "role-observer" in page.text
