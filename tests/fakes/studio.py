"""An in-memory Label Studio behind the `StudioApi` protocol, with failures that can be scheduled.

It keeps projects, tasks and predictions the way push sees them, so push's retry and reconcile paths can
be driven step by step: a batch that commits and then loses its answer, a batch only half committed, a
server that refuses. The behaviour it imitates is proven against the real server in tests/integration.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from feedcorpus.errors import StudioError
from feedcorpus.studio.protocol import Project, StudioApi, TaskRef

# A scheduled failure: called with the method's name and its payload; it may commit part of the payload
# (return how many items to commit before raising) or raise at once (return 0).
Failure = Callable[[str, list[dict[str, Any]]], int]


@dataclass
class FakeTask:
    id: int
    project: int
    data: dict[str, Any]
    predictions: list[dict[str, Any]] = field(default_factory=list)
    annotations: int = 0


class FakeStudio:
    url = "http://fake-studio.test"

    def __init__(self) -> None:
        self.projects: dict[int, Project] = {}
        self.tasks: dict[int, FakeTask] = {}
        self.calls: list[str] = []
        self.failures: dict[str, list[Failure]] = {}
        self._ids = itertools.count(1)

    # failure scheduling ------------------------------------------------------------------------------
    def fail_next(self, method: str, failure: Failure) -> None:
        self.failures.setdefault(method, []).append(failure)

    def _maybe_fail(
        self, method: str, payload: list[dict[str, Any]], commit: Callable[[list[dict[str, Any]]], None]
    ) -> None:
        queue = self.failures.get(method)
        if not queue:
            commit(payload)
            return
        failure = queue.pop(0)
        committed = failure(method, payload)  # raises after we commit the part it asked for
        commit(payload[:committed])
        raise StudioError(f"fake {method} failed after committing {committed} items", retryable=True)

    # StudioApi ---------------------------------------------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        self.calls.append("whoami")
        return {"id": 1, "email": "admin@fake.test", "username": "admin"}

    def server_id(self) -> str:
        return "org-1@fake"

    def get_project(self, project_id: int) -> Project | None:
        self.calls.append("get_project")
        return self.projects.get(project_id)

    def find_project(self, title: str) -> Project | None:
        self.calls.append("find_project")
        matches = [p for p in self.projects.values() if p.title == title]
        return min(matches, key=lambda p: p.id) if matches else None

    def create_project(self, title: str, label_config: str, instructions: str = "") -> Project:
        self.calls.append("create_project")
        project = Project(next(self._ids), title, label_config, instructions=instructions)
        self.projects[project.id] = project
        return project

    def update_project(self, project_id: int, **fields: Any) -> None:
        self.calls.append("update_project")
        self.projects[project_id] = replace(self.projects[project_id], **fields)

    def task_index(self, project_id: int) -> dict[str, list[TaskRef]]:
        self.calls.append("task_index")
        index: dict[str, list[TaskRef]] = {}
        for task in self.tasks.values():
            if task.project == project_id:
                versions = frozenset(p["model_version"] for p in task.predictions)
                index.setdefault(task.data["doc_id"], []).append(TaskRef(task.id, versions, task.annotations))
        return index

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> None:
        self.calls.append("import_tasks")

        def commit(items: list[dict[str, Any]]) -> None:
            for item in items:
                task = FakeTask(next(self._ids), project_id, dict(item["data"]), list(item.get("predictions", [])))
                self.tasks[task.id] = task

        self._maybe_fail("import_tasks", tasks, commit)

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> int:
        self.calls.append("import_predictions")

        def commit(items: list[dict[str, Any]]) -> None:
            for item in items:
                self.tasks[item["task"]].predictions.append({k: v for k, v in item.items() if k != "task"})

        self._maybe_fail("import_predictions", predictions, commit)
        return len(predictions)

    def delete_tasks(self, project_id: int, task_ids: list[int]) -> None:
        self.calls.append("delete_tasks")
        for task_id in task_ids:
            del self.tasks[task_id]

    def export_snapshot(self, project_id: int) -> bytes:
        raise NotImplementedError("the fake has no annotations to export")

    # helpers for assertions --------------------------------------------------------------------------
    def doc_counts(self, project_id: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for task in self.tasks.values():
            if task.project == project_id:
                counts[task.data["doc_id"]] = counts.get(task.data["doc_id"], 0) + 1
        return counts


def _conforms(studio: FakeStudio) -> StudioApi:
    """mypy (make lint) checks here that the fake implements the whole protocol."""
    return studio
