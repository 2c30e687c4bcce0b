"""Teams answer back: a team's reply to an inject (text and files), control's answer to it.

Design: docs/exercise.md ("Replies") and docs/devices.md (the team's side). A reply is tied to
an inject its team received; it lands in the SimCell queue, where control answers it in the
same thread and observers rate it (an ``ObservationAdded`` naming the reply). The files'
bytes are never in the journal: a reply names each file by its id in the file store
(``controlroom.files``) with its size, its type as sniffed from its content, its sha256 and
its cleaned display name.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from controlroom.exercise.payload import ActionId, EventType, Payload, TappedAt

FileId = str  # 32 lower-case hex characters (controlroom.files.blobs.FILE_ID)
MAX_FILES = 5  # files one reply may carry


class ReplyKind(StrEnum):
    REPLY = "reply"  # an answer to the inject (a letter, the document they drafted)
    ACTION = "action"  # what the team did about it ("we sent a patrol")


class ReplyFile(BaseModel):
    """A file a reply carries, as the journal knows it (never its bytes)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    id: FileId = Field(pattern=r"^[0-9a-f]{32}$")
    name: str = Field(min_length=1, max_length=120)
    type: str  # sniffed: application/pdf, image/jpeg, image/png
    size: int = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ReplySent(Payload):
    TYPE = EventType.REPLY_SENT
    reply: str  # A001, A002... (the thread's first message)
    team: str
    inject: str
    kind: ReplyKind = ReplyKind.REPLY
    text: str = ""
    files: tuple[ReplyFile, ...] = Field(default=(), max_length=MAX_FILES)
    device: str = ""
    action: ActionId | None = None
    tapped_at: TappedAt = None  # when it was tapped (tap_time); ``at``: received


class ReplyAnswered(Payload):
    """Control's answer in a reply's thread (it reaches only the reply's team)."""

    TYPE = EventType.REPLY_ANSWERED
    reply: str
    text: str
    by: str = ""
