"""Label Studio's ML backend protocol as pure functions: request JSON in, dataclasses out, response JSON back.

Label Studio 1.23 posts `{"tasks": [...], "project": "<id>.<created>", "label_config": ...}` to /predict and
expects `{"results": [one prediction per task, in order]}`; webhooks post `{"action": ..., "annotation": ...,
"project": ...}`. Anything else is a PayloadError, which the server answers with 400 and the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from feedcorpus.errors import FeedcorpusError
from feedcorpus.labels import TO_NAME
from feedcorpus.regions import span_to_region
from feedcorpus.spans import Span, check_span

ANNOTATION_ACTIONS = ("ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATION_DELETED", "ANNOTATIONS_DELETED")
TRAIN_ACTION = "START_TRAINING"
MAX_TASKS = 10_000  # one /predict request; Label Studio sends its batches far smaller


class PayloadError(FeedcorpusError):
    """A request body the backend cannot use (answered with 400 and this message)."""


@dataclass(frozen=True)
class TaskIn:
    id: int | None
    text: str


@dataclass(frozen=True)
class PredictRequest:
    tasks: tuple[TaskIn, ...]
    project: int | None


@dataclass(frozen=True)
class WebhookEvent:
    """One webhook call. `key` identifies the event, so the same call delivered twice counts once."""

    action: str
    project: int | None
    annotations: tuple[int, ...] = ()
    key: str = ""


def project_id(value: Any) -> int | None:
    """Label Studio names a project `"<id>.<created timestamp>"` in /predict, an object or an int in webhooks."""
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.split(".", 1)[0].isdigit():
        return int(value.split(".", 1)[0])
    return None


def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PayloadError(f"{what} body must be a JSON object, got {type(body).__name__}")
    return body


def parse_predict(body: Any) -> PredictRequest:
    """The tasks of a /predict request; each needs its text under data.text."""
    body = _object(body, "/predict")
    tasks = body.get("tasks")
    if not isinstance(tasks, list):
        raise PayloadError("/predict needs 'tasks': a list of Label Studio tasks")
    if len(tasks) > MAX_TASKS:
        raise PayloadError(f"/predict takes at most {MAX_TASKS} tasks per request, got {len(tasks)}")
    parsed = []
    for number, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        text = data.get(TO_NAME) if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise PayloadError(f"/predict task {number}: data.{TO_NAME} must be a string (the article text)")
        task_id = task.get("id")
        parsed.append(TaskIn(task_id if isinstance(task_id, int) and not isinstance(task_id, bool) else None, text))
    return PredictRequest(tuple(parsed), project_id(body.get("project")))


def parse_webhook(body: Any) -> WebhookEvent:
    """An annotation or training event; other actions (send_for_all_actions) are returned to be ignored."""
    body = _object(body, "/webhook")
    action = body.get("action")
    if not isinstance(action, str) or not action:
        raise PayloadError("/webhook needs 'action' (e.g. ANNOTATION_CREATED)")
    project = project_id(body.get("project"))
    if action not in ANNOTATION_ACTIONS:
        return WebhookEvent(action, project)
    items = body.get("annotations") if action == "ANNOTATIONS_DELETED" else [body.get("annotation")]
    if not isinstance(items, list) or not items or not all(isinstance(a, dict) for a in items):
        raise PayloadError(f"/webhook {action} needs the annotation object(s) (send_payload must be on)")
    ids, stamps = [], []
    for item in items:
        annotation_id = item.get("id")
        if not isinstance(annotation_id, int) or isinstance(annotation_id, bool):
            raise PayloadError(f"/webhook {action}: annotation without an integer id")
        ids.append(annotation_id)
        stamps.append(str(item.get("updated_at") or ""))
        if project is None:
            project = project_id(item.get("project"))
    if project is None:
        raise PayloadError(f"/webhook {action}: no project id in the payload")
    key = f"{action}:{project}:" + ",".join(f"{i}@{s}" for i, s in zip(ids, stamps, strict=True))
    return WebhookEvent(action, project, tuple(ids), key)


def prediction_score(spans: Iterable[Span]) -> float:
    """The share of spans found through the reference lists (patterns) rather than by the statistical model
    alone: 1.0 when every span comes from a list, 0.0 when none does (or there are none). Sorting tasks by
    it in Label Studio puts the model's own guesses first for review."""
    spans = list(spans)
    return round(sum(1 for s in spans if s.source == "pattern") / len(spans), 4) if spans else 0.0


def prediction(text: str, spans: Iterable[Span], model_version: str) -> dict[str, Any]:
    """One task's prediction: `labels` regions on our from_name/to_name, each checked against the text."""
    spans = list(spans)
    for span in spans:
        check_span(text, span)
    return {
        "model_version": model_version,
        "score": prediction_score(spans),
        "result": [span_to_region(span) for span in spans],
    }
