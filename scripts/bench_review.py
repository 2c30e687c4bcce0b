"""Review benchmark: how long the debrief pack, the review log and the export take for the
sample exercise with three days of events. Prints figures (not a test); docs/review.md.

    .venv/bin/python -m scripts.bench_review                      # the sample's three days
    .venv/bin/python -m scripts.bench_review --week DATA_DIR      # and a week's journal

Each figure is printed with its ratio to a baseline measured in the same run (folding the
same journal once, which every figure starts with) and, for the daily pack and the replay,
the limits of issue 15 (under 1 s and under 0.5 s).

The journal is made by the real commands on the real fold (no server): STARTEX, every
inject of the sample released as its time comes (the clock jumping from one to the next),
delivered and acknowledged by every team it goes to, a request a team an hour answered,
three observations and a note an hour, across D1 to D3.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from controlroom.exercise import commands
from controlroom.exercise.events import ExerciseCreated, Payload
from controlroom.exercise.state import ExerciseState
from controlroom.i18n import Catalogues
from controlroom.journal import Event
from controlroom.journal.file import FileJournalStore
from controlroom.live.runtime import scenario_of
from controlroom.package_data import web_dir
from controlroom.review.debrief import DebriefPack, debrief_pack
from controlroom.review.export import export_zip
from controlroom.review.log import LogFilter, page_of, review_log
from controlroom.review.replay import moment_at, replay
from controlroom.review.sheets import Rows
from controlroom.scenario.loader import load_scenario
from controlroom.scenario.time import DAY, parse_time
from controlroom.web.console.debrief_sheets import pack_csv_rows, pack_sheets

SAMPLE = Path(__file__).resolve().parents[1] / "injects" / "trafficking-week"
LIMIT_PACK = 1.0  # issue 15: a daily pack at the sample's full size in under 1 s
LIMIT_REPLAY = 0.5  # and a replay at a given moment in under 0.5 s


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


class Figures:
    """Each figure's best of ``runs`` (CPU and wall), against the baseline in the same run:
    folding the same journal once (``ExerciseState.fold``), what every figure starts from."""

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.baseline: float | None = None
        self.rows: list[tuple[str, float, float, float | None]] = []

    def time(self, label: str, work: Callable[[], Any], limit: float | None = None) -> float:
        cpu, wall = float("inf"), float("inf")
        for _ in range(self.runs):
            c, w = time.process_time(), time.perf_counter()
            work()
            cpu = min(cpu, time.process_time() - c)
            wall = min(wall, time.perf_counter() - w)
        if self.baseline is None:
            self.baseline = wall
        self.rows.append((label, wall, cpu, limit))
        return wall

    def print(self, title: str) -> None:
        base = self.baseline or float("nan")
        print(f"\n## {title}; {machine()}\n")
        print(f"| figure | wall (best of {self.runs}) | CPU | x the fold | limit | |")
        print("|---|---|---|---|---|---|")
        for label, wall, cpu, limit in self.rows:
            verdict = "" if limit is None else ("met" if wall <= limit else "MISSED")
            bound = "" if limit is None else f"< {limit:g} s"
            print(
                f"| {label} | {wall:.3f} s | {cpu:.3f} s | {wall / base:.1f} | {bound} "
                f"| {verdict} |"
            )


def machine() -> str:
    return f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs"


def measure(events: list[Event], day: int, moment: str, runs: int, title: str) -> None:
    scenario = scenario_of(events, "bench")
    gettext = Catalogues(web_dir() / "locale").get("en").gettext
    team = scenario.team_ids[0]
    figures = Figures(runs)
    figures.time("baseline: fold the journal once", lambda: ExerciseState.fold(scenario, events))
    figures.time("review log, every event, page 1", lambda: page_of(
        review_log(events, {}), LogFilter(), 1))  # fmt: skip
    figures.time(f"debrief pack D{day}, all teams", lambda: debrief_pack(events, day), LIMIT_PACK)
    figures.time(f"debrief pack D{day}, one team, team-facing", lambda: debrief_pack(
        events, day, team=team, team_facing=True), LIMIT_PACK)  # fmt: skip
    figures.time(f"debrief pack D{day} as XLSX tables", lambda: pack_sheets(
        debrief_pack(events, day), scenario, "en", gettext), LIMIT_PACK)  # fmt: skip
    when = moment_at(events, parse_time(moment))
    figures.time(f"replay at {moment} (moment found, team {team})", lambda: replay(
        events, f"team:{team}", moment_at(events, parse_time(moment))), LIMIT_REPLAY)  # fmt: skip
    figures.time(f"replay at {moment}, control (moment known)", lambda: replay(
        events, "control", when), LIMIT_REPLAY)  # fmt: skip

    def sheets(pack: DebriefPack) -> list[tuple[str, Rows]]:
        return pack_sheets(pack, scenario, "en", gettext)

    if len(events) < 20_000:  # every day's packs: minutes on a week of 200,000 events
        figures.time("after-action export (ZIP, every day's packs)", lambda: export_zip(
            events, sheets, csv_rows=pack_csv_rows))  # fmt: skip
    figures.print(title)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    parser.add_argument(
        "--week", type=Path, help="also a data folder of scripts/week_journal.py (200,000 events)"
    )
    args = parser.parse_args()
    events = journal()
    measure(events, 2, "D2 11:40", args.runs,
            f"sample exercise, {len(events)} events over its three scenario days")  # fmt: skip
    if args.week is not None:
        store = FileJournalStore(args.week)
        (exercise,) = asyncio.run(store.list())
        week = asyncio.run(store.read_only(exercise))
        measure(week, 2, "D2 11:40", 1, f"a week's journal, {len(week)} events")


if __name__ == "__main__":
    main()
