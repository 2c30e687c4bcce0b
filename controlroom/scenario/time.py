"""Scenario time: ``D2 10:15`` as seconds since D1 00:00. Design: docs/scenario.md."""

from __future__ import annotations

import re

DAY = 24 * 3600

_AT = re.compile(
    r"^D(?P<day>[1-9][0-9]?)\s+(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?$"
)
_OFFSET = re.compile(r"^(?P<sign>[+-])?(?P<n>[0-9]+)(?P<unit>[smh])$")


def parse_time(text: str, *, days: int | None = None) -> int:
    """``"D2 10:15"`` -> seconds since D1 00:00. Raises ValueError with a readable message."""
    match = _AT.match(text.strip())
    if match is None:
        raise ValueError(
            f"scenario time {text!r} is not of the form 'D<day> HH:MM', e.g. 'D2 10:15'"
        )
    day, hour, minute = int(match["day"]), int(match["h"]), int(match["m"])
    second = int(match["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"scenario time {text!r} has a clock time out of range (00:00-23:59)")
    if days is not None and day > days:
        raise ValueError(f"scenario time {text!r} is after the last day of the exercise (D{days})")
    return (day - 1) * DAY + hour * 3600 + minute * 60 + second


def format_time(seconds: float) -> str:
    """Seconds since D1 00:00 -> ``"D2 10:15"`` (seconds shown only when not zero)."""
    total = int(seconds)
    day, rest = divmod(total, DAY)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    text = f"D{day + 1} {hour:02d}:{minute:02d}"
    return f"{text}:{second:02d}" if second else text


def parse_offset(text: str) -> int:
    """``"-15m"``, ``"+2h"``, ``"30s"``, ``"0m"`` -> signed seconds."""
    match = _OFFSET.match(text.strip())
    if match is None:
        raise ValueError(f"offset {text!r} is not of the form '[+-]<number><s|m|h>', e.g. '-15m'")
    value = int(match["n"]) * {"s": 1, "m": 60, "h": 3600}[match["unit"]]
    return -value if match["sign"] == "-" else value


def format_offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    value = abs(seconds)
    if value % 3600 == 0 and value:
        return f"{sign}{value // 3600}h"
    if value % 60 == 0:
        return f"{sign}{value // 60}m"
    return f"{sign}{value}s"
