"""Presence: which devices have a live socket to this worker, pushed to control live."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from controlroom.delivery.presence import COALESCE_SECONDS
from controlroom.delivery.projections import presence_view
from controlroom.exercise import commands
from controlroom.exercise.state import ExerciseState
from tests.test_delivery_hub import Rig, Wire, rig, settle

__all__ = ["rig"]


def join(state: ExerciseState, device: str, team: str) -> commands.Decision:
    return commands.join_device(state, device, device, team=team)


def presence_frames(wire: Wire) -> list[dict[str, Any]]:
    return [f for f in wire.frames() if f["type"] == "presence"]


async def reported() -> None:
    await asyncio.sleep(COALESCE_SECONDS + 0.1)
    await settle()


async def test_control_learns_when_a_device_comes_online_and_goes(rig: Rig) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    await runtime.execute(lambda s: commands.join_device(s, "dev-1", "Tablet", team="t1"))
    control, control_wire = await rig.connect(feed, "control")
    await feed.resume(control, None, 0)
    await settle()
    (first,) = presence_frames(control_wire)  # right after the resume: the current state
    assert "seq" not in first
    assert 'id="online-team-t1"' in first["content"] and "0 devices online" in first["content"]
    assert 'id="presence-dev-1" class="presence offline"' in first["content"]
    assert rig.delivery.online(runtime.id) == frozenset()

    tablet, _ = await rig.connect(feed, "team:t1", device="dev-1")
    await feed.resume(tablet, None, 0)
    second, _ = await rig.connect(feed, "team:t1", device="dev-1")  # the same device twice
    await feed.resume(second, None, 0)
    assert rig.delivery.online(runtime.id) == {"dev-1"}
    await reported()
    frames = presence_frames(control_wire)
    assert len(frames) == 2  # coalesced: one report for both sockets
    assert 'id="presence-dev-1" class="presence online"' in frames[-1]["content"]
    assert "1 device online" in frames[-1]["content"]
    assert 'hx-swap-oob="outerHTML"' in frames[-1]["content"]

    feed.leave(second)
    await reported()
    assert len(presence_frames(control_wire)) == 2  # still online on its other socket
    feed.leave(tablet)
    assert rig.delivery.online(runtime.id) == frozenset()
    await reported()
    frames = presence_frames(control_wire)
    assert len(frames) == 3 and 'class="presence offline"' in frames[-1]["content"]


async def test_presence_goes_to_control_and_observers_only(rig: Rig) -> None:
    runtime = await rig.create()
    feed = rig.delivery.feed(runtime.id)
    await runtime.execute(lambda s: commands.join_device(s, "dev-1", "Tablet", team="t1"))
    wires = {}
    for audience in ("observer", "team:t2", "actor:r0"):
        connection, wires[audience] = await rig.connect(feed, audience)
        await feed.resume(connection, None, 0)
    tablet, _ = await rig.connect(feed, "team:t1", device="dev-1")
    await feed.resume(tablet, None, 0)
    await reported()
    assert len(presence_frames(wires["observer"])) == 2
    assert presence_frames(wires["team:t2"]) == presence_frames(wires["actor:r0"]) == []


async def test_the_presence_view_counts_online_devices_per_team_and_role(rig: Rig) -> None:
    runtime = await rig.create()
    for device, team in (("a", "t1"), ("b", "t1"), ("c", "t2")):
        await runtime.execute(partial(join, device=device, team=team))
    await runtime.execute(lambda s: commands.join_device(s, "d", "d", role="r1"))
    await runtime.execute(lambda s: commands.revoke_device(s, "dina", "b"))
    view = presence_view(runtime.state, {"a", "b", "d"})
    counts = {t.target: t.online for t in view.targets}
    assert counts == {"team:t1": 1, "team:t2": 0, "team:t3": 0, "actor:r0": 0, "actor:r1": 1}
    assert {(d.device, d.online) for d in view.devices} == {("a", True), ("c", False), ("d", True)}
