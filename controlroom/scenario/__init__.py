"""Scenarios: the schema, loading with file/line problems, and checks. See docs/scenario.md."""

from controlroom.scenario.checks import Problem
from controlroom.scenario.loader import (
    ScenarioInvalid,
    load_scenario,
    load_scenario_file,
    load_scenarios,
    summary,
)
from controlroom.scenario.model import Inject, InjectFile, Scenario, ScenarioFile

__all__ = [
    "Inject",
    "InjectFile",
    "Problem",
    "Scenario",
    "ScenarioFile",
    "ScenarioInvalid",
    "load_scenario",
    "load_scenario_file",
    "load_scenarios",
    "summary",
]
