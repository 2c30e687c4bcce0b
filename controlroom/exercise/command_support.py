"""What every command module shares: looking up what a command names, cleaning its text.

Design: docs/exercise.md. Each helper raises ``CommandRefused`` with the code the person
sees (an unknown inject, request or device; a text that is too long).
"""

from __future__ import annotations

from controlroom.exercise.refusals import CommandRefused, Refusal
from controlroom.exercise.state import Device, ExerciseState, Request
from controlroom.scenario.model import Inject

MAX_TEXT = 10_000


def inject_of(state: ExerciseState, inject: str) -> Inject:
    try:
        return state.injects[inject]
    except KeyError:
        raise CommandRefused(Refusal.NO_INJECT, inject=inject) from None


def request_of(state: ExerciseState, request: str) -> Request:
    try:
        return state.requests[request]
    except KeyError:
        raise CommandRefused(Refusal.NO_REQUEST, request=request) from None


def device_of(state: ExerciseState, device: str) -> Device:
    try:
        return state.devices[device]
    except KeyError:
        raise CommandRefused(Refusal.NO_DEVICE) from None


def clean_text(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        raise CommandRefused(Refusal.TOO_LONG, most=MAX_TEXT)
    return cleaned
