"""Every model the backend trained: its version, figures, the annotations it learned from, and whether it
was promoted; and which model serves now. One JSON file (`.studio/serve/versions.json`), rewritten whole.

The serving model is recorded by what loads it (a pipeline name or folder) and the version that gives, so
`feedcorpus serve` after a restart serves the last promoted model, and `--model VERSION` can pin any one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from feedcorpus.errors import ModelError
from feedcorpus.fileio import atomic_write_text, read_json


@dataclass(frozen=True)
class RunRecord:
    run: int
    project: int
    status: str  # "promoted", "kept" (candidate worse than the serving model) or "failed"
    started_at: str
    finished_at: str
    model: str | None = None  # the candidate's pipeline folder
    model_version: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    annotations: list[int] = field(default_factory=list)  # changed annotations that triggered the run
    snapshot: str | None = None  # the export snapshot it learned from (private file)
    error: str | None = None


@dataclass(frozen=True)
class Serving:
    model: str  # what load_pipeline loads: a package name or a folder
    model_version: str


class Registry:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, Any]:
        try:
            data = read_json(self.path) if self.path.exists() else {}
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def runs(self) -> list[RunRecord]:
        fields = set(RunRecord.__dataclass_fields__)
        items = self._load().get("runs", [])
        return [RunRecord(**{k: v for k, v in r.items() if k in fields}) for r in items if isinstance(r, dict)]

    def serving(self) -> Serving | None:
        found = self._load().get("serving")
        if isinstance(found, dict) and isinstance(found.get("model"), str):
            return Serving(found["model"], str(found.get("model_version") or ""))
        return None

    def next_run(self) -> int:
        return max((r.run for r in self.runs()), default=0) + 1

    def add(self, record: RunRecord, *, serving: Serving | None = None) -> None:
        data = self._load()
        data["runs"] = [*(asdict(r) for r in self.runs()), asdict(record)]
        if serving is not None:
            data["serving"] = asdict(serving)
        atomic_write_text(self.path, json.dumps(data, indent=1) + "\n")

    def set_serving(self, serving: Serving) -> None:
        data = self._load()
        data["serving"] = asdict(serving)
        atomic_write_text(self.path, json.dumps(data, indent=1) + "\n")

    def resolve(self, wanted: str) -> str:
        """A recorded model version → its folder; anything else is taken as a pipeline name or folder."""
        for record in self.runs():
            if wanted == record.model_version and record.model:
                if not Path(record.model).exists():
                    raise ModelError(f"model version {wanted} was recorded at {record.model}, which is gone")
                return record.model
        return wanted
