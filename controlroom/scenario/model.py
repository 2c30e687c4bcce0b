"""The scenario schema, declared once: loading and error messages both come from it.

Design: docs/scenario.md. Every model forbids unknown keys so a typo is an error, not a
silently ignored field. Cross-references (unknown team, trigger cycles, missing
translations...) are checked after loading, in ``controlroom.scenario.checks``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from controlroom.scenario.time import parse_offset, parse_time

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
# Text in several languages: {"en": "...", "ru": "..."}. Markdown where a field says so.
LocalText = dict[Lang, Annotated[str, StringConstraints(min_length=1)]]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Channel(StrEnum):
    """How an inject reaches a team in the fiction."""

    PHONE_CALL = "phone-call"
    EMAIL = "email"
    LETTER = "letter"
    WALK_IN = "walk-in"
    FIELD_EVENT = "field-event"
    DOCUMENT_PACK = "document-pack"
    NEWS = "news"
    SOCIAL_POST = "social-post"
    SIMCELL_ANSWER = "simcell-answer"


class Agency(StrEnum):
    POLICE = "police"
    PROSECUTION = "prosecution"
    LABOUR_INSPECTION = "labour-inspection"
    BORDER_GUARD = "border-guard"
    MIGRATION = "migration"
    ASYLUM = "asylum"
    SOCIAL_SERVICES = "social-services"
    NGO = "ngo"
    JUDICIARY = "judiciary"
    HEALTH = "health"


class CaseKind(StrEnum):
    SEXUAL_EXPLOITATION = "sexual-exploitation"
    FORCED_LABOUR = "forced-labour"
    FORCED_CRIMINALITY = "forced-criminality"
    MIGRANT_SMUGGLING = "migrant-smuggling"
    OTHER = "other"


class Team(Strict):
    id: Id
    name: LocalText
    country: LocalText
    agencies: list[Agency] = Field(min_length=1)


class Role(Strict):
    """An actor's role: the character a professional actor plays."""

    id: Id
    character: LocalText
    description: LocalText
    private_notes: LocalText | None = None


class Case(Strict):
    """A storyline: a thread of injects."""

    id: Id
    title: LocalText
    kind: CaseKind
    summary: LocalText | None = None


class Task(Strict):
    id: Id
    title: LocalText


class Objective(Strict):
    """A learning objective; observers rate its critical tasks P / S / M / U."""

    id: Id
    title: LocalText
    tasks: list[Task] = []


class PreparedAnswer(Strict):
    id: Id
    text: LocalText


class RequestKind(Strict):
    """Something teams can ask of the fictional world, with control's prepared answers."""

    id: Id
    title: LocalText
    description: LocalText | None = None
    answers: list[PreparedAnswer] = []


class Reveal(Strict):
    what: LocalText
    condition: LocalText


class Cue(Strict):
    """What an actor does around an inject: where, when, who they are, what they reveal."""

    id: Id | None = None  # defaults to "<inject id>.<n>" (see Inject.cue_ids)
    role: Id
    where: LocalText
    offset: str = "-10m"  # when, relative to the inject's release: "-15m" is 15 min before
    knows: LocalText
    reveals: list[Reveal] = []
    emotion: LocalText
    props: list[LocalText] = []

    @field_validator("offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        parse_offset(value)
        return value

    @cached_property
    def offset_seconds(self) -> int:
        return parse_offset(self.offset)


class AfterTrigger(Strict):
    """Release when another inject reaches a state for the same team (plus a delay)."""

    after: Id
    state: Literal["released", "delivered", "acknowledged"] = "acknowledged"
    delay: str = "0m"

    @field_validator("delay")
    @classmethod
    def _delay(cls, value: str) -> str:
        if parse_offset(value) < 0:
            raise ValueError("delay must not be negative")
        return value

    @cached_property
    def delay_seconds(self) -> int:
        return parse_offset(self.delay)


class Inject(Strict):
    id: Id
    case: Id | None = None
    at: str | None = None  # scenario time "D2 10:15"; or a trigger
    trigger: Literal["manual"] | AfterTrigger | None = None
    channel: Channel
    sender: LocalText = Field(alias="from")
    to: Literal["all"] | list[Id] = Field(min_length=1)
    title: LocalText
    body: LocalText  # Markdown
    attachments: list[str] = []  # paths relative to the scenario's attachments/ folder
    cues: list[Cue] = []
    expected_actions: list[LocalText] = []
    objectives: list[Id] = []
    controller: str | None = None  # the responsible controller
    notes: LocalText | None = None  # controller-only: never reaches a team or an actor

    @field_validator("at")
    @classmethod
    def _at(cls, value: str | None) -> str | None:
        if value is not None:
            parse_time(value)
        return value

    @cached_property
    def at_seconds(self) -> int | None:
        return None if self.at is None else parse_time(self.at)

    def cue_ids(self) -> list[str]:
        return [cue.id or f"{self.id}.{n}" for n, cue in enumerate(self.cues, start=1)]


class ScenarioFile(Strict):
    """``scenario.yaml``: everything but the injects, which live in ``injects/*.yaml``."""

    title: LocalText
    languages: list[Lang] = Field(min_length=1)  # the first is the original language
    setting: LocalText  # Markdown: the fictional world
    days: int = Field(ge=1, le=14)
    start: str = "D1 09:00"  # scenario time at STARTEX
    teams: list[Team] = Field(min_length=1)
    roles: list[Role] = []
    cases: list[Case] = []
    objectives: list[Objective] = []
    requests: list[RequestKind] = []

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        parse_time(value)
        return value


class InjectFile(Strict):
    """One file of ``injects/*.yaml``: a list of injects (one case or one day per file)."""

    injects: list[Inject] = []


class Scenario(ScenarioFile):
    """A whole scenario: ``scenario.yaml`` plus every inject file, after checks."""

    id: Id
    injects: list[Inject] = []

    @cached_property
    def start_seconds(self) -> int:
        return parse_time(self.start)

    @cached_property
    def team_ids(self) -> list[str]:
        return [team.id for team in self.teams]

    @cached_property
    def injects_by_id(self) -> dict[str, Inject]:
        return {inject.id: inject for inject in self.injects}

    def recipients(self, inject: Inject) -> list[str]:
        """The team ids an inject goes to (``to: all`` expanded)."""
        return list(self.team_ids) if inject.to == "all" else list(inject.to)

    @property
    def original_language(self) -> str:
        return self.languages[0]
