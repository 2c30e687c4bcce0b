"""The console's set boards and schedule conflicts: in-process, then on a real server."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from controlroom.exercise import commands
from controlroom.scenario import load_scenario
from tests.support.console import Control
from tests.support.scenario_folders import copy_mini, edit
from tests.support.server import LiveServerFactory

SETS = """sets:
  - id: site
    name: {en: Construction site, ru: Стройка}
    notes: {en: The yard behind the gym, ru: Двор за спортзалом}
  - id: booth
    name: {en: Phone booth, ru: Телефонная будка}
cases:"""

# The caller plays for the labour team at 09:55 too, on the same booth (the police's call is
# at 09:25: 30 min apart, no conflict as planned).
EXTRA = """injects:
  - id: E-01
    at: D1 10:00
    channel: phone-call
    from: {en: A neighbour, ru: Соседка}
    to: [labour]
    title: {en: A second call, ru: Второй звонок}
    body: {en: The same neighbour calls the inspectors., ru: Та же соседка звонит инспекторам.}
    cues:
      - role: caller
        set: booth
        offset: -5m
        where: {en: Phone booth, ru: Телефонная будка}
        knows: {en: The site, ru: Стройку}
        emotion: {en: Afraid, ru: Боится}
"""


def staged(root: Path) -> Path:
    """The mini scenario with sets (``staged/mini``), every cue on one."""
    folder = copy_mini(root, "mini")
    edit(folder / "scenario.yaml", "cases:", SETS)
    edit(
        folder / "injects" / "01-day1.yaml",
        "      - role: caller\n",
        "      - role: caller\n        set: booth\n",
    )
    edit(
        folder / "injects" / "02-day2.yaml",
        "        role: worker\n",
        "        role: worker\n        set: site\n",
    )
    (folder / "injects" / "03-extra.yaml").write_text(EXTRA, encoding="utf-8")
    return folder


@pytest.fixture
def console_settings(tmp_path: Path) -> dict[str, Any]:
    staged(tmp_path / "scenarios")
    return {"injects_dir": tmp_path / "scenarios"}


async def test_the_sets_page_shows_each_set_with_who_is_on_it_now_and_next(
    control: Control,
) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex", {"at": "D1 09:28"})
    page = await control.get(f"/exercises/{runtime.id}/sets")
    assert page.status_code == 200
    html = page.text
    assert 'id="board-set-booth"' in html and 'id="board-set-site"' in html
    booth = html[html.index('id="board-set-booth"') :]
    now, later = booth.split("scene-next", 1)
    assert 'data-cue="S-01.1"' in now and "Police team" in now  # on since 09:25
    assert 'data-cue="E-01.1"' in later.split("</article>")[0]  # the labour team's, next
    assert "The yard behind the gym" in html
    assert 'href="/exercises/' + runtime.id + '/sets"' in html  # in the navigation
    assert "No actor or set is booked twice." in html
    fragment = await control.get(f"/exercises/{runtime.id}/sets", htmx=True)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="sets-live"' in fragment.text and 'hx-get="/exercises/' in fragment.text
    control.use("observer")
    assert (await control.get(f"/exercises/{runtime.id}/sets")).status_code == 200


async def test_a_team_shift_shows_a_conflict_with_the_resolving_shift(control: Control) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    wall = control.resources.time.now()
    # police 25 min later: its caller on the booth at 09:50, 5 min before the labour team's
    await runtime.execute(
        lambda s: commands.shift_team(s, "dina", "police", "slow start", wall, minutes=25)
    )
    panel = await control.get(f"/exercises/{runtime.id}/sets/conflicts", htmx=True)
    assert panel.status_code == 200 and "<html" not in panel.text
    text = " ".join(panel.text.split())
    assert (
        "Anonymous caller is due for Labour inspectors at D1 09:55, 5 min 00 s after "
        "Police team at D1 09:50" in text
    )
    assert "Phone booth is booked twice" in text
    # +15 would do for the booth (a scene holds it 20 min), but the labour team's share of
    # the joint inspection on D2 would then come 10 min before the police's, on one site:
    # +25 brings both teams to the site at once again
    assert "Shift Labour inspectors by +25 min to resolve it." in text
    console = await control.get(f"/exercises/{runtime.id}")
    assert 'id="schedule-conflicts"' in console.text and "has-alerts" in console.text
    boards = await control.get(f"/exercises/{runtime.id}/boards")
    assert "Shift Labour inspectors by +25 min" in boards.text
    form = f'action="/exercises/{runtime.id}/teams/labour/shift"'
    assert form in panel.text and 'name="minutes" value="25"' in panel.text
    control.use("observer")
    seen = await control.get(f"/exercises/{runtime.id}/sets/conflicts", htmx=True)
    assert "Shift Labour inspectors by +25 min" in seen.text and form not in seen.text
    control.use("controller")
    done = await control.post(
        f"/exercises/{runtime.id}/teams/labour/shift",
        {"minutes": "25", "reason": "Schedule conflict: E-01.1", "next": "/x"},
        htmx=True,
    )
    assert done.status_code == 200, done.text
    panel = await control.get(f"/exercises/{runtime.id}/sets/conflicts", htmx=True)
    assert "No actor or set is booked twice." in panel.text


async def test_the_conflicts_panel_in_russian(control: Control) -> None:
    runtime = await control.exercise()
    await control.post(f"/exercises/{runtime.id}/clock/startex")
    wall = control.resources.time.now()
    await runtime.execute(lambda s: commands.shift_team(s, "dina", "police", "x", wall, minutes=25))
    panel = await control.get(f"/exercises/{runtime.id}/sets/conflicts?lang=ru", htmx=True)
    assert "Конфликты расписания" in panel.text
    assert "Сдвиньте команду «Трудовые инспекторы» на +25 мин" in panel.text


def test_on_a_real_server_a_team_hold_shows_the_conflict_and_its_fix(
    live_server: LiveServerFactory, tmp_path: Path
) -> None:
    scenario = load_scenario(staged(tmp_path))
    server = live_server()
    exercise = server.create_exercise(scenario.model_dump(mode="json", by_alias=True))
    server.run(exercise, ("startex", {"by": "d"}))
    session = server.session({"kind": "user", "role": "director", "name": "dina"})
    with httpx.Client(base_url=server.url, cookies={"cr_session": session}, timeout=30) as client:
        calm = client.get(f"/exercises/{exercise}/sets/conflicts", headers={"HX-Request": "true"})
        assert calm.status_code == 200 and "No actor or set is booked twice." in calm.text
        # the police team held: its scenes move on as the hold lasts; shifted 25 min here
        server.run(
            exercise,
            ("hold_team", {"by": "d", "team": "police", "reason": "lost"}),
            ("resume_team", {"by": "d", "team": "police"}),
            (
                "shift_team",
                {"by": "d", "team": "police", "reason": "slow", "wall": time.time(), "minutes": 25},
            ),
        )
        page = client.get(f"/exercises/{exercise}/sets")
        text = " ".join(page.text.split())
        assert page.status_code == 200
        assert "Phone booth is booked twice" in text
        assert "Shift Labour inspectors by +25 min to resolve it." in text
        console = client.get(f"/exercises/{exercise}")
        assert "Shift Labour inspectors by +25 min to resolve it." in " ".join(console.text.split())
