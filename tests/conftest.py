"""Shared fixtures. Each support module registers its own fixtures here."""

pytest_plugins: list[str] = [
    "tests.support.server",
    "tests.support.browser",
    "tests.support.scenario_folders",
    "tests.support.redis_server",
    "tests.support.console",
    "tests.support.wifi",
]
