"""A core refusal in the viewer's language, at the edge. Design: docs/console.md ("Refusals").

The exercise core raises ``CommandRefused(code, **params)``; console pages, device pages and
socket ``error`` frames all call ``refusal_text`` once, with the viewer's translator and the
exercise's scenario, so a team shows by its display name in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Callable

from controlroom.exercise.refusals import CommandRefused, text
from controlroom.i18n import Translator, local
from controlroom.scenario.model import Scenario


def team_names(scenario: Scenario, language: str) -> Callable[[str], str]:
    names = {t.id: local(t.name, language, scenario.original_language)[0] for t in scenario.teams}
    return lambda team: names.get(team, team)


def refusal_text(refused: CommandRefused, translator: Translator, scenario: Scenario) -> str:
    """``refused`` as a sentence in the translator's language."""
    return text(refused, translator.gettext, team_names(scenario, translator.language))
