"""The `push` stage: documents with their predictions become Label Studio tasks, idempotently.

Re-running pushes only documents whose doc_id is not in the project yet; a newer model_version adds
predictions to existing tasks, never new tasks. Imports go in batches with the SDK's retries off; our own
retry first asks the server which doc_ids of the batch already arrived and resends only the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from feedcorpus.documents import Document
from feedcorpus.errors import StudioError
from feedcorpus.labels import LabelSchema
from feedcorpus.spans import Span
from feedcorpus.studio import ConfigValidator, PushState, Studio
from feedcorpus.tasks import task

DEFAULT_PROJECT = "feedcorpus news NER"


@dataclass
class PushReport:
    project_id: int | None = None
    project_url: str | None = None
    created_project: bool = False
    config_differs: bool = False
    config_updated: bool = False
    pushed: int = 0
    already_present: int = 0
    predictions_added: int = 0
    without_predictions: int = 0
    retries: int = 0
    duplicate_doc_ids: list[str] = field(default_factory=list)
    dry_run: bool = False


def build_payloads(
    documents: list[Document],
    predictions: dict[str, dict[str, Any]],
    schema: LabelSchema,
    label_config: str,
) -> dict[str, dict[str, Any]]:
    """doc_id → import task, with predictions validated against the text, label set and labeling config."""
    payloads = {}
    validator = ConfigValidator(label_config)
    for document in documents:
        record = predictions.get(document.id)
        spans = model_version = None
        if record is not None:
            if record.get("doc_sha256") not in (None, document.sha256):
                raise StudioError(
                    "the predictions were made for another version of this document; run `feedcorpus preannotate`",
                    record=document.id,
                )
            spans = [Span.from_json(s) for s in record["spans"]]
            model_version = record["model_version"]
        payload = task(document, spans, model_version, schema.names)
        validator.validate(payload.get("predictions", []), record=document.id)
        payloads[document.id] = payload
    return payloads


def _with_retries(
    action: Callable[[], Any],
    *,
    attempts: int,
    backoff: float,
    report: PushReport,
    before_retry: Callable[[], None] | None = None,
) -> Any:
    for attempt in range(1, attempts + 1):
        try:
            if attempt > 1 and before_retry:
                before_retry()
            return action()
        except StudioError as exc:
            if not getattr(exc, "retryable", False) or attempt == attempts:
                raise
            report.retries += 1
            time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def push(
    studio: Studio,
    documents: list[Document],
    predictions: dict[str, dict[str, Any]],
    schema: LabelSchema,
    label_config: str,
    *,
    title: str = DEFAULT_PROJECT,
    state: PushState | None = None,
    batch_size: int = 500,
    update_config: bool = False,
    dry_run: bool = False,
    attempts: int = 4,
    backoff: float = 1.0,
    on_batch: Callable[[int], None] | None = None,
) -> PushReport:
    """Make sure every document is exactly once in the project, with the given predictions."""
    report = PushReport(dry_run=dry_run)
    payloads = build_payloads(documents, predictions, schema, label_config)
    report.without_predictions = sum(1 for p in payloads.values() if "predictions" not in p)
    model_versions = {r["model_version"] for r in predictions.values()}
    studio.whoami()

    project = studio.remembered_project(title, state)
    if project is None:
        if dry_run:
            report.pushed = len(payloads)
            return report
        project = studio.create_project(title, label_config)
        report.created_project = True
    report.project_id = int(project.id)
    report.project_url = f"{studio.url}/projects/{project.id}/data"
    if state and not dry_run:
        state.remember(studio.url, title, report.project_id)
    if not report.created_project and (project.label_config or "").strip() != label_config.strip():
        report.config_differs = True
        if update_config and not dry_run:
            studio.update_project(report.project_id, label_config=label_config)
            report.config_updated = True

    # A project created just now is empty: no need to list its tasks.
    index = {} if report.created_project else studio.task_index(report.project_id)
    report.duplicate_doc_ids = sorted(doc for doc, tasks in index.items() if len(tasks) > 1)
    missing = [doc_id for doc_id in payloads if doc_id not in index]
    report.already_present = len(payloads) - len(missing)
    if dry_run:
        report.pushed = len(missing)
        return report

    for number, start in enumerate(range(0, len(missing), batch_size), 1):
        batch = missing[start : start + batch_size]
        pending = list(batch)

        def drop_arrived(pending: list[str] = pending) -> None:
            # A failed POST may still have been committed: resend only what did not arrive.
            arrived = studio.task_index(report.project_id)
            pending[:] = [d for d in pending if d not in arrived]

        def attempt(pending: list[str] = pending) -> None:
            if pending:
                studio.import_tasks(report.project_id, [payloads[d] for d in pending])

        _with_retries(attempt, attempts=attempts, backoff=backoff, report=report, before_retry=drop_arrived)
        report.pushed += len(batch)
        if on_batch:
            on_batch(number)

    # Existing tasks get the predictions of a model version they do not have yet (never a new task).
    additions = []
    for doc_id, tasks in index.items():
        payload = payloads.get(doc_id)
        if payload is None or "predictions" not in payload:
            continue
        task_id, versions = tasks[0]
        item = payload["predictions"][0]
        if item["model_version"] not in versions:
            additions.append({"task": task_id, **item})
    for start in range(0, len(additions), batch_size):
        chunk = additions[start : start + batch_size]

        def drop_present(chunk: list[dict[str, Any]] = chunk) -> None:
            fresh = {
                task_id: versions
                for tasks in studio.task_index(report.project_id).values()
                for task_id, versions in tasks
            }
            chunk[:] = [p for p in chunk if p["model_version"] not in fresh.get(p["task"], set())]

        def send_predictions(chunk: list[dict[str, Any]] = chunk) -> None:
            if chunk:
                studio.import_predictions(report.project_id, chunk)

        _with_retries(send_predictions, attempts=attempts, backoff=backoff, report=report, before_retry=drop_present)
        report.predictions_added += len(chunk)
    if len(model_versions) == 1:
        studio.update_project(report.project_id, model_version=model_versions.pop())
    return report
