"""Every edge parses into types: path parameters and form fields. Design: docs/web.md.

A route never reads ``request.path_params`` or a form field as a raw string to pass on: it
asks here, and gets a typed value or an ``HTTPException`` that the app's error handler
renders as a page in the site's layout (``controlroom.web.errors``). An id of the wrong shape
is a 404 (there is no such thing), a form value of the wrong shape a 400 (the form is bad),
never a 500 and never a value that could reach the journal and break its fold.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING, NewType

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection

from controlroom.journal.base import check_exercise_id
from controlroom.web.resources import resources

if TYPE_CHECKING:
    from controlroom.live.runtime import ExerciseRuntime

ExerciseId = NewType("ExerciseId", str)
ItemId = NewType("ItemId", str)  # an inject, request, device, cue, account or attachment name

# ids of scenario items (controlroom.scenario.model.Id), generated ids (devices, requests),
# account names and attachment file names: letters, digits and . _ - : @, 1 to 128 long
_ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}")
MAX_FIELD = 200_000  # a form field longer than this is not from our forms


def _(message: str) -> str:
    """Marks a message for translation; ``controlroom.web.errors`` translates it."""
    return message


NO_EXERCISE = _("No such exercise.")
NOT_FOUND = _("No such page.")
BAD_FIELD = _("A field of the form is not valid. Go back and try again.")
BAD_LANGUAGE = _("That language is not one of the scenario's.")


def exercise_id(conn: HTTPConnection) -> ExerciseId:
    """The ``{exercise}`` of the path, checked as a journal id (404 when malformed)."""
    raw = conn.path_params.get("exercise")
    try:
        return ExerciseId(check_exercise_id(raw if isinstance(raw, str) else ""))
    except ValueError:
        raise HTTPException(404, NO_EXERCISE) from None


def is_item_id(value: object) -> bool:
    return isinstance(value, str) and _ITEM_ID.fullmatch(value) is not None


def item_id(conn: HTTPConnection, name: str, missing: str = NOT_FOUND) -> ItemId:
    """An id in the path (``{inject}``, ``{request}``, ``{device}``...): 404 when malformed."""
    raw = conn.path_params.get(name)
    if not is_item_id(raw):
        raise HTTPException(404, missing)
    assert isinstance(raw, str)
    return ItemId(raw)


def file_name(conn: HTTPConnection, name: str) -> str:
    """A file name in the path (an attachment): no separators, no dot first; 404 otherwise."""
    raw = conn.path_params.get(name)
    if (
        not isinstance(raw, str)
        or not 0 < len(raw) <= 255
        or raw.startswith(".")
        or any(c in raw for c in "/\\\x00")
        or not raw.isprintable()
    ):
        raise HTTPException(404, NOT_FOUND)
    return raw


def text(form: FormData, name: str, *, max_length: int = MAX_FIELD, strip: bool = True) -> str:
    """A form field as text, stripped unless told ('' when absent); 400 for a file or an
    oversized value."""
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
        raise HTTPException(400, BAD_FIELD)
    return value.strip() if strip else value


def language(form: FormData, name: str, languages: Collection[str]) -> str | None:
    """A language code among ``languages`` (None when empty); 400 for anything else."""
    value = text(form, name, max_length=20)
    if not value:
        return None
    if value not in languages:
        raise HTTPException(400, BAD_LANGUAGE)
    return value


async def exercise(conn: HTTPConnection) -> ExerciseRuntime:
    """The exercise named in the path, opened: 404 when malformed or unknown.

    A journal that cannot be reached raises ``JournalUnavailable`` (a 503 page, not a 404).
    """
    found = exercise_id(conn)
    try:
        return await resources(conn).exercises.get(found)
    except KeyError:
        raise HTTPException(404, NO_EXERCISE) from None
