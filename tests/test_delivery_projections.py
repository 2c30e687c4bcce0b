"""Projections: what an audience's view holds. Here: an actor's cue card names its set."""

from __future__ import annotations

from controlroom.delivery.projections import cue_group_view
from tests.support.scenarios import inject, text
from tests.test_exercise_run_sheet import cue, started


def test_the_actors_cue_card_names_its_set() -> None:
    state = started(
        inject("A", at="D1 10:00", to=["alpha"], cues=[cue("gate")]),
        inject("B", at="D1 10:30", to=["bravo"], cues=[{**cue("gate"), "set": None}]),
    )
    [card] = cue_group_view(state, "A", "driver").cards
    assert card.set_name == text("Gate")
    [other] = cue_group_view(state, "B", "driver").cards
    assert other.set_name == {}
