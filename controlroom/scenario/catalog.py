"""The scenarios on disk, loaded and validated, with their reports. Design: docs/scenario.md."""

from __future__ import annotations

from pathlib import Path

from controlroom.scenario.loader import ScenarioInvalid, load_scenarios
from controlroom.scenario.model import Scenario


class ScenarioCatalog:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._loaded: dict[str, Scenario | ScenarioInvalid] = {}

    def reload(self) -> None:
        self._loaded = load_scenarios(self.root) if self.root.is_dir() else {}

    def all(self) -> dict[str, Scenario | ScenarioInvalid]:
        return dict(self._loaded)

    def valid(self) -> dict[str, Scenario]:
        return {k: v for k, v in self._loaded.items() if isinstance(v, Scenario)}

    def get(self, scenario_id: str) -> Scenario:
        found = self._loaded.get(scenario_id)
        if not isinstance(found, Scenario):
            raise KeyError(scenario_id)
        return found

    def attachments_dir(self, scenario_id: str) -> Path:
        return self.root / scenario_id / "attachments"
