"""A debrief pack as tables (CSV, XLSX) in the reader's language. Design: docs/review.md.

The headers are interface strings (translated); the cells are the pack's values, scenario
text in the reader's language. Used by the console's downloads and by ``controlroom export``.
As on the page, times are scenario times and durations real (wall) time; each header names
its unit: a release delay in scenario minutes, how long a team or control took in real
seconds, beside the scenario seconds that passed meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from controlroom.i18n import local
from controlroom.review.debrief import DebriefPack
from controlroom.review.sheets import Rows
from controlroom.scenario.model import Scenario
from controlroom.scenario.time import format_time

Gettext = Callable[..., str]


def _(message: str) -> str:
    return message


SHEETS = {
    "injects": _("Injects"),
    "requests": _("Requests"),
    "replies": _("Replies"),
    "cues": _("Cues"),
    "observations": _("Observations"),
    "notes": _("Notes"),
}
INJECT_HEADER = (
    _("Inject"), _("Title"), _("Team"), _("Planned"), _("Released"), _("Delivered"),
    _("Acknowledged"), _("Release delay (scenario min)"), _("Acknowledged after (real s)"),
    _("Acknowledged after (scenario s)"), _("Expected actions"), _("Revealed in the scene"),
)  # fmt: skip
REQUEST_HEADER = (
    _("Request"), _("Team"), _("Kind"), _("Text"), _("Sent"), _("Received (offline)"),
    _("Answered"), _("Response time from receipt (real s)"),
    _("Response time from receipt (scenario s)"), _("Answer"),
)  # fmt: skip
REPLY_HEADER = (
    _("Reply"), _("Team"), _("Inject"), _("Kind"), _("Text"), _("Files"), _("Sent"),
    _("Received (offline)"), _("Answers"), _("Response time from receipt (real s)"),
    _("Response time from receipt (scenario s)"), _("Ratings"),
)  # fmt: skip
KINDS = {"reply": _("reply"), "action": _("action")}
CUE_HEADER = (_("Cue"), _("Inject"), _("Role"), _("Status"), _("Scenario time"), _("By"))
OBSERVATION_HEADER = (
    _("Objective"), _("Critical task"), _("Rating"), _("Team"), _("Scenario time"), _("By"),
    _("Observation"), _("Inject"), _("Corrected"),
)  # fmt: skip
CUE_STATUSES = {
    "ready": _("ready"), "in-scene": _("in the scene"), "done": _("done"), "waiting": _("waiting"),
}  # fmt: skip
NOTE_HEADER = (_("Scenario time"), _("By"), _("Team"), _("Inject"), _("Note"))


def _time(value: float | None) -> str:
    return "" if value is None else format_time(value)


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value / 60:.1f}"


def _seconds(value: float | None) -> str:
    return "" if value is None else str(round(value))


def pack_sheets(
    pack: DebriefPack, scenario: Scenario, language: str, gettext: Gettext
) -> list[tuple[str, Rows]]:
    """The pack as (sheet title, rows) with a header row each, in ``language``."""
    original = scenario.original_language

    def text(value: Mapping[str, str] | None) -> str:
        return "" if not value else local(value, language, original)[0]

    teams = {t.id: text(t.name) for t in scenario.teams}
    header: Callable[[tuple[str, ...]], list[str]] = lambda h: [gettext(c) for c in h]  # noqa: E731
    injects: list[list[str]] = [header(INJECT_HEADER)]

    def revealed(inject: str, team: str) -> str:
        return "; ".join(
            f"{_time(v.scenario_time)} {text(v.what) if v.what else v.cue + ' #' + v.reveal}"
            for v in pack.reveals_of(inject, team)
        )

    injects += [
        [
            r.inject, text(r.title), teams.get(r.team, r.team), _time(r.planned),
            _time(r.released), _time(r.delivered), _time(r.acknowledged),
            _minutes(r.release_delay), _seconds(r.acknowledge_delay),
            _seconds(r.acknowledge_scenario), "; ".join(text(a) for a in r.expected_actions),
            revealed(r.inject, r.team),
        ]
        for r in pack.injects
    ]  # fmt: skip
    requests: list[list[str]] = [header(REQUEST_HEADER)]
    requests += [
        [
            r.request, teams.get(r.team, r.team), text(r.kind_title), r.text, _time(r.sent),
            _time(r.received), gettext("yes") if r.answered else gettext("no"),
            _seconds(r.response_seconds), _seconds(r.response_scenario), text(r.answer),
        ]
        for r in pack.requests
    ]  # fmt: skip
    replies: list[list[str]] = [header(REPLY_HEADER)]
    for r in pack.replies:
        answers = " | ".join(
            f"{_time(a.scenario_time)} {a.by}: {a.text}"
            if a.by
            else f"{_time(a.scenario_time)}: {a.text}"
            for a in r.answers
        )
        ratings = "; ".join(
            " ".join(
                p
                for p in (g.objective, g.task or "", g.rating.value if g.rating else "", g.by)
                if p
            )
            for g in r.ratings
        )
        replies.append(
            [
                r.reply, teams.get(r.team, r.team), f"{r.inject} {text(r.inject_title)}",
                gettext(KINDS.get(r.kind, r.kind)), r.text, "; ".join(r.files), _time(r.sent),
                _time(r.received), answers, _seconds(r.response_seconds),
                _seconds(r.response_scenario), ratings,
            ]
        )  # fmt: skip
    observations: list[list[str]] = [header(OBSERVATION_HEADER)]
    for block in pack.objectives:
        observations += [
            [
                text(block.title), n.task or "", n.rating.value if n.rating else "",
                teams.get(n.team or "", n.team or ""), _time(n.scenario_time), n.by, n.text,
                n.inject or "", gettext("yes") if n.corrected else "",
            ]
            for n in block.observations
        ]  # fmt: skip
    sheets: list[tuple[str, Rows]] = [
        (gettext(SHEETS["injects"]), injects),
        (gettext(SHEETS["requests"]), requests),
        (gettext(SHEETS["observations"]), observations),  # third: review/export.py takes it
        (gettext(SHEETS["replies"]), replies),
    ]
    if not pack.team_facing:
        cues: list[list[str]] = [header(CUE_HEADER)]
        characters = {r.id: text(r.character) for r in scenario.roles}
        cues += [
            [
                c.cue, c.inject, characters.get(c.role, c.role),
                gettext(CUE_STATUSES.get(c.status, c.status)), _time(c.scenario_time), c.by,
            ]
            for c in pack.cues
        ]  # fmt: skip
        notes: list[list[str]] = [header(NOTE_HEADER)]
        for n in pack.notes:
            team = teams.get(n.team or "", n.team or "")
            notes.append([_time(n.scenario_time), n.by, team, n.inject or "", n.text])
        sheets += [(gettext(SHEETS["cues"]), cues), (gettext(SHEETS["notes"]), notes)]
    return sheets


def pack_csv_rows(sheets: list[tuple[str, Rows]]) -> list[list[str]]:
    """Every sheet in one CSV: a first column names the sheet; each sheet keeps its header."""
    rows: list[list[str]] = []
    for title, sheet in sheets:
        rows += [[title, *row] for row in sheet]
    return rows
