"""Review benchmark: how long the debrief pack, the review log and the export take for the
sample exercise with three days of events. Prints figures (not a test); docs/review.md.

    .venv/bin/python -m scripts.bench_review

The journal is made by the real commands on the real fold (no server): STARTEX, every
inject of the sample released as its time comes (the clock jumping from one to the next),
delivered and acknowledged by every team it goes to, a request a team an hour answered,
three observations and a note an hour, across D1 to D3.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from controlroom.exercise import commands
from controlroom.exercise.events import ExerciseCreated, Payload
from controlroom.exercise.state import ExerciseState
from controlroom.i18n import Catalogues
from controlroom.journal import Event
from controlroom.package_data import web_dir
from controlroom.review.debrief import DebriefPack, debrief_pack
from controlroom.review.export import export_zip
from controlroom.review.log import LogFilter, page_of, review_log
from controlroom.review.sheets import Rows
from controlroom.scenario.loader import load_scenario
from controlroom.scenario.time import DAY, parse_time
from controlroom.web.console.debrief_sheets import pack_csv_rows, pack_sheets

SAMPLE = Path(__file__).resolve().parents[1] / "injects" / "trafficking-week"


def journal() -> list[Event]:
    scenario = load_scenario(SAMPLE)
    state = ExerciseState.new(scenario, "bench")
    events: list[Event] = []
    wall = 1_800_000_000.0

    def play(payload: Payload | None, step: float = 5.0) -> None:
        nonlocal wall
        if payload is None:
            return
        wall += step
        event = Event(state.seq + 1, payload.TYPE, wall, payload.data())
        state.apply(event)
        events.append(event)

    play(ExerciseCreated(exercise="bench", name="bench", scenario=scenario, by="dina"))
    play(commands.startex(state, "dina"))
    teams = scenario.team_ids
    for n, team in enumerate(teams):
        play(commands.join_device(state, f"dev-{n}", f"Tablet {team}", team=team))
    objectives = scenario.objectives
    hour = parse_time("D1 09:00")
    for inject in sorted(scenario.injects, key=lambda i: i.at_seconds or 0):
        if inject.at_seconds is None or inject.at_seconds >= 3 * DAY:
            continue
        if inject.at_seconds > state.clock.scenario_now(wall) + 60:
            play(commands.jump(state, "dina", inject.at_seconds))
        play(commands.release_now(state, "dina", inject.id, None))
        for team in scenario.recipients(inject):
            device = f"dev-{teams.index(team)}"
            play(commands.delivered(state, inject.id, team, device))
            play(commands.acknowledge(state, inject.id, team, device), 120)
        while state.clock.scenario_now(wall) > hour:
            hour += 3600
            team = teams[int(hour // 3600) % len(teams)]
            sent = commands.send_request(state, team, "dev-0", None, "Need an interpreter")
            assert sent is not None
            play(sent)
            play(
                commands.answer_request(
                    state, "carl", sent.request, text="On the way", sender="Desk"
                ),
                300,
            )
            for k in range(3):
                objective = objectives[k % len(objectives)]
                task = objective.tasks[0].id if objective.tasks else None
                play(
                    commands.add_observation(
                        state, "olga", "Screened early", objective.id,
                        task=task, rating="PSMU"[k], team=team,
                    )
                )  # fmt: skip
            play(commands.add_note(state, "carl", "Slow to call back", team, None))
    return events


def timed(label: str, work: Callable[[], Any]) -> None:
    start = time.perf_counter()
    work()
    print(f"{label:<48} {time.perf_counter() - start:6.2f} s")


def main() -> None:
    events = journal()
    scenario = load_scenario(SAMPLE)
    gettext = Catalogues(web_dir() / "locale").get("en").gettext
    print(f"sample exercise, {len(events)} events over three scenario days")
    timed(
        "review log, every event, page 1", lambda: page_of(review_log(events, {}), LogFilter(), 1)
    )
    timed("debrief pack D2, all teams", lambda: debrief_pack(events, 2))
    timed("debrief pack D2, one team, team-facing", lambda: debrief_pack(
        events, 2, team=scenario.team_ids[0], team_facing=True))  # fmt: skip
    timed("debrief pack D2 as XLSX tables", lambda: pack_sheets(
        debrief_pack(events, 2), scenario, "en", gettext))  # fmt: skip

    def sheets(pack: DebriefPack) -> list[tuple[str, Rows]]:
        return pack_sheets(pack, scenario, "en", gettext)

    timed("after-action export (ZIP, every day's packs)", lambda: export_zip(
        events, sheets, csv_rows=pack_csv_rows))  # fmt: skip


if __name__ == "__main__":
    main()
