"""A realistic five-day journal of the sample exercise. Benchmarks: docs/performance.md.

``python -m scripts.week_journal DATA_DIR --events 200000`` plays a week of the sample scenario
(``injects/trafficking-week``) through the exercise's own commands (so every event is one the
server could have written): devices joining for six teams and fourteen actor roles, STARTEX,
the scheduled injects released by the clock, ad-hoc injects to one team or all, deliveries and
acknowledgements, actors' cue reports, teams' requests with claims and answers, controller
notes and observers' ratings, holds, resumes, a speed change and a jump. The events are folded
in memory as they are decided, then written as one ``file://`` journal in the data folder, as
the server would have left it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import random
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from controlroom.exercise import commands
from controlroom.exercise.events import Fact, InjectReleased, ReplyFile, RequestAnswered
from controlroom.exercise.state import ExerciseState
from controlroom.journal import open_store
from controlroom.live.registry import Exercises
from controlroom.live.runtime import ExerciseRuntime
from controlroom.live.timesource import ManualTime
from controlroom.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "injects" / "trafficking-week"
DEVICES_PER_TEAM = 10
DAY_SECONDS = 9 * 3600  # a working day of the exercise, 08:30 to 17:30

Decide = Callable[[ExerciseState], Any]


class Week:
    """Plays the week on one runtime, counting what it wrote."""

    def __init__(self, runtime: ExerciseRuntime, time_: ManualTime, seed: int) -> None:
        self.runtime = runtime
        self.time = time_
        self.random = random.Random(seed)
        self.scenario = runtime.scenario
        self.teams = runtime.scenario.team_ids
        self.devices: dict[str, list[str]] = {}
        self.actors: dict[str, str] = {}
        self.adhoc = 0
        self.ticks = 0
        self.requests = 0
        self.unread: list[tuple[str, str]] = []  # released, not yet received by the team
        runtime.listen(self._heard)

    def _heard(self, fact: Fact, state: ExerciseState) -> None:
        """Remember what each team has yet to receive (released injects, SimCell answers)."""
        payload = fact.payload
        if isinstance(payload, InjectReleased):
            teams = payload.teams or tuple(state.recipients(payload.inject))
            self.unread.extend((payload.inject, team) for team in teams)
        elif isinstance(payload, RequestAnswered):
            request = state.requests[payload.request]
            if request.answer_inject is not None:
                self.unread.append((request.answer_inject, request.team))

    @property
    def seq(self) -> int:
        return self.runtime.state.seq

    async def run(self, decide: Decide) -> None:
        # a random choice that does not fit the moment is refused: the week goes on
        with contextlib.suppress(commands.CommandRefused):
            await self.runtime.execute(decide)

    async def tick(self, seconds: float) -> None:
        await self.time.advance(seconds)
        self.ticks += 1
        if self.ticks % 20 == 0:  # the scheduled injects are few; do not scan every tick
            await self.release_due()

    async def release_due(self) -> None:
        while True:
            before = self.seq
            await self.run(lambda s: commands.release_due(s, self.time.now()))
            if self.seq == before:
                return

    async def join_devices(self) -> None:
        for team in self.teams:
            names = self.devices.setdefault(team, [])
            for n in range(DEVICES_PER_TEAM):
                device = f"d-{team}-{n}"
                name = f"{team} tablet {n + 1}"
                await self.run(partial(commands.join_device, device=device, name=name, team=team))
                names.append(device)
        for role in self.scenario.roles:
            device = f"d-actor-{role.id}"
            name = f"{role.id} tablet"
            await self.run(partial(commands.join_device, device=device, name=name, role=role.id))
            self.actors[role.id] = device

    async def receive_everything(self) -> None:
        """Each team's devices receive and acknowledge what was released to them."""
        unread, self.unread = self.unread, []
        for inject, team in unread:
            devices = self.devices[team]
            await self.run(partial(commands.delivered, inject=inject, team=team, device=devices[0]))
            await self.time.advance(self.random.uniform(5, 90))
            device = self.random.choice(devices)
            await self.run(partial(commands.acknowledge, inject=inject, team=team, device=device))

    async def actors_report(self) -> None:
        """Actors play each cue for each team it goes to, and mark what they revealed."""
        for cue in list(self.runtime.state.cues.values()):
            device = self.actors.get(cue.role)
            if device is None:
                continue
            for team in list(cue.runs):
                for status in ("ready", "in-scene", "done"):
                    report = partial(
                        commands.cue_status,
                        role=cue.role,
                        cue=cue.cue,
                        status=status,
                        device=device,
                        team=team,
                    )
                    await self.run(report)
                found = self.runtime.state.cue_instance(cue.cue, team)
                for mark in found.reveals[:1]:
                    reveal = partial(
                        commands.mark_reveal,
                        role=cue.role,
                        cue=cue.cue,
                        team=team,
                        reveal=mark.reveal,
                        device=device,
                    )
                    await self.run(reveal)

    async def team_pace(self) -> None:
        """The director holds a team for a while, or shifts it (each team at its own pace)."""
        team = self.random.choice(self.teams)
        if self.random.random() < 0.5:
            await self.run(partial(commands.hold_team, by="director", team=team, reason="Slow"))
            await self.time.advance(self.random.uniform(60, 600))
            await self.run(partial(commands.resume_team, by="director", team=team))
        else:
            minutes = self.random.choice([-10, -5, 5, 10, 15])
            shift = partial(
                commands.shift_team,
                by="director",
                team=team,
                reason="Pace",
                wall=self.time.now(),
                minutes=minutes,
            )
            await self.run(shift)

    async def adhoc_inject(self, by: str) -> None:
        self.adhoc += 1
        to: Any = "all" if self.random.random() < 0.5 else [self.random.choice(self.teams)]
        inject_id = f"AH-{self.adhoc:05d}"
        data = {
            "id": inject_id,
            "trigger": "manual",
            "channel": self.random.choice(["phone", "email", "news", "field"]),
            "from": {"en": "Duty officer", "ru": "Дежурный"},
            "to": to,
            "title": {"en": f"Update {self.adhoc}", "ru": f"Сводка {self.adhoc}"},
            "body": {
                "en": "A caller adds a detail to the case: a second address, a phone number.",
                "ru": "Звонящий сообщает новую деталь: второй адрес, номер телефона.",
            },
        }
        await self.run(lambda s: commands.create_inject(s, by, data))
        await self.run(lambda s: commands.release_now(s, by, inject_id))

    async def request_and_answer(self) -> None:
        team = self.random.choice(self.teams)
        device = self.random.choice(self.devices[team])
        kinds = [r.id for r in self.scenario.requests]
        kind = self.random.choice(kinds) if kinds and self.random.random() < 0.7 else None
        text = "We ask for a database check on the driver and the vehicle."
        before = self.seq
        await self.run(lambda s: commands.send_request(s, team, device, kind, text))
        if self.seq == before:
            return
        self.requests += 1
        request = f"R{self.requests:03d}"
        await self.time.advance(self.random.uniform(20, 300))
        await self.run(lambda s: commands.claim_request(s, "controller", request))
        await self.time.advance(self.random.uniform(20, 300))
        await self.run(
            lambda s: commands.answer_request(
                s, "controller", request, text="No record found.", language="en", sender="Registry"
            )
        )

    async def reply_and_answer(self) -> None:
        """A team's reply to an inject it received (a file with it), control's answer, a rating."""
        team = self.random.choice(self.teams)
        received = self.runtime.state.released_to(team)
        if not received:
            return
        inject = self.random.choice(received).inject
        device = self.random.choice(self.devices[team])
        digest = hashlib.sha256(f"{team}{inject}{self.seq}".encode()).hexdigest()
        report = ReplyFile(
            id=digest[:32],
            name="situation-report.pdf",
            type="application/pdf",
            size=48_000,
            sha256=digest,
        )
        before = self.seq
        await self.run(
            lambda s: commands.send_reply(s, team, device, inject, "Our report.", (report,))
        )
        if self.seq == before:
            return
        reply = next(reversed(self.runtime.state.replies))  # the one just sent
        await self.time.advance(self.random.uniform(20, 300))
        await self.run(lambda s: commands.answer_reply(s, "controller", reply, "Received."))
        objective = self.scenario.objectives[0]
        await self.run(
            lambda s: commands.add_observation(
                s, "observer", "Clear and on time.", objective.id, rating="S", reply=reply
            )
        )

    async def note(self) -> None:
        team = self.random.choice(self.teams)
        text = "Team asked the interpreter to wait outside the interview room."
        await self.run(lambda s: commands.add_note(s, "controller", text, team=team))

    async def observe(self) -> None:
        objective = self.random.choice(self.scenario.objectives)
        task = self.random.choice(objective.tasks).id if objective.tasks else None
        team = self.random.choice(self.teams)
        rating = self.random.choice(commands.RATINGS)
        text = "Identified the presumed victim and called for a child protection officer."
        await self.run(
            lambda s: commands.add_observation(
                s, "observer", text, objective.id, task=task, rating=rating, team=team
            )
        )


async def play(data_dir: Path, events: int, seed: int) -> tuple[str, int]:
    """Write a week's journal of at least ``events`` events; returns (exercise id, count)."""
    scenario = load_scenario(SAMPLE)
    memory = open_store("memory://")
    time_ = ManualTime()
    exercises = Exercises(memory, time_, run_clock=False)
    runtime = await exercises.create(scenario, "A week's journal", "director")
    week = Week(runtime, time_, seed)
    await week.join_devices()
    await week.run(lambda s: commands.startex(s, "director"))
    days = 5
    per_day = max(1, (events - week.seq) // days)
    for day in range(days):
        goal = min(events, week.seq + per_day) if day < days - 1 else events
        if day:
            # the next morning (the sample has three days: the week plays them again)
            morning = scenario.start_seconds + (day % scenario.days) * 86400
            await week.run(partial(commands.jump, by="director", scenario_time=morning))
        if day == 2:
            await week.run(lambda s: commands.set_speed(s, "director", 2.0))
        while week.seq < goal:
            await week.tick(week.random.uniform(10, 60))
            roll = week.random.random()
            if roll < 0.45:
                await week.adhoc_inject("controller")
            elif roll < 0.65:
                await week.request_and_answer()
            elif roll < 0.7:
                await week.reply_and_answer()
            elif roll < 0.8:
                await week.note()
            else:
                await week.observe()
            if week.random.random() < 0.01:
                await week.run(lambda s: commands.hold(s, "director", "Actors change sets"))
                await time_.advance(300)
                await week.run(lambda s: commands.resume(s, "director"))
            await week.receive_everything()
            if week.random.random() < 0.05:
                await week.actors_report()
            if week.random.random() < 0.04:
                await week.team_pace()
    exported = await runtime.journal.read()
    journal_store = open_store(f"file://{data_dir}")
    journal = await journal_store.create(runtime.id)
    await journal.close()
    await journal_store.close()
    path = data_dir / "exercises" / runtime.id / "journal.jsonl"
    await asyncio.to_thread(_append_lines, path, [event.to_json() for event in exported])
    await exercises.close()
    return runtime.id, len(exported)


def _append_lines(path: Path, lines: list[bytes]) -> None:
    with open(path, "ab") as f:
        f.writelines(line + b"\n" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="the data folder to write the journal into")
    parser.add_argument("--events", type=int, default=200_000, help="at least this many events")
    parser.add_argument("--seed", type=int, default=7, help="random seed (the same week twice)")
    args = parser.parse_args()
    started = time.perf_counter()
    exercise, count = asyncio.run(play(args.data_dir, args.events, args.seed))
    print(f"{count} events in {exercise} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
