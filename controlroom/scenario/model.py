"""The scenario schema, declared once: loading and error messages both come from it.

Design: docs/scenario.md. Every model forbids unknown keys so a typo is an error, not a
silently ignored field. Cross-references (unknown team, trigger cycles, missing
translations...) are checked after loading, in ``controlroom.scenario.checks``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from functools import cached_property
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from controlroom.scenario.time import parse_offset, parse_time

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
# Text in several languages: {"en": "...", "ru": "..."}. Markdown where a field says so.
LocalText = dict[Lang, Annotated[str, StringConstraints(min_length=1)]]


def _not_negative(delay: str) -> str:
    if parse_offset(delay) < 0:
        raise ValueError("delay must not be negative")
    return delay


Delay = Annotated[str, AfterValidator(_not_negative)]  # scenario time to wait: "20m", "1h"


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


class Set(Strict):
    """A place in the venue where scenes are played: a flat, a border post, a building site."""

    id: Id
    name: LocalText
    notes: LocalText | None = None  # for control and actors: how to get there, what is in it


class Schedule(Strict):
    """How the actors' run sheet is checked (docs/scenario.md, "Sets and the run sheet").

    ``min_gap``: the least time between two scenes of one role (a character plays for one
    team after another and needs time to reset and walk over). ``scene``: how long a scene
    holds its set: another team's scene on that set sooner than this is a double booking.
    """

    min_gap: Delay = "10m"
    scene: Delay = "20m"

    @cached_property
    def min_gap_seconds(self) -> int:
        return parse_offset(self.min_gap)

    @cached_property
    def scene_seconds(self) -> int:
        return parse_offset(self.scene)


class Reveal(Strict):
    """What an actor may reveal, and when; ``id`` (default: its position from 1) names it
    in a trigger (``cue`` + ``reveal``) and when the actor marks it revealed."""

    id: Id | None = None
    what: LocalText
    condition: LocalText


class Cue(Strict):
    """What an actor does around an inject: where, when, who they are, what they reveal."""

    id: Id | None = None  # defaults to "<inject id>.<n>" (see Inject.cue_ids)
    role: Id
    set: Id | None = None  # the set (scenario.yaml ``sets``) the scene is played on
    shared: bool = False  # one scene for all the inject's teams at once (a press line)
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
    """Release when another inject reaches a state for the same team (plus a delay).

    ``replied``: when the team first replies to the earlier inject (a written reply or a
    reported action); what players do, so like a player trigger it may never come and may
    take ``confirm: true`` (a proposed release that control approves).
    """

    after: Id
    state: Literal["released", "delivered", "acknowledged", "replied"] = "acknowledged"
    delay: Delay = "0m"
    confirm: bool = False

    @field_validator("confirm")
    @classmethod
    def _confirm_on_reply(cls, value: bool, info: ValidationInfo) -> bool:
        # reported at ``confirm`` (``state`` is validated before it)
        if value and info.data.get("state", "replied") != "replied":  # absent: a bad state
            raise ValueError("'confirm' goes with state: replied (or a trigger on what players do)")
        return value

    @cached_property
    def delay_seconds(self) -> int:
        return parse_offset(self.delay)


class PlayerTrigger(Strict):
    """Release when a team does something, to that team (once), plus a delay.

    Exactly one of: ``request`` (a request type; ``on`` sent or answered, optionally with
    one prepared ``answer``), ``cue`` (an actor's cue is done for a team, or with ``reveal``
    the actor marked that reveal of the cue for a team: to that team), ``task`` (an observer
    rates the task for a team with one of ``ratings``).
    ``confirm: true`` makes it a proposed release that control approves with one click.
    """

    request: Id | None = None
    on: Literal["sent", "answered"] = "answered"
    answer: Id | None = None
    cue: str | None = None
    reveal: Id | None = None  # with ``cue``: a reveal's id (or its position from 1)
    task: Id | None = None
    ratings: list[Literal["P", "S", "M", "U"]] = []
    delay: Delay = "0m"
    confirm: bool = False

    @model_validator(mode="after")
    def _one_thing(self) -> PlayerTrigger:
        if sum(x is not None for x in (self.request, self.cue, self.task)) != 1:
            raise ValueError("a trigger waits for one of: after, request, cue, task")
        if self.answer is not None and (self.request is None or self.on != "answered"):
            raise ValueError("'answer' goes with 'request' (on: answered)")
        if self.reveal is not None and self.cue is None:
            raise ValueError("'reveal' goes with 'cue'")
        if self.task is None and self.ratings:
            raise ValueError("'ratings' go with 'task'")
        return self

    @cached_property
    def delay_seconds(self) -> int:
        return parse_offset(self.delay)


def _trigger_kind(value: Any) -> str:
    """Which trigger a mapping is: ``after`` another inject, else what players do."""
    if isinstance(value, Mapping):
        return "after-trigger" if "after" in value else "player-trigger"
    return "player-trigger" if isinstance(value, PlayerTrigger) else "after-trigger"


Trigger = Annotated[
    # the tags are no scenario key, so error locations in a file skip them
    Annotated[AfterTrigger, Tag("after-trigger")] | Annotated[PlayerTrigger, Tag("player-trigger")],
    Discriminator(_trigger_kind),
]


class Attachment(Strict):
    """A document handed to the team with an inject: a title and a file per language.

    ``files`` maps a language to a file (a path inside the scenario's ``attachments/``
    folder); ``file`` is one file for every language (a photo, a scan). A device reads the
    file in its own language, else ``file``, else the original language's file, marked as
    such. ``id`` names the attachment in links; it defaults to the first per-language
    file's name without its language and extension (``bus-manifest`` for
    ``bus-manifest.en.md``), else to the one ``file``'s name, as links had it before.

    The old form, a bare file name (``attachments: [bus-manifest.en.md]``), still loads,
    as an attachment with that one file: scenario files and journals written before
    attachments had languages keep working.
    """

    id: Id | None = None
    title: LocalText | None = None  # shown instead of the file name
    file: str | None = None  # for every language
    files: dict[Lang, Annotated[str, StringConstraints(min_length=1)]] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"file": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _has_a_file(self) -> Attachment:
        if not self.file and not self.files:
            raise ValueError("an attachment needs a file, or files per language")
        return self

    @property
    def key(self) -> str:
        """The attachment's name in links and in ``Inject.attachments`` references."""
        if self.id is not None:
            return self.id
        if self.files:
            return attachment_key(next(iter(self.files.values())))
        return self.file or ""

    def names(self) -> list[str]:
        """Every file of the attachment (``file`` first, then by language)."""
        return ([self.file] if self.file else []) + [
            name for name in self.files.values() if name != self.file
        ]

    def file_for(self, language: str, original: str) -> tuple[str, str]:
        """The file a reader of ``language`` gets, and the language it is in when that is
        not ``language`` (``""`` when it is, or when the file is for every language)."""
        if language in self.files:
            return self.files[language], ""
        if self.file:
            return self.file, ""
        if original in self.files:
            return self.files[original], original
        lang, name = next(iter(self.files.items()))
        return name, lang


_LANGUAGE_SUFFIX = re.compile(r"\.[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def attachment_key(name: str) -> str:
    """An attachment id from a file name: ``docs/bus-manifest.en.md`` -> ``bus-manifest``."""
    path = PurePosixPath(name.replace("\\", "/"))
    stem = _LANGUAGE_SUFFIX.sub("", path.stem) if path.suffix else path.name
    key = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:64]
    return key or "attachment"


class PreparedAnswer(Strict):
    """A prepared answer; ``consequential`` ones (a warrant, a shelter place) ask to confirm."""

    id: Id
    text: LocalText
    sender: LocalText | None = None  # who answers, when not the request type's sender
    attachments: list[Attachment] = []  # files in the scenario's attachments/ folder
    consequential: bool = False


class RequestKind(Strict):
    """Something teams can ask of the fictional world, with control's prepared answers.

    ``sender`` is who answers in the fiction ("Embassy of Sarvan") and ``channel`` how the
    answer reaches the team; ``delay`` is the least scenario time between the request and its
    answer ("20m"): an answer sent sooner is held until then (scenario time stops in a hold).
    """

    id: Id
    title: LocalText
    description: LocalText | None = None
    sender: LocalText | None = None
    channel: Channel = Channel.SIMCELL_ANSWER
    delay: Delay = "0m"
    answers: list[PreparedAnswer] = []

    @cached_property
    def delay_seconds(self) -> int:
        return parse_offset(self.delay)


class Inject(Strict):
    id: Id
    case: Id | None = None
    at: str | None = None  # scenario time "D2 10:15"; or a trigger
    trigger: Literal["manual"] | Trigger | None = None
    channel: Channel
    sender: LocalText = Field(alias="from")
    to: Literal["all"] | list[Id] = Field(min_length=1)
    title: LocalText
    body: LocalText  # Markdown
    attachments: list[Attachment] = []  # files in the scenario's attachments/ folder
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
    sets: list[Set] = []
    schedule: Schedule = Schedule()

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
