"""Label Studio JSON exports read into typed tasks: every shape Label Studio 1.23 produces, or a clear no.

Shapes met in practice: the export snapshot with full objects (what `feedcorpus export` pulls); the UI's
"JSON" export and snapshots with default options, which list a task's `predictions` as integer ids and embed
the prediction an annotation started from in `annotation.prediction`; `completed_by` as an id or as an
expanded user; old exports with `completions`. JSON_MIN (one flat record per task, no ids, no annotators,
no predictions) and the CSV/TSV/CoNLL exports cannot give provenance or agreement: they are refused with a
message that says what to export instead. A malformed task becomes a problem line, never a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from feedcorpus.errors import ReleaseError

_JSON_MIN_KEYS = {"annotator", "annotation_id", "lead_time"}


@dataclass(frozen=True)
class Prediction:
    id: int | None
    model_version: str
    result: list[dict[str, Any]]


@dataclass(frozen=True)
class Annotation:
    id: int | None
    result: list[dict[str, Any]]
    annotator: str
    was_cancelled: bool = False
    ground_truth: bool = False
    updated_at: str | None = None
    parent_prediction: int | None = None
    prediction: Prediction | None = None  # the prediction it started from, when the export embeds it


@dataclass(frozen=True)
class Task:
    id: int
    data: dict[str, Any]
    annotations: list[Annotation] = field(default_factory=list)
    predictions: list[Prediction] = field(default_factory=list)  # full objects only; ids are not predictions
    project: int | None = None  # the Label Studio project id, for links to the task


@dataclass
class Snapshot:
    tasks: list[Task] = field(default_factory=list)
    items: int = 0
    problems: list[str] = field(default_factory=list)


def account(completed_by: Any) -> str:
    """A readable, non-identifying annotator name: the email's local part, else user-<id>."""
    if isinstance(completed_by, dict):
        email = completed_by.get("email") or ""
        if isinstance(email, str) and email:
            return email.split("@", 1)[0]
        return f"user-{completed_by.get('id')}"
    return f"user-{completed_by}"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _timestamp(value: Any, where: str, problems: list[str]) -> str | None:
    if value in (None, ""):
        return None
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"{where}: {value!r} is not an ISO 8601 timestamp")
        return None
    return str(value)


def _prediction(raw: Any) -> Prediction | None:
    if not isinstance(raw, dict):
        return None
    result = raw.get("result")
    regions = [r for r in result if isinstance(r, dict)] if isinstance(result, list) else []
    return Prediction(_int(raw.get("id")), str(raw.get("model_version") or "unknown"), regions)


def _annotation(raw: Any, where: str, problems: list[str]) -> Annotation | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: an annotation is {type(raw).__name__}, not an object")
        return None
    where = f"{where} annotation {raw.get('id')}"
    result = raw.get("result")
    if result is None:
        result = []
    if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
        problems.append(f"{where}: result must be a list of region objects")
        return None
    updated = _timestamp(raw.get("updated_at"), f"{where}: updated_at", problems)
    created = _timestamp(raw.get("created_at"), f"{where}: created_at", problems)
    return Annotation(
        id=_int(raw.get("id")),
        result=result,
        annotator=account(raw.get("completed_by")),
        was_cancelled=bool(raw.get("was_cancelled")),
        ground_truth=bool(raw.get("ground_truth")),
        updated_at=updated or created,
        parent_prediction=_int(raw.get("parent_prediction")),
        prediction=_prediction(raw.get("prediction")),
    )


def _task(raw: Any, number: int, problems: list[str]) -> Task | None:
    if not isinstance(raw, dict):
        problems.append(f"item {number}: a task is {type(raw).__name__}, not an object")
        return None
    task_id = _int(raw.get("id"))
    data = raw.get("data")
    where = f"task {raw.get('id')}" + (f" ({data.get('doc_id')})" if isinstance(data, dict) else "")
    if task_id is None:
        problems.append(f"{where}: the task has no integer id")
        return None
    if not isinstance(data, dict):
        problems.append(f"{where}: data must be an object")
        return None
    listed = raw.get("annotations") or raw.get("completions") or []  # completions: Label Studio ≤ 0.9
    predictions = raw.get("predictions") or []
    if not isinstance(listed, list) or not isinstance(predictions, list):
        problems.append(f"{where}: annotations and predictions must be lists")
        return None
    annotations = [a for a in (_annotation(item, where, problems) for item in listed) if a is not None]
    full = [p for p in (_prediction(item) for item in predictions) if p is not None]
    return Task(task_id, data, annotations, full, project=_int(raw.get("project")))


def read_snapshot(snapshot: bytes) -> Snapshot:
    """Tasks from a Label Studio JSON export; raises ReleaseError when the file is not one we can use."""
    head = snapshot.lstrip()[:200]
    try:
        items = json.loads(snapshot)
    except ValueError as exc:
        if head[:1] not in (b"[", b"{") and (b"," in head.split(b"\n")[0] or b"\t" in head.split(b"\n")[0]):
            raise ReleaseError(
                "this looks like a CSV/TSV/CoNLL export, which has no annotation ids, annotators or predictions; "
                "export JSON from the project's Export dialog, or let `feedcorpus export` pull a snapshot"
            ) from exc
        raise ReleaseError(f"the snapshot is not JSON ({exc})") from exc
    if not isinstance(items, list):
        raise ReleaseError("the snapshot is not a Label Studio JSON export (a list of tasks)")
    first = next((item for item in items if isinstance(item, dict)), None)
    if first is not None and "data" not in first and _JSON_MIN_KEYS & set(first):
        raise ReleaseError(
            "this is Label Studio's JSON_MIN export (one flat record per task: no annotation ids, no annotators, "
            "no predictions), which cannot give provenance or agreement; export JSON instead (Export → JSON), "
            "or let `feedcorpus export` pull a snapshot"
        )
    result = Snapshot(items=len(items))
    for number, raw in enumerate(items, 1):
        task = _task(raw, number, result.problems)
        if task is not None:
            result.tasks.append(task)
    return result
