"""Shared fixtures. Each support module registers its own fixtures here."""

pytest_plugins: list[str] = [
    "tests.support.redis_server",
]
