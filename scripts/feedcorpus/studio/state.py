"""What push remembers between runs (git-ignored .studio/push-state.json): the project of a title.

Keyed by the server's identity (its database), not its URL: the same local server restarted on another
port, or reached by another host name, still finds the project it made, even after the project was renamed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from feedcorpus.fileio import atomic_write_text, read_json


class PushState:
    """Which project id a (server, title) pair maps to, remembered between runs."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, Any]:
        try:
            data = read_json(self.path) if self.path.exists() else {}
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def project_id(self, server: str, title: str, *, url: str | None = None) -> int | None:
        data = self._load()
        found = data.get(server, {}).get(title)
        if found is None and url is not None:  # state written before servers were known by identity
            found = data.get(url, {}).get(title)
        return found if isinstance(found, int) else None

    def projects(self, server: str) -> dict[str, int]:
        """title → project id of every project pushed to this server."""
        found = self._load().get(server, {})
        return {t: i for t, i in found.items() if isinstance(i, int)} if isinstance(found, dict) else {}

    def remember(self, server: str, title: str, project_id: int) -> None:
        data = self._load()
        data.setdefault(server, {})[title] = project_id
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
