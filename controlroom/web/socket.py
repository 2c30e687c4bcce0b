"""``/exercises/{exercise}/socket``: a device's live connection. Protocol: docs/protocol.md.

Design: docs/delivery.md. The handshake is checked before it
is accepted (Origin, exercise, identity); then the client resumes, and the socket carries
its audience's frames out and its resume, heartbeats, acknowledgements, receipts and cue
reports in. Every decision about what the socket may see is the feed's (the audience
filter); this endpoint only speaks the protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from controlroom.access.identity import Identity
from controlroom.access.permissions import DIRECTING, STAFF
from controlroom.delivery.connection import CloseCode, Connection, SocketState
from controlroom.delivery.frames import done_frame, error_frame, hello_frame, pong_frame
from controlroom.delivery.hub import ExerciseFeed
from controlroom.delivery.messages import (
    Ack,
    AskControl,
    BadMessage,
    ClientMessage,
    CueReport,
    Language,
    Observe,
    Ping,
    ReplyMessage,
    Resume,
    RevealReport,
    Safety,
    Seen,
    Withdraw,
    parse,
)
from controlroom.exercise import commands, safety_commands
from controlroom.exercise.safety import SafetyKind
from controlroom.exercise.tap_time import Tap
from controlroom.files.blobs import BlobStore
from controlroom.journal import JournalError
from controlroom.live.runtime import ExerciseRuntime
from controlroom.settings import Settings
from controlroom.web import params
from controlroom.web.devices.reply_files import team_files
from controlroom.web.errors import UNAVAILABLE, UNAVAILABLE_FRAME, Outage
from controlroom.web.identify import identify
from controlroom.web.origin import origin_allowed
from controlroom.web.refusal import refusal_text
from controlroom.web.resources import resources
from controlroom.web.templating import Pages

logger = logging.getLogger("controlroom.delivery")
NOT_SAVED: tuple[type[BaseException], ...] = (*UNAVAILABLE, JournalError)


class ExerciseSocket:
    """The ASGI app of one exercise socket (Starlette's ``WebSocketRoute`` awaits it)."""

    __slots__ = ("receive", "scope", "send")

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self.receive = receive
        self.send = send

    def __await__(self) -> Generator[Any, None, None]:
        return self.run().__await__()

    async def run(self) -> None:
        res = resources(WebSocket(self.scope, self.receive, self.send))
        settings = res.settings
        connection = Connection(
            self.send,
            queue_frames=settings.send_queue_frames,
            heartbeat=settings.heartbeat_seconds,
            heartbeat_timeout=settings.heartbeat_timeout,
            messages_per_minute=settings.messages_per_minute,
            fast_path=res.fast_path,
        )
        if (await self.receive())["type"] != "websocket.connect":
            return
        session = await self._handshake(connection)
        if session is None:
            return
        try:
            await connection.accept(self.receive)
            session.hello()
            await session.serve(self.receive)
        finally:
            session.feed.leave(connection)
            connection.gone()

    async def _handshake(self, connection: Connection) -> _Session | None:
        """Check Origin, exercise and identity before accepting; None if refused."""
        socket: WebSocket = WebSocket(self.scope, self.receive, self.send)  # parsing only
        res = resources(socket)
        settings = res.settings
        denial = "websocket.http.response" in self.scope.get("extensions", {})
        headers = Headers(scope=self.scope)
        if not origin_allowed(headers.get("origin"), headers.get("host"), settings.allowed_origins):
            await connection.refuse(403, "Origin not allowed.", http_response=denial)
            return None
        try:  # a journal that cannot be reached raises: Unavailability answers (errors.py)
            exercise_id = params.exercise_id(socket)
            runtime = await res.exercises.get(exercise_id)
        except (HTTPException, KeyError):
            await connection.refuse(404, "No such exercise.", http_response=denial)
            return None
        identity = await identify(socket, exercise_id, runtime.state)
        if identity is None:
            await connection.refuse(403, "Sign in first.", http_response=denial)
            return None
        feed = res.delivery.feed(exercise_id)
        connection.bind(identity.audience, identity.language, identity.device)
        feed.join(connection)  # no await since identify: a revocation cannot slip in between
        return _Session(
            connection, feed, runtime, identity, settings, res.outage, res.pages, res.files
        )


class _Session:
    """The conversation on one accepted socket."""

    __slots__ = (
        "connection",
        "device",
        "feed",
        "files",
        "identity",
        "outage",
        "pages",
        "runtime",
        "settings",
        "translator",
    )

    def __init__(
        self,
        connection: Connection,
        feed: ExerciseFeed,
        runtime: ExerciseRuntime,
        identity: Identity,
        settings: Settings,
        outage: Outage,
        pages: Pages,
        files: BlobStore,
    ) -> None:
        self.files = files
        self.outage = outage
        self.pages = pages
        self.translator = pages.translator(identity.language)  # refusals in its language
        self.connection = connection
        self.feed = feed
        self.runtime = runtime
        self.identity = identity
        self.settings = settings
        self.device = identity.device or identity.principal

    def hello(self) -> None:
        settings = self.settings
        limits = {
            "max_message_bytes": settings.max_message_bytes,
            "messages_per_minute": settings.messages_per_minute,
        }
        self.connection.say(
            hello_frame(
                self.feed.epoch,
                self.feed.seq,
                self.identity.audience,
                settings.heartbeat_seconds,
                limits,
            )
        )

    async def serve(self, receive: Receive) -> None:
        connection = self.connection
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            connection.heard()
            if connection.state not in (SocketState.OPEN, SocketState.LIVE):
                continue  # closing: wait for the client's goodbye
            if not connection.rate.allow():
                connection.say(error_frame("rate", "Too many messages: slow down."))
                connection.close(CloseCode.POLICY, "too many messages", flush=True)
                continue
            text = self._text(message)
            if text is None:
                continue
            try:
                parsed = parse(text)
            except BadMessage as bad:  # naming a device's action: its outbox shows the reason
                message_text = self._translate(bad.message) if bad.action else bad.message
                connection.say(error_frame(bad.code, message_text, action=bad.action))
                continue
            await self.handle(parsed)

    def _text(self, message: Message) -> str | None:
        text = message.get("text")
        if text is None:
            self.connection.say(error_frame("binary", "Send JSON text messages only."))
            return None
        limit = self.settings.max_message_bytes
        if len(text) > limit or len(text.encode()) > limit:
            self.connection.say(error_frame("too-big", "The message is too big."))
            self.connection.close(CloseCode.TOO_BIG, "message too big", flush=True)
            return None
        return str(text)

    async def handle(self, message: ClientMessage) -> None:
        connection = self.connection
        identity = self.identity
        if isinstance(message, Resume):
            if connection.state is not SocketState.OPEN:
                connection.say(error_frame("already-resumed", "This socket has resumed already."))
                return
            await self.feed.resume(connection, message.epoch, message.last_seq)
        elif isinstance(message, Ping):
            connection.say(pong_frame(message.t))
        elif isinstance(message, Language):
            # Not a matter of rights: any viewer may read in any language; the audience stays.
            self.feed.switch_language(connection, message.language)
            self.translator = self.pages.translator(message.language)
        elif isinstance(message, Ack):
            if identity.team is None:
                self._forbidden("Only a team acknowledges injects.", message.action)
                return
            team, inject, action, age = identity.team, message.inject, message.action, message.age
            await self._execute(
                lambda s: commands.acknowledge(
                    s, inject, team, self.device, action=action, tap=self._tap(age)
                ),
                action,
            )
        elif isinstance(message, Seen):
            if identity.team is None:
                self._forbidden("Only a team confirms receipts.", None)
                return
            self.feed.confirm(connection, message.seq, self.device)
        elif isinstance(message, CueReport):
            if identity.actor_role is None:
                self._forbidden("Only an actor reports on cues.", message.action)
                return
            role, cue, status = identity.actor_role, message.cue, message.status
            act, played_for, age = message.action, message.team, message.age
            await self._execute(
                lambda s: commands.cue_status(
                    s, role, cue, status, self.device, act, played_for, tap=self._tap(age)
                ),
                act,
            )
        elif isinstance(message, RevealReport):
            await self._reveal(message)
        elif isinstance(message, AskControl):
            await self._ask(message)
        elif isinstance(message, ReplyMessage):
            await self._reply(message)
        elif isinstance(message, Safety):
            await self._safety(message)
        elif isinstance(message, Observe | Withdraw):
            await self._observe(message)

    async def _ask(self, message: AskControl) -> None:
        team = self.identity.team
        if team is None:
            self._forbidden("Only a team sends requests.", message.action)
            return
        kind, text, action, age = message.kind, message.text, message.action, message.age
        await self._execute(
            lambda s: commands.send_request(
                s, team, self.device, kind, text, action=action, tap=self._tap(age)
            ),
            action,
        )

    async def _reveal(self, message: RevealReport) -> None:
        role = self.identity.actor_role
        if role is None:
            self._forbidden("Only an actor marks a reveal.", message.action)
            return
        cue, team, reveal, act = message.cue, message.team, message.reveal, message.action
        age = message.age
        await self._execute(
            lambda s: commands.mark_reveal(
                s, role, cue, team, reveal, self.device, act, tap=self._tap(age)
            ),
            act,
        )

    async def _reply(self, message: ReplyMessage) -> None:
        """A team's reply to an inject; its files are the team's own uploads (by id)."""
        team = self.identity.team
        if team is None:
            self._forbidden("Only a team replies to injects.", message.action)
            return
        try:
            files = await team_files(self.files, self.runtime.id, team, message.files)
        except commands.CommandRefused as refused:
            self._refused(refused, message.action)
            return
        except NOT_SAVED as error:
            self.outage.report(error, f"socket of {self.identity.audience}")
            self._unavailable(message.action)
            return
        inject, kind, text, action = message.inject, message.kind, message.text, message.action
        age = message.age
        await self._execute(
            lambda s: commands.send_reply(
                s,
                team,
                self.device,
                inject,
                text,
                files,
                kind=kind,
                action=action,
                tap=self._tap(age),
            ),
            action,
        )

    async def _safety(self, message: Safety) -> None:
        role = self.identity.actor_role
        if role is None:
            self._forbidden("Only an actor stops a scene or calls control.", message.action)
            return
        stop = message.kind is SafetyKind.STOP
        command = safety_commands.stop if stop else safety_commands.call_control
        cue, action, team, age = message.cue, message.action, message.team, message.age
        await self._execute(
            lambda s: command(s, role, self.device, cue, action, team, tap=self._tap(age)),
            action,
        )

    async def _observe(self, message: Observe | Withdraw) -> None:
        """An observation (new, corrected or withdrawn) from an observer's tablet or a staff
        account's page: the author is the account, or the tablet (by "")."""
        identity = self.identity
        if identity.role not in STAFF:
            self._forbidden("Only observers and control record observations.", message.action)
            return
        by, device = ("", identity.device) if identity.device else (identity.principal, "")
        director, action, age = identity.role in DIRECTING, message.action, message.age
        if isinstance(message, Withdraw):
            seq = message.observation
            await self._execute(
                lambda s: commands.withdraw_observation(
                    s, by, seq, director=director, device=device, action=action, tap=self._tap(age)
                ),
                action,
            )
            return
        observed = commands.Observed(
            message.text,
            message.objective,
            message.task,
            message.rating,
            message.team,
            message.inject,
        )
        number = message.observation
        if number is None:
            await self._execute(
                lambda s: commands.add_observation(
                    s,
                    by,
                    observed.text,
                    observed.objective,
                    task=observed.task,
                    rating=observed.rating,
                    team=observed.team,
                    inject=observed.inject,
                    device=device,
                    action=action,
                    tap=self._tap(age),
                ),
                action,
            )
            return
        await self._execute(
            lambda s: commands.correct_observation(
                s,
                by,
                number,
                observed,
                director=director,
                device=device,
                action=action,
                tap=self._tap(age),
            ),
            action,
        )

    def _tap(self, age: float | None) -> Tap | None:
        """A device action's tap, as it is decided (its age: None if the page sent none).

        Called in the command's ``decide``, just before the journal stamps the event's
        ``at``: the tap time (received minus age, clamped by ``tap_time``) is never after it.
        """
        return None if age is None else Tap(self.runtime.time.now(), age)

    def _forbidden(self, message: str, action: str | None) -> None:
        self.connection.say(error_frame("forbidden", self._translate(message), action=action))

    def _translate(self, message: str) -> str:
        """A message of the protocol in the device's language."""
        return self.translator.gettext(message)

    async def _execute(self, decide: Any, action: str | None = None) -> None:
        """Run a device's command; answer its action ``done``, or an error naming it."""
        try:
            await self.runtime.execute(decide)
        except commands.CommandRefused as refused:
            self._refused(refused, action)
            return
        except NOT_SAVED as error:  # the journal is unreachable: one log line per outage
            self.outage.report(error, f"socket of {self.identity.audience}")
            self._unavailable(action)
            return
        except Exception:  # a bug: say so in the log, keep the socket
            logger.exception("command on a %s socket failed", self.identity.audience)
            self._unavailable(action)
            return
        if action is not None:
            self.feed.answer(self.connection, done_frame(action))  # after its event

    def _refused(self, refused: commands.CommandRefused, action: str | None) -> None:
        message = refusal_text(refused, self.translator, self.runtime.scenario)
        self.connection.say(
            error_frame("refused", message, reason=refused.code.value, action=action)
        )

    def _unavailable(self, action: str | None) -> None:
        message = self.translator.gettext(UNAVAILABLE_FRAME)
        self.connection.say(error_frame("unavailable", message, action=action))
