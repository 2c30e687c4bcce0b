"""The audience filter, in one place: who may see what of each event. Design: docs/delivery.md.

Audiences are ``control`` (director and controllers), ``observer``, ``team:<id>`` and
``actor:<role>``. ``Audiences.route`` turns one folded event (and the state after it) into
an ``Update`` for each audience concerned; ``current_view`` is an audience's whole view.
Both build only the view objects of ``controlroom.delivery.views``, with the builders of
``controlroom.delivery.projections``:

* a team gets its own released injects (current version: channel, sender, title, body,
  attachments) with their delivery and acknowledgement status, its own requests and
  control's answers (a SimCell-answer inject), its own replies to injects with control's
  answers in their threads (never who in control wrote them), and the clock's phase; never
  controller notes, expected actions, cues, objectives, other teams' injects or unreleased injects;
* an actor gets the cue cards of its own role (where, when, character, knows, reveals,
  emotion, props and status), the timing and state of the inject a cue belongs to but not
  its content, its own role's notes, and the clock's phase;
* an actor also gets its own role's STOP and call alerts and who saw them; teams never;
* control and observers get everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from controlroom.access.identity import actor_audience, team_audience
from controlroom.access.permissions import Audience
from controlroom.delivery.pacing_views import team_paces_view
from controlroom.delivery.projections import (
    clock_view,
    control_clock_view,
    control_inject_view,
    control_request_view,
    cue_group_view,
    device_view,
    sort_due,
    team_inject_view,
    team_inject_views,
    team_request_view,
    timeline_view,
)
from controlroom.delivery.reply_views import control_reply_view, team_replies, team_reply_view
from controlroom.delivery.safety_views import (
    actor_safety_view,
    open_alerts,
    role_alerts,
    safety_alert_view,
)
from controlroom.delivery.views import (
    ActorRoleView,
    FullView,
    Patch,
    Update,
)
from controlroom.exercise.events import (
    CLOCK_EVENTS,
    CueReported,
    DeviceJoined,
    DeviceRenamed,
    DeviceRevoked,
    EventType,
    Fact,
    InjectAcknowledged,
    InjectCreated,
    InjectDelivered,
    InjectEdited,
    InjectReleased,
    ObservationAdded,
    ObservationCorrected,
    ObservationWithdrawn,
    ReplyAnswered,
    ReplySent,
    RequestAnswered,
    RequestClaimed,
    RequestSent,
    RevealMarked,
    SafetyAutohold,
    SafetyCalled,
    SafetySeen,
    SafetyStopped,
    TeamHeld,
    TeamResumed,
    TeamShifted,
)
from controlroom.exercise.state import ExerciseState, Request
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
PACING_EVENTS = frozenset({EventType.TEAM_HELD, EventType.TEAM_RESUMED, EventType.TEAM_SHIFTED})
SAFETY_EVENTS = frozenset(
    {
        EventType.SAFETY_STOP,
        EventType.SAFETY_CALL,
        EventType.SAFETY_SEEN,
        EventType.SAFETY_AUTOHOLD,
    }
)


def audiences_of(state: ExerciseState) -> list[str]:
    """Every audience of an exercise."""
    return [
        *SEES_ALL,
        *(team_audience(t) for t in state.scenario.team_ids),
        *(actor_audience(r.id) for r in state.scenario.roles),
    ]


def split(audience: str) -> tuple[str, str]:
    """``"team:police"`` -> ``("team", "police")``; ``"control"`` -> ``("control", "")``.

    Parsed by ``Audience.parse`` (``access.permissions``), the one place audiences are read.
    """
    try:
        parsed = Audience.parse(audience)
    except ValueError:
        return "", ""
    return parsed.kind.value, parsed.name


class Audiences:
    """Routes each folded event of one exercise to the audiences allowed to see it.

    It remembers which actor roles have cues on each inject (as of the last event routed), so
    that an edit which takes a cue away from a role removes that role's card.
    """

    def __init__(self, state: ExerciseState) -> None:
        self._cue_roles = {i: _cue_roles(inject) for i, inject in state.injects.items()}

    def route(self, event: Fact, state: ExerciseState) -> dict[str, Update]:
        """Each concerned audience's ``Update`` for ``event`` (``state`` is the state after it)."""
        out = _Collector()
        out.all_control(Patch("insert", timeline_view(event, state), "timeline", "afterbegin"))
        handler = _ROUTES.get(event.type)
        if handler is not None:
            handler(self, event, state, out)
        return out.updates()

    # -- handlers (one per kind of event) ----------------------------------------------------

    def _clock(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        out.all_control(Patch("replace", control_clock_view(state)))
        out.all_control(Patch("replace", team_paces_view(state)))
        public = Patch("replace", clock_view(state))
        for team in state.scenario.team_ids:  # each team its own time (its pace)
            out.add(team_audience(team), Patch("replace", clock_view(state, team)))
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

    def _created(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        out.all_control(Patch("replace", control_clock_view(state)))

    def _inject_created(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        assert isinstance(event.payload, InjectCreated)
        inject_id = event.payload.inject.id
        out.all_control(Patch("insert", control_inject_view(state, inject_id), "control-injects"))
        roles = _cue_roles(state.injects[inject_id])
        self._cue_roles[inject_id] = roles
        for role in sorted(roles):
            group = cue_group_view(state, inject_id, role)
            out.add(actor_audience(role), Patch("insert", group, "actor-cues"))

    def _inject_edited(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        assert isinstance(event.payload, InjectEdited)
        inject_id = event.payload.inject
        out.all_control(Patch("replace", control_inject_view(state, inject_id)))
        for release in state.releases_of(inject_id):
            if release.released_at is not None:
                view = team_inject_view(state, release)
                out.add(team_audience(release.team), Patch("replace", view))
        if "cues" not in event.payload.changes:
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

    def _release_step(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        payload = event.payload
        assert isinstance(payload, InjectReleased | InjectDelivered | InjectAcknowledged)
        inject_id = payload.inject
        teams = _teams(payload, state)
        released = event.type == EventType.INJECT_RELEASED
        answered = _answered_by(state, inject_id) if released else None
        views = team_inject_views(state, [state.releases[inject_id, team] for team in teams])
        for team, view in zip(teams, views, strict=True):
            audience = team_audience(team)
            if released:
                out.add(audience, Patch("insert", view, "team-injects", "afterbegin"))
                out.receipt(audience, inject_id)
                if answered is not None:  # a delayed answer arrives: the request shows it
                    out.add(audience, Patch("replace", team_request_view(state, answered)))
            else:
                out.add(audience, Patch("replace", view))
        # a trigger may have scheduled the injects waiting on this one
        self._schedule_changed(state, [inject_id, *state.dependents.get(inject_id, [])], out)

    def _schedule(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        inject = getattr(event.payload, "inject", None)
        if isinstance(inject, str):
            self._schedule_changed(state, [inject], out)

    def _schedule_changed(
        self, state: ExerciseState, injects: Iterable[str], out: _Collector
    ) -> None:
        for inject_id in injects:
            out.all_control(Patch("replace", control_inject_view(state, inject_id)))
            for role in sorted(self._cue_roles.get(inject_id, ())):
                out.add(
                    actor_audience(role), Patch("replace", cue_group_view(state, inject_id, role))
                )

    def _team_pace(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        """A team held, resumed or shifted: only what its pace changes. Control's lane of
        the team (its time, offset, hold), the team's own clock, and the actors' cards of
        the injects still to come to the team (their time moves, "the time will move" while
        held). An inject already released to the team keeps its time, and a control row
        shows no pace (the plan's time, release states), so neither is sent again."""
        assert isinstance(event.payload, TeamHeld | TeamResumed | TeamShifted)
        team = event.payload.team
        out.all_control(Patch("replace", team_paces_view(state)))
        out.add(team_audience(team), Patch("replace", clock_view(state, team)))
        for inject_id in state.injects:
            release = state.releases.get((inject_id, team))
            if release is None or release.released_at is not None:
                continue
            for role in sorted(self._cue_roles.get(inject_id, ())):
                group = cue_group_view(state, inject_id, role)
                out.add(actor_audience(role), Patch("replace", group))

    def _cue_status(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        assert isinstance(event.payload, CueReported | RevealMarked)
        cue = state.cues[event.payload.cue]
        out.all_control(Patch("replace", control_inject_view(state, cue.inject)))
        if cue.role in self._cue_roles.get(cue.inject, ()):
            group = cue_group_view(state, cue.inject, cue.role)
            out.add(actor_audience(cue.role), Patch("replace", group))

    def _request(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        assert isinstance(event.payload, RequestSent | RequestClaimed | RequestAnswered)
        request = state.requests[event.payload.request]
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
            release = state.releases[inject_id, request.team]
            if release.released_at is not None:  # else held for the request type's delay
                card = team_inject_view(state, release)
                out.add(audience, Patch("insert", card, "team-injects", "afterbegin"))
                out.receipt(audience, inject_id)

    def _reply(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        """A team's reply or control's answer: the team's thread and the SimCell queue."""
        assert isinstance(event.payload, ReplySent | ReplyAnswered)
        reply = state.replies[event.payload.reply]
        mine = team_audience(reply.team)
        row, card = control_reply_view(state, reply), team_reply_view(state, reply)
        if isinstance(event.payload, ReplySent):
            out.all_control(Patch("insert", row, "simcell-replies", "afterbegin"))
            out.add(mine, Patch("insert", card, "team-replies", "afterbegin"))
            # a ``state: replied`` trigger may have scheduled (or proposed) what waits on it
            waiting = [
                dependent
                for dependent in state.dependents.get(reply.inject, [])
                if getattr(state.injects[dependent].trigger, "state", None) == "replied"
            ]
            self._schedule_changed(state, waiting, out)
            return
        out.all_control(Patch("replace", row))
        out.add(mine, Patch("replace", card))

    def _observation(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        """An observation that rates a reply, corrected or withdrawn: the reply's row shows
        its ratings as they now stand (control only)."""
        payload = event.payload
        if isinstance(payload, ObservationAdded):
            rated = payload.reply
        else:
            assert isinstance(payload, ObservationCorrected | ObservationWithdrawn)
            note = state.observations.get(payload.observation)
            rated = note.reply if note is not None else None
        reply = state.replies.get(rated or "")
        if reply is not None:
            out.all_control(Patch("replace", control_reply_view(state, reply)))

    def _safety(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        """A STOP or a call: every console's blocking alert, the actor's own status."""
        payload = event.payload
        if isinstance(payload, SafetyAutohold):
            return
        assert isinstance(payload, SafetyStopped | SafetyCalled | SafetySeen)
        alert = state.safety[payload.alert]
        mine = actor_audience(alert.role)
        if isinstance(payload, SafetySeen):
            out.all_control(Patch("replace", safety_alert_view(state, alert.id)))
            out.add(mine, Patch("replace", actor_safety_view(state, alert.id)))
            return
        out.all_control(Patch("insert", safety_alert_view(state, alert.id), "safety-alerts"))
        out.add(
            mine, Patch("insert", actor_safety_view(state, alert.id), "actor-safety", "afterbegin")
        )
        self._schedule_changed(state, sorted({inject for inject, _ in alert.holds}), out)

    def _device(self, event: Fact, state: ExerciseState, out: _Collector) -> None:
        assert isinstance(event.payload, DeviceJoined | DeviceRenamed | DeviceRevoked)
        view = device_view(state, event.payload.device)
        if event.type == EventType.DEVICE_JOINED:
            out.all_control(Patch("insert", view, "devices"))
        else:
            out.all_control(Patch("replace", view))


def _answered_by(state: ExerciseState, inject: str) -> Request | None:
    """The request whose answer ``inject`` is (None for a scenario inject)."""
    if not inject.startswith("SIM-"):
        return None
    found = state.requests.get(inject.removeprefix("SIM-"))
    return found if found is not None and found.answer_inject == inject else None


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


_Route = Callable[[Audiences, Fact, ExerciseState, _Collector], None]
_ROUTES: dict[str, _Route] = {
    **{t: Audiences._clock for t in CLOCK_EVENTS},
    EventType.CREATED: Audiences._created,
    EventType.INJECT_CREATED: Audiences._inject_created,
    EventType.INJECT_EDITED: Audiences._inject_edited,
    **{t: Audiences._release_step for t in RELEASE_STEPS},
    **{t: Audiences._schedule for t in SCHEDULE_CHANGES},
    EventType.CUE_STATUS: Audiences._cue_status,
    EventType.REVEAL_MARKED: Audiences._cue_status,
    **{t: Audiences._team_pace for t in PACING_EVENTS},
    EventType.REQUEST_SENT: Audiences._request,
    EventType.REQUEST_CLAIMED: Audiences._request,
    EventType.REQUEST_ANSWERED: Audiences._request,
    EventType.REPLY_SENT: Audiences._reply,
    EventType.REPLY_ANSWERED: Audiences._reply,
    EventType.OBSERVATION_ADDED: Audiences._observation,
    EventType.OBSERVATION_CORRECTED: Audiences._observation,
    EventType.OBSERVATION_WITHDRAWN: Audiences._observation,
    **{t: Audiences._device for t in DEVICE_EVENTS},
    **{t: Audiences._safety for t in SAFETY_EVENTS},
}


def _cue_roles(inject: Inject) -> frozenset[str]:
    return frozenset(cue.role for cue in inject.cues)


def _teams(
    payload: InjectReleased | InjectDelivered | InjectAcknowledged, state: ExerciseState
) -> list[str]:
    if isinstance(payload, InjectReleased):
        return list(payload.teams) or state.recipients(payload.inject)
    return [payload.team]


# -- whole views ---------------------------------------------------------------------------


def current_view(state: ExerciseState, audience: str) -> FullView:
    """Everything ``audience`` may see now: what a page renders, and the ``snapshot`` frame."""
    kind, name = split(audience)
    if audience in (CONTROL, OBSERVER):
        injects = sorted(state.injects, key=lambda i: (sort_due(state, i), i))
        return FullView(
            kind="control" if audience == CONTROL else "observer",
            clock=control_clock_view(state),
            injects=tuple(control_inject_view(state, i) for i in injects),
            requests=tuple(control_request_view(state, r) for r in state.requests.values()),
            devices=tuple(device_view(state, d) for d in state.devices),
            safety=tuple(open_alerts(state)),
            paces=team_paces_view(state),
        )
    if kind == "team" and name in state.scenario.team_ids:
        released = state.released_to(name)
        return FullView(
            kind="team",
            clock=clock_view(state, name),
            injects=tuple(team_inject_view(state, r) for r in reversed(released)),
            requests=tuple(
                team_request_view(state, r) for r in state.requests.values() if r.team == name
            ),
            receipt=tuple(r.inject for r in released if r.delivered_at is None),
            replies=team_replies(state, name),
        )
    role = next((r for r in state.scenario.roles if r.id == name), None)
    if kind == "actor" and role is not None:
        mine = [i for i, inject in state.injects.items() if name in _cue_roles(inject)]
        mine.sort(key=lambda i: (sort_due(state, i), i))
        return FullView(
            kind="actor",
            clock=clock_view(state),
            role=ActorRoleView(role.id, role.character, role.description, role.private_notes),
            cues=tuple(cue_group_view(state, i, name) for i in mine),
            safety=role_alerts(state, name),
        )
    raise KeyError(audience)
