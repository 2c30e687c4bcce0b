"""The core's refusals in the user's language. Design: docs/console.md.

``CommandRefused`` messages are written in English by the exercise core, some with ids in
them ("Inject BB-03 is already held."). The fixed ones are gettext message ids as they are;
the ones with values are matched here and translated with the values put back, so the
console says why in Russian too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Translate = Callable[..., str]

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"^Inject (?P<inject>\S+) is already held\.$", "Inject %(inject)s is already held."),
        (r"^Inject (?P<inject>\S+) is not held\.$", "Inject %(inject)s is not held."),
        (r"^No inject (?P<inject>\S+)\.$", "No inject %(inject)s."),
        (r"^No request (?P<request>\S+)\.$", "No request %(request)s."),
        (
            r"^Request (?P<request>\S+) has already been answered\.$",
            "Request %(request)s has already been answered.",
        ),
        (
            r"^Inject (?P<inject>\S+) is not addressed to (?P<teams>.+)\.$",
            "Inject %(inject)s is not addressed to %(teams)s.",
        ),
        *(
            (
                rf"^Inject (?P<inject>\S+) cannot be {verb}: "
                r"it is released or cancelled for those teams\.$",
                f"Inject %(inject)s cannot be {verb}: it is released or cancelled for those teams.",
            )
            for verb in ("released", "held", "resumed", "rescheduled", "cancelled")
        ),
        (
            r"^Inject (?P<inject>\S+) has not been released to this team\.$",
            "Inject %(inject)s has not been released to this team.",
        ),
        (
            r"^An inject with id (?P<inject>\S+) already exists\.$",
            "An inject with id %(inject)s already exists.",
        ),
        (r"^Unknown team: (?P<teams>.+)\.$", "Unknown team: %(teams)s."),
        (r"^Unknown actor role: (?P<role>.+)\.$", "Unknown actor role: %(role)s."),
        (
            r"^Speed must be above 0 and at most (?P<most>[\d.]+)\.$",
            "Speed must be above 0 and at most %(most)s.",
        ),
        (
            r"^(?P<time>D\d+ [\d:]+) is outside the exercise "
            r"\(D1 00:00 to (?P<last>D\d+) 23:59\)\.$",
            "%(time)s is outside the exercise (D1 00:00 to %(last)s 23:59).",
        ),
        (
            r"^The text is too long \(at most (?P<most>\d+) characters\)\.$",
            "The text is too long (at most %(most)s characters).",
        ),
    )
)


def translate(message: str, _: Translate) -> str:
    """``message`` (a core refusal) in the language of ``_``."""
    for pattern, template in _PATTERNS:
        found = pattern.match(message)
        if found:
            return _(template, **found.groupdict())
    return _(message)
