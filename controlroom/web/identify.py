"""Who is on the other end of an exercise socket, decided on the server. Design: docs/delivery.md.

From the session behind the ``cr_session`` cookie, or, only with ``test_tokens`` on, from a
``?token=`` signed with the secret key (salt ``controlroom-test-token``) that carries the same
fields as a session. A device is only valid for its own exercise, while it has joined and is
not revoked, and for the team or role it joined. Nothing a client says in a message counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection

from controlroom.access.identity import Identity
from controlroom.access.permissions import DEVICE_ROLES, ROLES, active_device
from controlroom.exercise.state import ExerciseState
from controlroom.i18n import DEFAULT_LANGUAGE, LANGUAGES
from controlroom.web.auth import current_viewer
from controlroom.web.resources import resources

TOKEN_SALT = "controlroom-test-token"
FIELDS = ("kind", "role", "name", "user", "exercise", "team", "actor_role", "device", "language")


def token_serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=TOKEN_SALT)


def make_test_token(secret: str, data: Mapping[str, Any]) -> str:
    """A ``?token=`` for tests and benchmarks (accepted only with ``test_tokens`` on)."""
    return str(token_serializer(secret).dumps(dict(data)))


async def identify(conn: HTTPConnection, exercise: str, state: ExerciseState) -> Identity | None:
    """The identity behind a socket of ``exercise``, or None (refuse the socket)."""
    res = resources(conn)
    token = conn.query_params.get("token")
    if token is not None:
        if not res.settings.test_tokens:
            return None
        try:
            data = token_serializer(res.secret).loads(token)
        except BadSignature:
            return None
        return identity_from(data, exercise, state) if isinstance(data, dict) else None
    try:
        viewer = await current_viewer(conn)
    except (KeyError, TypeError, ValueError):
        return None  # a session of another shape: not one of ours
    if viewer is None:
        return None
    session = {
        "kind": viewer.kind,
        "role": viewer.role,
        "name": viewer.name,
        "exercise": viewer.exercise,
        "team": viewer.team,
        "actor_role": viewer.actor_role,
        "device": viewer.device,
        "language": viewer.language,
    }
    return identity_from(session, exercise, state)


def identity_from(data: Mapping[str, Any], exercise: str, state: ExerciseState) -> Identity | None:
    """Check a session's (or token's) fields against the exercise; None if they do not fit.

    Every field is a string or absent: anything else (a list, a number) is refused, not an
    error.
    """
    if any(not isinstance(data.get(key), str | None) for key in FIELDS):
        return None
    kind, role = data.get("kind"), data.get("role")
    if kind not in ("user", "device") or not isinstance(role, str) or role not in ROLES:
        return None
    bound = data.get("exercise")
    if (kind == "device" or bound is not None) and bound != exercise:
        return None
    team = data.get("team") if role == "team" else None
    actor_role = data.get("actor_role") if role == "actor" else None
    if role == "team" and team not in state.scenario.team_ids:
        return None
    if role == "actor" and actor_role not in {r.id for r in state.scenario.roles}:
        return None
    device = None
    if kind == "device":
        device = data.get("device")
        known = active_device(state, device)
        if known is None or role not in DEVICE_ROLES:
            return None
        if (known.team, known.role, known.observer) != (team, actor_role, role == "observer"):
            return None
    principal = device or data.get("name") or data.get("user") or ""
    language = data.get("language")
    return Identity(
        exercise=exercise,
        role=role,
        principal=str(principal),
        team=team,
        actor_role=actor_role,
        device=device,
        language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
    )
