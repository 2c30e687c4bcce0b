"""Replay on the console: a team's, an actor's and control's view at a scenario time, marked
REPLAY, read-only, never showing what the audience had not received by then."""

from __future__ import annotations

from controlroom.exercise import commands
from tests.support.console import Control


async def test_a_team_replay_shows_what_it_had_received_and_nothing_later(
    control: Control,
) -> None:
    runtime = await control.exercise()
    base = f"/exercises/{runtime.id}"
    assert (await control.post(f"{base}/clock/startex")).status_code == 303
    released = await control.post(f"{base}/injects/S-02/release", {"team": "police"})
    assert released.status_code == 303, released.text
    jumped = await control.post(f"{base}/clock/jump", {"at": "D2 10:00", "confirmed": "yes"})
    assert jumped.status_code == 303, jumped.text
    assert (await control.post(f"{base}/injects/S-04/release")).status_code == 303
    journal_length = runtime.state.seq

    control.use("observer")
    police_d1 = await control.get(f"{base}/replay?audience=team:police&at=D1+09:30")
    assert police_d1.status_code == 200
    assert "REPLAY" in police_d1.text and 'data-inject="S-02"' in police_d1.text
    assert 'data-inject="S-04"' not in police_d1.text and "hx-ws:connect" not in police_d1.text
    assert "<fieldset disabled" in police_d1.text
    labour_d1 = await control.get(f"{base}/replay?audience=team:labour&at=D1+09:30")
    assert "Nothing received yet." in labour_d1.text and 'data-inject="S-02"' not in labour_d1.text
    labour_d2 = await control.get(f"{base}/replay?audience=team:labour&at=D2+11:40")
    assert 'data-inject="S-04"' in labour_d2.text and 'data-inject="S-02"' not in labour_d2.text
    # controller-only text never reaches a team's replay
    assert "CONTROLLER" not in labour_d2.text.upper().replace("CONTROL ROOM", "")
    actor = await control.get(f"{base}/replay?audience=actor:worker&at=D2+11:40")
    assert actor.status_code == 200 and "Construction worker" in actor.text
    timeline = await control.get(f"{base}/replay?audience=control&at=D1+09:30")
    assert timeline.status_code == 200 and 'id="inject-row-S-04"' in timeline.text
    for bad in ("audience=team:navy&at=D1+09:00", "audience=control&at=tomorrow",
                "audience=control&at=D9+09:00", "audience=control&seq=x"):  # fmt: skip
        assert (await control.get(f"{base}/replay?{bad}")).status_code == 400, bad
    assert runtime.state.seq == journal_length  # a replay never writes


def replay_section(page: str) -> str:
    start = page.index('<section class="card replay"')
    return page[start : page.index("</section>", page.index("</fieldset>", start))]


async def test_a_replay_is_read_only_no_form_no_button_no_link_away(control: Control) -> None:
    runtime = await control.exercise()
    base = f"/exercises/{runtime.id}"
    assert (await control.post(f"{base}/clock/startex")).status_code == 303
    assert (await control.post(f"{base}/injects/S-04/release")).status_code == 303
    await runtime.execute(
        lambda s: commands.send_request(s, "police", "dev-1", "interpreter", "We need Dari")
    )
    for audience in ("team:police", "actor:worker", "control"):
        page = await control.get(f"{base}/replay?audience={audience}&at=D1+23:00")
        assert page.status_code == 200, audience
        shown = replay_section(page.text)
        assert "REPLAY" in shown and "data-inject=" in shown, audience
        assert "<form" not in shown and "<button" not in shown, audience
        assert "data-cr-action" not in shown and 'href="/' not in shown, audience
        assert "/team/" not in shown and "Acknowledge" not in shown, audience
    team = replay_section(
        (await control.get(f"{base}/replay?audience=team:police&at=D1+23:00")).text
    )
    assert "We need Dari" in team
