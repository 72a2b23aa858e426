"""The contract between the pipeline and a Label Studio server: what push and export need, typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Project:
    id: int
    title: str
    label_config: str
    task_number: int = 0
    model_version: str | None = None
    instructions: str = ""  # the HTML shown to annotators before labeling


@dataclass(frozen=True)
class TaskRef:
    """One task of a project as push sees it: its id, the model versions of its predictions, and how many
    annotations it has (a duplicate with annotations is never deleted)."""

    id: int
    model_versions: frozenset[str]
    annotations: int = 0


class StudioApi(Protocol):
    """A Label Studio server. Implemented by `client.Studio` (label-studio-sdk) and by the tests' fake."""

    url: str

    def whoami(self) -> dict[str, Any]: ...

    def server_id(self) -> str:
        """What identifies the server's database whatever its URL (it survives restarts on other ports)."""
        ...

    def get_project(self, project_id: int) -> Project | None: ...

    def find_project(self, title: str) -> Project | None: ...

    def create_project(self, title: str, label_config: str, instructions: str = "") -> Project: ...

    def update_project(self, project_id: int, **fields: Any) -> None: ...

    def task_index(self, project_id: int) -> dict[str, list[TaskRef]]: ...

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> None: ...

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> int: ...

    def delete_tasks(self, project_id: int, task_ids: list[int]) -> None: ...

    def export_snapshot(self, project_id: int) -> bytes: ...
