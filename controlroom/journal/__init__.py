"""The durable, append-only event journal of each exercise. Design: docs/journal.md."""

from controlroom.journal.base import (
    Event,
    Journal,
    JournalConflict,
    JournalCorrupt,
    JournalError,
    JournalStore,
    JournalUnavailable,
    open_store,
)

__all__ = [
    "Event",
    "Journal",
    "JournalConflict",
    "JournalCorrupt",
    "JournalError",
    "JournalStore",
    "JournalUnavailable",
    "open_store",
]
