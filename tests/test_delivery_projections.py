"""Projections: what an audience's view holds (an actor's cue card names its set; the team
cards of one release step are built once when they show alike)."""

from __future__ import annotations

from controlroom.delivery.projections import cue_group_view, team_inject_view, team_inject_views
from controlroom.exercise import commands
from tests.support.scenarios import inject, text
from tests.test_exercise_run_sheet import T0, cue, play, started


def test_the_actors_cue_card_names_its_set() -> None:
    state = started(
        inject("A", at="D1 10:00", to=["alpha"], cues=[cue("gate")]),
        inject("B", at="D1 10:30", to=["bravo"], cues=[{**cue("gate"), "set": None}]),
    )
    [card] = cue_group_view(state, "A", "driver").cards
    assert card.set_name == text("Gate")
    [other] = cue_group_view(state, "B", "driver").cards
    assert other.set_name == {}


def test_team_cards_that_show_alike_are_one_view_equal_to_each_teams_own() -> None:
    state = started(
        inject("A", trigger="manual", to=["alpha", "bravo"]),
        inject("B", trigger="manual", to=["alpha", "bravo"]),
    )
    play(state, commands.release_now(state, "dir", "A"), T0 + 60)  # both teams at once
    play(state, commands.release_now(state, "dir", "B", ["alpha"]), T0 + 90)
    play(state, commands.release_now(state, "dir", "B", ["bravo"]), T0 + 120)
    for inject_id in ("A", "B"):
        releases = state.releases_of(inject_id)
        views = team_inject_views(state, releases)
        assert views == [team_inject_view(state, r) for r in releases]  # the slow path
    a_alpha, a_bravo = team_inject_views(state, state.releases_of("A"))
    assert a_alpha is a_bravo  # released together: one card
    b_alpha, b_bravo = team_inject_views(state, state.releases_of("B"))
    assert b_alpha != b_bravo  # released apart: each its own release time
    mixed = team_inject_views(state, [*state.releases_of("A"), *state.releases_of("B")])
    assert [v.inject for v in mixed] == ["A", "A", "B", "B"]


def test_a_team_card_shows_the_team_s_own_time_saved_when_released() -> None:
    """A card's time is the team's own scenario time when it was released (its holds and
    shifts as they stood then), kept by the fold: a later hold of the team moves nothing."""
    state = started(
        inject("A", trigger="manual", to=["alpha", "bravo"]),
        inject("B", trigger="manual", to=["alpha", "bravo"]),
    )
    play(state, commands.release_now(state, "dir", "A"), T0 + 60)  # D1 09:01 for both
    play(state, commands.hold_team(state, "dir", "alpha", "Slow"), T0 + 120)
    play(state, commands.resume_team(state, "dir", "alpha"), T0 + 720)  # alpha 10 min behind
    play(state, commands.release_now(state, "dir", "B"), T0 + 780)
    a_alpha, a_bravo = team_inject_views(state, state.releases_of("A"))
    assert a_alpha is a_bravo and a_alpha.released_team == 9 * 3600 + 60
    b_alpha, b_bravo = team_inject_views(state, state.releases_of("B"))
    assert b_alpha.released_at == b_bravo.released_at  # released together...
    assert b_alpha.released_team == 9 * 3600 + 180  # ... but alpha's clock reads 09:03
    assert b_bravo.released_team == 9 * 3600 + 780  # and bravo's 09:13: two cards
    assert [b_alpha, b_bravo] == [team_inject_view(state, r) for r in state.releases_of("B")]
    play(state, commands.hold_team(state, "dir", "alpha", "Again"), T0 + 800)
    play(state, commands.resume_team(state, "dir", "alpha"), T0 + 1400)
    assert team_inject_view(state, state.releases["A", "alpha"]).released_team == 9 * 3600 + 60
    assert team_inject_view(state, state.releases["B", "alpha"]).released_team == 9 * 3600 + 180
