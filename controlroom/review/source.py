"""Where review tools read a journal from, without writing to it. Design: docs/review.md.

The command line (``controlroom replay``, ``controlroom export``) runs beside a live server:
a file journal is read as it stands (a torn last line is left for the server to recover),
Redis and memory journals through their store.
"""

from __future__ import annotations

from controlroom.journal import Event
from controlroom.journal.base import check_exercise_id, open_store
from controlroom.journal.file import FileJournalStore


async def read_journal(url: str, exercise_id: str) -> list[Event]:
    """Every event of ``exercise_id``'s journal (``KeyError`` when there is none)."""
    check_exercise_id(exercise_id)
    store = open_store(url)
    try:
        if isinstance(store, FileJournalStore):
            return await store.read_only(exercise_id)
        journal = await store.open(exercise_id)
        return await journal.read()
    finally:
        await store.close()
