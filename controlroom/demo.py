"""The demo exercise: accounts and an exercise of the sample scenario, ready to run.

Design: docs/overview.md. ``scripts/demo`` (``controlroom demo``) calls ``prepare_demo`` and
then serves; running it again reuses what the first run made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from controlroom.access.accounts import STAFF_ROLES, new_account, open_accounts
from controlroom.journal import open_store
from controlroom.live.registry import Exercises
from controlroom.live.timesource import SystemTime
from controlroom.scenario.loader import load_scenario
from controlroom.settings import Settings

DEMO_SCENARIO = "trafficking-week"


@dataclass(frozen=True, slots=True)
class Demo:
    exercise: str
    password: str


async def prepare_demo(settings: Settings) -> Demo:
    """Make the demo accounts (director, controller, observer) and one sample exercise."""
    password_file = settings.data_dir / "demo-password.txt"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if password_file.exists():
        password = password_file.read_text().strip()
    else:
        password = secrets.token_urlsafe(9)
        password_file.write_text(password + "\n")
    accounts = open_accounts(settings.sessions, settings.data_dir)
    try:
        for role in STAFF_ROLES:
            if await accounts.get(role) is None:
                await accounts.put(new_account(role, role, password, role.capitalize()))
    finally:
        await accounts.close()

    store = open_store(settings.journal)
    exercises = Exercises(store, SystemTime(), run_clock=False)
    try:
        existing = await exercises.refresh()
        if existing:
            return Demo(existing[0].id, password)
        scenario = load_scenario(settings.injects_dir / DEMO_SCENARIO)
        runtime = await exercises.create(scenario, "Demo: trafficking week", "director")
        return Demo(runtime.id, password)
    finally:
        await exercises.close()
        await store.close()
