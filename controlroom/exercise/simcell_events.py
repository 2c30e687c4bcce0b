"""The SimCell's events: teams' requests to the outside world, claims, answers, assignments.

Design: docs/exercise.md (the vocabulary) and docs/console.md (the SimCell queue).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field, field_serializer

from controlroom.exercise.payload import ActionId, EventType, Payload, TappedAt, Teams, Text
from controlroom.scenario.model import Attachment, Channel


class RequestSent(Payload):
    TYPE = EventType.REQUEST_SENT
    request: str
    team: str
    kind: str | None = None
    text: str = ""
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when it was tapped (tap_time); ``at``: received


class RequestClaimed(Payload):
    """A controller claims a request; ``took_over_from`` names the controller who had it."""

    TYPE = EventType.REQUEST_CLAIMED
    request: str
    by: str = ""
    took_over_from: str | None = None


# The sender of an answer with no sender of its own, in each interface language (scenario
# text, so it is named here, not in the interface's catalogues).
SIMCELL_SENDER = {"en": "SimCell", "ru": "Группа имитации"}


def simcell_sender(languages: Iterable[str]) -> dict[str, str]:
    return {lang: SIMCELL_SENDER.get(lang, SIMCELL_SENDER["en"]) for lang in languages}


class RequestAnswered(Payload):
    """Control's answer; it becomes an answer inject for the team in the same event.

    The inject is released at once, or, when the request type asks for a least delay and
    ``due`` (scenario seconds) is still to come, scheduled for ``due``: the release clock
    releases it then (scenario time stops in a hold, so a hold delays it too).
    """

    TYPE = EventType.REQUEST_ANSWERED
    request: str
    answer: str | None = None  # a prepared answer's id
    text: Text
    title: Text = Field(default_factory=dict)  # older journals: the request's id
    sender: Text = Field(
        default_factory=dict
    )  # who answers in the fiction; older journals: "SimCell"
    channel: Channel = Channel.SIMCELL_ANSWER  # how the answer reaches the team
    attachments: tuple[Attachment, ...] = ()  # the prepared answer's files
    due: float | None = None  # scenario seconds: not before (the request type's delay)
    by: str = ""

    @field_serializer("attachments")
    def _attachments(self, attachments: tuple[Attachment, ...]) -> Any:
        return [a.model_dump(mode="json", exclude_none=True) for a in attachments]


class ControllerAssigned(Payload):
    """A controller's teams and cases (replacing the earlier ones; none: unassigned)."""

    TYPE = EventType.CONTROLLER_ASSIGNED
    controller: str = Field(min_length=1, max_length=64)
    teams: Teams = ()
    cases: tuple[str, ...] = ()
    by: str = ""
