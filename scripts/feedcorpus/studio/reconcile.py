"""What a push finds already on the server and puts right: duplicate tasks, missing predictions.

Pure decisions over the task index (doc_id → tasks); push carries them out through the StudioApi.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from feedcorpus.studio.protocol import TaskRef


def duplicates(index: dict[str, list[TaskRef]]) -> dict[str, list[int]]:
    """doc_id → every task id holding it, for documents that are in the project more than once."""
    return {doc: [t.id for t in tasks] for doc, tasks in sorted(index.items()) if len(tasks) > 1}


def removable_duplicates(index: dict[str, list[TaskRef]]) -> list[int]:
    """Extra tasks that can go without losing work: the oldest task of a document stays (or the one with
    annotations, when only a later one has them); a task with annotations is never removed."""
    removable = []
    for tasks in index.values():
        if len(tasks) < 2:
            continue
        keep = next((t for t in tasks if t.annotations), tasks[0])
        removable += [t.id for t in tasks if t is not keep and not t.annotations]
    return sorted(removable)


def missing_predictions(
    index: dict[str, list[TaskRef]], payloads: dict[str, dict[str, Any]], *, skip: Collection[int] = ()
) -> list[dict[str, Any]]:
    """Predictions to add: every task (duplicates too) of a document lacking its current model version."""
    additions = []
    for doc_id, tasks in sorted(index.items()):
        payload = payloads.get(doc_id)
        if payload is None or "predictions" not in payload:
            continue
        item = payload["predictions"][0]
        additions += [
            {"task": t.id, **item} for t in tasks if t.id not in skip and item["model_version"] not in t.model_versions
        ]
    return additions
