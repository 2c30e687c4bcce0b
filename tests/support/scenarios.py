"""Small scenarios built in Python for unit tests of the core."""

from __future__ import annotations

from typing import Any

from controlroom.scenario.model import Scenario


def text(value: str) -> dict[str, str]:
    return {"en": value, "ru": f"{value} (ru)"}


def inject(
    inject_id: str, *, at: str | None = None, to: Any = "all", **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": inject_id,
        "channel": "phone-call",
        "from": text("Caller"),
        "to": to,
        "title": text(f"Title {inject_id}"),
        "body": text(f"Body {inject_id}"),
        "notes": text(f"CONTROLLER-NOTE-{inject_id}"),
    }
    if at is not None:
        data["at"] = at
    data.update(extra)
    return data


def make_scenario(*injects: dict[str, Any], days: int = 2, start: str = "D1 09:00") -> Scenario:
    return Scenario.model_validate(
        {
            "id": "unit",
            "title": text("Unit scenario"),
            "languages": ["en", "ru"],
            "setting": text("A setting"),
            "days": days,
            "start": start,
            "teams": [
                {
                    "id": "alpha",
                    "name": text("Alpha"),
                    "country": text("A"),
                    "agencies": ["police"],
                },
                {"id": "bravo", "name": text("Bravo"), "country": text("B"), "agencies": ["ngo"]},
            ],
            "roles": [
                {"id": "driver", "character": text("Driver"), "description": text("Calm")},
            ],
            "objectives": [
                {
                    "id": "OBJ-1",
                    "title": text("Identify"),
                    "tasks": [{"id": "T1", "title": text("t")}],
                }
            ],
            "requests": [
                {
                    "id": "db-check",
                    "title": text("Database check"),
                    "answers": [{"id": "no-record", "text": text("No record found")}],
                },
                {
                    "id": "embassy",
                    "title": text("Embassy contact"),
                    "sender": text("Embassy of Sarvan"),
                    "channel": "email",
                    "delay": "20m",
                    "answers": [
                        {
                            "id": "passport",
                            "text": text("A travel document in two days"),
                            "attachments": [{"files": {"en": "doc.en.md", "ru": "doc.ru.md"}}],
                        },
                        {"id": "return", "text": text("Return home"), "consequential": True},
                    ],
                },
            ],
            "injects": list(injects),
        }
    )
