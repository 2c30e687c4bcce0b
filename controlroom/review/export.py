"""The after-action export: one ZIP with everything the review needs. Design: docs/review.md.

``export_zip`` folds the journal once (``debrief.reviewed``) and writes:

- ``journal.jsonl``: the journal itself, one event a line, as stored;
- ``scenario.json``: the scenario as run (ad-hoc injects added, edits applied);
- ``msel-actual.csv`` / ``.xlsx``: the MSEL with the actual times per inject and team;
- ``observations.csv``: every observation;
- ``schedule-actual.csv`` / ``.xlsx``: each team's schedule, planned and actual (its injects
  and its actors' scenes, ``review.schedule``), when the caller gives ``schedule``;
- ``debrief/``: for every day up to the last one anything happened on, control's pack and each
  team's team-facing pack, as CSV and XLSX.

Every spreadsheet cell goes through the one neutraliser (``review.sheets``). Reading only.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping, Sequence

import orjson

from controlroom.exercise.state import ExerciseState
from controlroom.journal import Event
from controlroom.review.debrief import DebriefPack, Reviewed, debrief_pack, reviewed
from controlroom.review.sheets import Rows, csv_text, xlsx_bytes

Sheets = Callable[[DebriefPack], list[tuple[str, Rows]]]  # a pack as translated tables


def scenario_as_run(folded: Reviewed) -> bytes:
    state = folded.state
    run = state.scenario.model_copy(update={"injects": list(state.injects.values())})
    return orjson.dumps(
        run.model_dump(mode="json", by_alias=True, exclude_none=True), option=orjson.OPT_INDENT_2
    )


def export_zip(
    events: Sequence[Event],
    sheets: Sheets,
    *,
    names: Mapping[str, str] | None = None,
    csv_rows: Callable[[list[tuple[str, Rows]]], Rows] | None = None,
    schedule: Callable[[ExerciseState], tuple[str, Rows]] | None = None,
) -> bytes:
    """The export as ZIP bytes. ``sheets`` turns a pack into tables in the reader's language
    (the first is the injects, one is the observations); ``csv_rows`` joins a pack's tables
    into one CSV (default: the tables one after another); ``schedule`` makes the table of
    each team's schedule, planned and actual, in the reader's language."""
    folded = reviewed(events, names)
    join = csv_rows or (lambda tables: [row for _, table in tables for row in table])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("journal.jsonl", b"".join(e.to_json() + b"\n" for e in events))
        archive.writestr("scenario.json", scenario_as_run(folded))
        whole = sheets(debrief_pack(folded, None))
        actual = whole[0]
        archive.writestr("msel-actual.csv", csv_text(actual[1]).encode("utf-8-sig"))
        archive.writestr("msel-actual.xlsx", xlsx_bytes([actual]))
        observations = whole[2]
        archive.writestr("observations.csv", csv_text(observations[1]).encode("utf-8-sig"))
        if schedule is not None:
            table = schedule(folded.state)
            archive.writestr("schedule-actual.csv", csv_text(table[1]).encode("utf-8-sig"))
            archive.writestr("schedule-actual.xlsx", xlsx_bytes([table]))
        teams = folded.state.scenario.team_ids
        for day in range(1, folded.last_day + 1):
            packs = [(f"D{day}-all", debrief_pack(folded, day))]
            packs += [
                (f"D{day}-{team}-team", debrief_pack(folded, day, team=team, team_facing=True))
                for team in teams
            ]
            for stem, pack in packs:
                tables = sheets(pack)
                archive.writestr(f"debrief/{stem}.csv", csv_text(join(tables)).encode("utf-8-sig"))
                archive.writestr(f"debrief/{stem}.xlsx", xlsx_bytes(tables))
    return buffer.getvalue()
