"""What the backend has learned from Label Studio's webhooks, per project: which annotations changed since
the last training and which events were already counted. Kept in a file, so a restart resumes the count.

Label Studio retries nothing but people do (and a proxy may), so every event has a key (action, project,
annotation ids and their update times): the same event delivered twice counts once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedcorpus.fileio import atomic_write_text, read_json
from feedcorpus.serve.protocol import ANNOTATION_ACTIONS, WebhookEvent

KEEP_KEYS = 20_000  # the most recent event keys kept per project (older repeats are long past)


@dataclass
class ProjectLedger:
    seen: list[str] = field(default_factory=list)  # event keys, oldest first
    pending: list[int] = field(default_factory=list)  # annotations changed since the last training started
    events: int = 0  # annotation events counted in all (repeats excluded)
    trainings: int = 0  # training runs started for this project

    def to_json(self) -> dict[str, Any]:
        return {"seen": self.seen, "pending": self.pending, "events": self.events, "trainings": self.trainings}

    @classmethod
    def from_json(cls, data: Any) -> ProjectLedger:
        if not isinstance(data, dict):
            return cls()
        seen = [k for k in data.get("seen", []) if isinstance(k, str)]
        pending = [i for i in data.get("pending", []) if isinstance(i, int)]
        return cls(seen, pending, int(data.get("events", 0) or 0), int(data.get("trainings", 0) or 0))


class Ledger:
    """Webhook counts per project, written to `path` after every change (atomic)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.projects: dict[int, ProjectLedger] = {}
        if path.exists():
            try:
                data = read_json(path)
            except (OSError, ValueError):
                data = {}  # a damaged file must not stop predictions; counting starts again
            found = data.get("projects", {}) if isinstance(data, dict) else {}
            for key, value in found.items() if isinstance(found, dict) else []:
                if str(key).isdigit():
                    self.projects[int(key)] = ProjectLedger.from_json(value)

    def project(self, project: int) -> ProjectLedger:
        return self.projects.setdefault(project, ProjectLedger())

    def record(self, event: WebhookEvent) -> bool:
        """Count an annotation event; False when it was counted before (or is not about annotations)."""
        if event.action not in ANNOTATION_ACTIONS or event.project is None:
            return False
        ledger = self.project(event.project)
        if event.key in ledger.seen:
            return False
        ledger.seen = [*ledger.seen, event.key][-KEEP_KEYS:]
        ledger.events += 1
        ledger.pending = sorted(set(ledger.pending) | set(event.annotations))
        self.save()
        return True

    def due(self, project: int, every: int) -> bool:
        """Enough annotations changed since the last training to train again (every ≤ 0: never by count)."""
        return every > 0 and len(self.project(project).pending) >= every

    def started_training(self, project: int) -> list[int]:
        """The annotations this run learns from; the count starts again from zero."""
        ledger = self.project(project)
        taken, ledger.pending = ledger.pending, []
        ledger.trainings += 1
        self.save()
        return taken

    def save(self) -> None:
        data = {"projects": {str(k): v.to_json() for k, v in sorted(self.projects.items())}}
        atomic_write_text(self.path, json.dumps(data, indent=1) + "\n", private=True)

    def summary(self) -> dict[str, dict[str, int]]:
        return {
            str(k): {"pending": len(v.pending), "events": v.events, "trainings": v.trainings}
            for k, v in sorted(self.projects.items())
        }
