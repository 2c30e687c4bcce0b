"""The audience filter, in one place: who may see what of each event. Design: docs/delivery.md.

Audiences are ``control`` (director and controllers), ``observer``, ``team:<id>`` and
``actor:<role>``. ``Audiences.route`` turns one folded event (and the state after it) into
an ``Update`` for each audience concerned; ``current_view`` is an audience's whole view.
Both build only the view objects of ``controlroom.delivery.views``:

* a team gets its own released injects (current version: channel, sender, title, body,
  attachments) with their delivery and acknowledgement status, its own requests and
  control's answers (a SimCell-answer inject), and the clock's phase; never controller
  notes, expected actions, cues, objectives, other teams' injects or unreleased injects;
* an actor gets the cue cards of its own role (where, when, character, knows, reveals,
  emotion, props and status), the timing and state of the inject a cue belongs to but not
  its content, its own role's notes, and the clock's phase;
* control and observers get everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import Literal

from controlroom.delivery.views import (
    ActorRoleView,
    ClockView,
    ControlClockView,
    ControlInjectView,
    ControlRequestView,
    CueCardView,
    CueGroupView,
    CueStatusView,
    DevicePresence,
    DeviceView,
    FullView,
    Patch,
    PresenceView,
    ReleaseView,
    RevealView,
    TargetPresence,
    TeamInjectView,
    TeamRequestView,
    TimelineView,
    Update,
)
from controlroom.exercise.events import CLOCK_EVENTS, EventType
from controlroom.exercise.state import CueStatus, ExerciseState, Request, TeamRelease
from controlroom.journal import Event
from controlroom.scenario.model import Inject

CONTROL = "control"
OBSERVER = "observer"
SEES_ALL = (CONTROL, OBSERVER)
RELEASE_STEPS = frozenset(
    {EventType.INJECT_RELEASED, EventType.INJECT_DELIVERED, EventType.INJECT_ACKNOWLEDGED}
)
SCHEDULE_CHANGES = frozenset(
    {
        EventType.INJECT_HELD,
        EventType.INJECT_UNHELD,
        EventType.INJECT_RESCHEDULED,
        EventType.INJECT_CANCELLED,
    }
)
DEVICE_EVENTS = frozenset(
    {EventType.DEVICE_JOINED, EventType.DEVICE_RENAMED, EventType.DEVICE_REVOKED}
)


def team_audience(team: str) -> str:
    return f"team:{team}"


def actor_audience(role: str) -> str:
    return f"actor:{role}"


def device_target(team: str | None, role: str | None) -> str:
    """The audience (and join target) a device belongs to."""
    return team_audience(team) if team is not None else actor_audience(role or "")


def audiences_of(state: ExerciseState) -> list[str]:
    """Every audience of an exercise."""
    return [
        *SEES_ALL,
        *(team_audience(t) for t in state.scenario.team_ids),
        *(actor_audience(r.id) for r in state.scenario.roles),
    ]


def split(audience: str) -> tuple[str, str]:
    """``"team:police"`` -> ``("team", "police")``; ``"control"`` -> ``("control", "")``."""
    kind, _, name = audience.partition(":")
    return kind, name


class Audiences:
    """Routes each folded event of one exercise to the audiences allowed to see it.

    It remembers which actor roles have cues on each inject (as of the last event routed), so
    that an edit which takes a cue away from a role removes that role's card.
    """

    def __init__(self, state: ExerciseState) -> None:
        self._cue_roles = {i: _cue_roles(inject) for i, inject in state.injects.items()}

    def route(self, event: Event, state: ExerciseState) -> dict[str, Update]:
        """Each concerned audience's ``Update`` for ``event`` (``state`` is the state after it)."""
        out = _Collector()
        out.all_control(Patch("insert", timeline_view(event, state), "timeline", "afterbegin"))
        handler = _ROUTES.get(event.type)
        if handler is not None:
            handler(self, event, state, out)
        return out.updates()

    # -- handlers (one per kind of event) ----------------------------------------------------

    def _clock(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        out.all_control(Patch("replace", control_clock_view(state)))
        public = Patch("replace", clock_view(state))
        for team in state.scenario.team_ids:
            out.add(team_audience(team), public)
        for role in state.scenario.roles:
            out.add(actor_audience(role.id), public)
        # A cue group's state follows the clock (planned until STARTEX, then scheduled):
        # actors get their groups again with every clock event.
        for inject_id, cue_roles in self._cue_roles.items():
            for cue_role in sorted(cue_roles):
                group = cue_group_view(state, inject_id, cue_role)
                out.add(actor_audience(cue_role), Patch("replace", group))
        if event.type == EventType.STARTED:  # every release still to come is now scheduled
            for inject_id in state.injects:
                out.all_control(Patch("replace", control_inject_view(state, inject_id)))

    def _created(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        out.all_control(Patch("replace", control_clock_view(state)))

    def _inject_created(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        inject_id = str(event.data["inject"]["id"])
        out.all_control(Patch("insert", control_inject_view(state, inject_id), "control-injects"))
        roles = _cue_roles(state.injects[inject_id])
        self._cue_roles[inject_id] = roles
        for role in sorted(roles):
            group = cue_group_view(state, inject_id, role)
            out.add(actor_audience(role), Patch("insert", group, "actor-cues"))

    def _inject_edited(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        inject_id = str(event.data["inject"])
        out.all_control(Patch("replace", control_inject_view(state, inject_id)))
        for release in state.releases_of(inject_id):
            if release.released_at is not None:
                view = team_inject_view(state, release)
                out.add(team_audience(release.team), Patch("replace", view))
        if "cues" not in event.data.get("changes", {}):
            return
        before = self._cue_roles.get(inject_id, frozenset())
        after = self._cue_roles[inject_id] = _cue_roles(state.injects[inject_id])
        for role in sorted(before | after):
            group = cue_group_view(state, inject_id, role)
            if role not in after:
                patch = Patch("remove", group)
            elif role not in before:
                patch = Patch("insert", group, "actor-cues")
            else:
                patch = Patch("replace", group)
            out.add(actor_audience(role), patch)

    def _release_step(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        inject_id = str(event.data["inject"])
        teams = _teams(event, state)
        for team in teams:
            release = state.releases[inject_id, team]
            view = team_inject_view(state, release)
            if event.type == EventType.INJECT_RELEASED:
                out.add(team_audience(team), Patch("insert", view, "team-injects", "afterbegin"))
                out.receipt(team_audience(team), inject_id)
            else:
                out.add(team_audience(team), Patch("replace", view))
        # a trigger may have scheduled the injects waiting on this one
        self._schedule_changed(state, [inject_id, *state.dependents.get(inject_id, [])], out)

    def _schedule(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        self._schedule_changed(state, [str(event.data["inject"])], out)

    def _schedule_changed(
        self, state: ExerciseState, injects: Iterable[str], out: _Collector
    ) -> None:
        for inject_id in injects:
            out.all_control(Patch("replace", control_inject_view(state, inject_id)))
            for role in sorted(self._cue_roles.get(inject_id, ())):
                out.add(
                    actor_audience(role), Patch("replace", cue_group_view(state, inject_id, role))
                )

    def _cue_status(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        cue = state.cues[str(event.data["cue"])]
        out.all_control(Patch("replace", control_inject_view(state, cue.inject)))
        if cue.role in self._cue_roles.get(cue.inject, ()):
            group = cue_group_view(state, cue.inject, cue.role)
            out.add(actor_audience(cue.role), Patch("replace", group))

    def _request(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        request = state.requests[str(event.data["request"])]
        audience = team_audience(request.team)
        if event.type == EventType.REQUEST_SENT:
            item = control_request_view(state, request)
            out.all_control(Patch("insert", item, "simcell-requests"))
            out.add(audience, Patch("insert", team_request_view(state, request), "team-requests"))
            return
        out.all_control(Patch("replace", control_request_view(state, request)))
        out.add(audience, Patch("replace", team_request_view(state, request)))
        if event.type == EventType.REQUEST_ANSWERED and request.answer_inject is not None:
            inject_id = request.answer_inject
            row = control_inject_view(state, inject_id)
            out.all_control(Patch("insert", row, "control-injects"))
            card = team_inject_view(state, state.releases[inject_id, request.team])
            out.add(audience, Patch("insert", card, "team-injects", "afterbegin"))
            out.receipt(audience, inject_id)

    def _device(self, event: Event, state: ExerciseState, out: _Collector) -> None:
        view = device_view(state, str(event.data["device"]))
        if event.type == EventType.DEVICE_JOINED:
            out.all_control(Patch("insert", view, "devices"))
        else:
            out.all_control(Patch("replace", view))


class _Collector:
    def __init__(self) -> None:
        self._patches: dict[str, list[Patch]] = {}
        self._receipts: dict[str, list[str]] = {}

    def add(self, audience: str, patch: Patch) -> None:
        self._patches.setdefault(audience, []).append(patch)

    def all_control(self, patch: Patch) -> None:
        for audience in SEES_ALL:
            self.add(audience, patch)

    def receipt(self, audience: str, inject: str) -> None:
        self._receipts.setdefault(audience, []).append(inject)

    def updates(self) -> dict[str, Update]:
        return {
            audience: Update(tuple(patches), tuple(self._receipts.get(audience, ())))
            for audience, patches in self._patches.items()
        }


_Route = Callable[[Audiences, Event, ExerciseState, _Collector], None]
_ROUTES: dict[str, _Route] = {
    **{t: Audiences._clock for t in CLOCK_EVENTS},
    EventType.CREATED: Audiences._created,
    EventType.INJECT_CREATED: Audiences._inject_created,
    EventType.INJECT_EDITED: Audiences._inject_edited,
    **{t: Audiences._release_step for t in RELEASE_STEPS},
    **{t: Audiences._schedule for t in SCHEDULE_CHANGES},
    EventType.CUE_STATUS: Audiences._cue_status,
    EventType.REQUEST_SENT: Audiences._request,
    EventType.REQUEST_CLAIMED: Audiences._request,
    EventType.REQUEST_ANSWERED: Audiences._request,
    **{t: Audiences._device for t in DEVICE_EVENTS},
}


def _cue_roles(inject: Inject) -> frozenset[str]:
    return frozenset(cue.role for cue in inject.cues)


def _teams(event: Event, state: ExerciseState) -> list[str]:
    teams = event.data.get("teams")
    if teams:
        return [str(t) for t in teams]
    if "team" in event.data:
        return [str(event.data["team"])]
    return state.recipients(str(event.data["inject"]))


# -- whole views ---------------------------------------------------------------------------


def current_view(state: ExerciseState, audience: str) -> FullView:
    """Everything ``audience`` may see now: what a page renders, and the ``snapshot`` frame."""
    kind, name = split(audience)
    if audience in (CONTROL, OBSERVER):
        injects = sorted(state.injects, key=lambda i: (_sort_due(state, i), i))
        return FullView(
            kind="control" if audience == CONTROL else "observer",
            clock=control_clock_view(state),
            injects=tuple(control_inject_view(state, i) for i in injects),
            requests=tuple(control_request_view(state, r) for r in state.requests.values()),
            devices=tuple(device_view(state, d) for d in state.devices),
        )
    if kind == "team" and name in state.scenario.team_ids:
        released = state.released_to(name)
        return FullView(
            kind="team",
            clock=clock_view(state),
            injects=tuple(team_inject_view(state, r) for r in reversed(released)),
            requests=tuple(
                team_request_view(state, r) for r in state.requests.values() if r.team == name
            ),
            receipt=tuple(r.inject for r in released if r.delivered_at is None),
        )
    role = next((r for r in state.scenario.roles if r.id == name), None)
    if kind == "actor" and role is not None:
        mine = [i for i, inject in state.injects.items() if name in _cue_roles(inject)]
        mine.sort(key=lambda i: (_sort_due(state, i), i))
        return FullView(
            kind="actor",
            clock=clock_view(state),
            role=ActorRoleView(role.id, role.character, role.description, role.private_notes),
            cues=tuple(cue_group_view(state, i, name) for i in mine),
        )
    raise KeyError(audience)


def _sort_due(state: ExerciseState, inject_id: str) -> float:
    dues = [r.due for r in state.releases_of(inject_id) if r.due is not None]
    return min(dues) if dues else float("inf")


# -- view builders -------------------------------------------------------------------------


def clock_view(state: ExerciseState) -> ClockView:
    clock = state.clock
    return ClockView(clock.phase.value, clock.anchor_scenario, clock.anchor_wall, clock.speed)


def control_clock_view(state: ExerciseState) -> ControlClockView:
    clock = state.clock
    return ControlClockView(
        clock.phase.value,
        clock.anchor_scenario,
        clock.anchor_wall,
        clock.speed,
        clock.releases_paused,
        clock.hold_reason,
    )


def team_inject_view(state: ExerciseState, release: TeamRelease) -> TeamInjectView:
    """A released inject as its team sees it (raises if it was not released to that team)."""
    if release.released_at is None:
        raise ValueError(f"inject {release.inject} is not released to {release.team}")
    inject = state.injects[release.inject]
    return TeamInjectView(
        inject=inject.id,
        version=state.versions[inject.id],
        channel=inject.channel.value,
        sender=inject.sender,
        title=inject.title,
        body=inject.body,
        attachments=tuple(inject.attachments),
        released_at=release.released_at,
        status=release.status(state.started).value,
    )


def team_request_view(state: ExerciseState, request: Request) -> TeamRequestView:
    kind = next((k for k in state.scenario.requests if k.id == request.kind), None)
    status: Literal["sent", "in-progress", "answered"] = "sent"
    if request.answered_at is not None:
        status = "answered"
    elif request.claimed_by is not None:
        status = "in-progress"
    return TeamRequestView(
        request=request.id,
        kind_title=kind.title if kind is not None else None,
        text=request.text,
        sent_at=request.sent_at,
        status=status,
        answer_inject=request.answer_inject,
        answer=request.answer_text or None,
    )


def cue_group_view(state: ExerciseState, inject_id: str, role: str) -> CueGroupView:
    """``role``'s cues on one inject, with the inject's timing (never its content)."""
    inject = state.injects[inject_id]
    releases = state.releases_of(inject_id)
    inject_state, due = _inject_timing(state, releases)
    character = next((r.character for r in state.scenario.roles if r.id == role), {})
    cards = []
    for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True):
        if cue.role != role:
            continue
        tracked = state.cues.get(cue_id)
        status = tracked.status if tracked is not None and tracked.role == role else None
        cards.append(
            CueCardView(
                cue=cue_id,
                character=character,
                where=cue.where,
                when=None if due is None else due + cue.offset_seconds,
                offset=cue.offset,
                knows=cue.knows,
                reveals=tuple(RevealView(r.what, r.condition) for r in cue.reveals),
                emotion=cue.emotion,
                props=tuple(cue.props),
                status=(status or CueStatus.WAITING).value,
            )
        )
    return CueGroupView(inject_id, inject_state, due, tuple(cards))


def _inject_timing(state: ExerciseState, releases: list[TeamRelease]) -> tuple[str, float | None]:
    released = [r for r in releases if r.released_at is not None]
    if released:
        dues = [r.due for r in released if r.due is not None]
        return "released", min(dues) if dues else None
    live = [r for r in releases if not r.cancelled]
    if not live:
        return "cancelled", None
    dues = [r.due for r in live if r.due is not None]
    due = min(dues) if dues else None
    if any(r.held for r in live):
        return "held", due
    if due is not None and state.started:
        return "scheduled", due
    return "planned", due


def control_inject_view(state: ExerciseState, inject_id: str) -> ControlInjectView:
    inject = state.injects[inject_id]
    releases = tuple(
        ReleaseView(
            team=r.team,
            status=r.status(state.started).value,
            due=r.due,
            late=r.late,
            released_at=r.released_at,
            delivered_at=r.delivered_at,
            acknowledged_at=r.acknowledged_at,
            released_scenario=r.released_scenario,
            delivered_scenario=r.delivered_scenario,
            acknowledged_scenario=r.acknowledged_scenario,
        )
        for r in state.releases_of(inject_id)
    )
    cues = tuple(
        CueStatusView(cue_id, cue.role, _cue_status(state, cue_id))
        for cue_id, cue in zip(inject.cue_ids(), inject.cues, strict=True)
    )
    return ControlInjectView(inject, state.versions[inject_id], releases, cues)


def _cue_status(state: ExerciseState, cue_id: str) -> str:
    tracked = state.cues.get(cue_id)
    return (tracked.status if tracked is not None else CueStatus.WAITING).value


def control_request_view(state: ExerciseState, request: Request) -> ControlRequestView:
    scenario = state.scenario
    team = next((t for t in scenario.teams if t.id == request.team), None)
    kind = next((k for k in scenario.requests if k.id == request.kind), None)
    return ControlRequestView(
        request=request.id,
        team=request.team,
        team_name=team.name if team is not None else {},
        kind=request.kind,
        kind_title=kind.title if kind is not None else None,
        text=request.text,
        sent_at=request.sent_at,
        claimed_by=request.claimed_by,
        claimed_at=request.claimed_at,
        answered_by=request.answered_by,
        answered_at=request.answered_at,
        answer_inject=request.answer_inject,
    )


def device_view(state: ExerciseState, device_id: str) -> DeviceView:
    device = state.devices[device_id]
    scenario = state.scenario
    if device.team is not None:
        target_name = next((t.name for t in scenario.teams if t.id == device.team), {})
    else:
        target_name = next((r.character for r in scenario.roles if r.id == device.role), {})
    return DeviceView(
        device=device.id,
        name=device.name,
        team=device.team,
        role=device.role,
        revoked=device.revoked,
        joined_at=device.joined_at,
        target_name=target_name,
    )


def presence_view(state: ExerciseState, online: AbstractSet[str]) -> PresenceView:
    """Every team's and role's count of devices online, and each joined device's state."""
    live = [d for d in state.devices.values() if not d.revoked]
    counts: dict[str, int] = {}
    for device in live:
        if device.id in online:
            target = device_target(device.team, device.role)
            counts[target] = counts.get(target, 0) + 1
    targets = [team_audience(t) for t in state.scenario.team_ids]
    targets += [actor_audience(r.id) for r in state.scenario.roles]
    return PresenceView(
        targets=tuple(TargetPresence(t, counts.get(t, 0)) for t in targets),
        devices=tuple(DevicePresence(d.id, d.id in online) for d in live),
    )


def timeline_view(event: Event, state: ExerciseState) -> TimelineView:
    return TimelineView(
        seq=event.seq,
        type=event.type,
        at=event.at,
        scenario_time=state.clock.scenario_now(event.at),
        data=event.data,
    )
