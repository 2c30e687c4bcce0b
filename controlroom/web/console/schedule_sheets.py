"""Each team's schedule, planned and actual, as a table in the reader's language.

Design: docs/review.md. The after-action export's ``schedule-actual.csv`` / ``.xlsx``
(``controlroom.review.schedule``): headers are interface strings, translated; teams and
sets by their names in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable

from controlroom.exercise.state import ExerciseState
from controlroom.i18n import local
from controlroom.review.schedule import schedule_lines
from controlroom.review.sheets import Rows
from controlroom.scenario.time import format_time

Gettext = Callable[..., str]


def _(message: str) -> str:
    return message


SCHEDULE_SHEET = _("Schedule per team")
SCHEDULE_HEADER = (
    _("Team"), _("Inject"), _("Cue"), _("Role"), _("Venue set"), _("Planned"), _("Actual"),
    _("Difference (min)"), _("Status"),
)  # fmt: skip


def schedule_table(state: ExerciseState, language: str, gettext: Gettext) -> tuple[str, Rows]:
    """(sheet title, rows with a header) of every team's planned and actual schedule."""
    original = state.scenario.original_language
    teams = {t.id: local(t.name, language, original)[0] for t in state.scenario.teams}
    sets = {s.id: local(s.name, language, original)[0] for s in state.scenario.sets}
    rows: list[list[str]] = [[gettext(column) for column in SCHEDULE_HEADER]]
    for line in schedule_lines(state):
        rows.append(
            [
                teams.get(line.team, line.team),
                line.inject,
                line.cue,
                line.role,
                sets.get(line.set, line.set),
                "" if line.planned is None else format_time(line.planned),
                "" if line.actual is None else format_time(line.actual),
                "" if line.difference is None else f"{line.difference / 60:+.1f}",
                line.status,
            ]
        )
    return gettext(SCHEDULE_SHEET), rows
