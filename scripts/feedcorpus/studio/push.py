"""The `push` stage: documents with their predictions become Label Studio tasks, idempotently.

Re-running pushes only documents whose doc_id is not in the project yet; a newer model_version adds
predictions to existing tasks, never new tasks. Imports go in batches with the SDK's retries off; our own
retry first asks the server which doc_ids of the batch already arrived and resends only the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from feedcorpus.documents import Document
from feedcorpus.errors import StudioError
from feedcorpus.labels import LabelSchema
from feedcorpus.stores.predictions import PredictionRecord
from feedcorpus.studio.labelcheck import ConfigValidator
from feedcorpus.studio.protocol import Project, StudioApi
from feedcorpus.studio.state import PushState
from feedcorpus.studio.tasks import task

DEFAULT_PROJECT = "feedcorpus news NER"
T = TypeVar("T")


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


def find_project(studio: StudioApi, title: str, state: PushState | None) -> Project | None:
    """The project a push made for this title: the id remembered in the state file, else by title."""
    remembered = state.project_id(studio.url, title) if state else None
    project = studio.get_project(remembered) if remembered is not None else None
    return project or studio.find_project(title)


def build_payloads(
    documents: list[Document],
    predictions: dict[str, PredictionRecord],
    schema: LabelSchema,
    label_config: str,
) -> dict[str, dict[str, Any]]:
    """doc_id → import task, with predictions validated against the text, label set and labeling config."""
    payloads = {}
    validator = ConfigValidator(label_config)
    for document in documents:
        record = predictions.get(document.id)
        if record is not None and record.doc_sha256 not in (None, document.sha256):
            raise StudioError(
                "the predictions were made for another version of this document; run `feedcorpus preannotate`",
                record=document.id,
            )
        spans = list(record.spans) if record is not None else None
        payload = task(document, spans, record.model_version if record else None, schema.names)
        validator.validate(payload.get("predictions", []), record=document.id)
        payloads[document.id] = payload
    return payloads


def with_retries(
    action: Callable[[], T],
    *,
    attempts: int,
    backoff: float,
    report: PushReport,
    before_retry: Callable[[], None] | None = None,
) -> T:
    """Run action, retrying retryable StudioErrors with exponential backoff (before_retry runs first)."""
    for attempt in range(1, attempts + 1):
        try:
            if attempt > 1 and before_retry:
                before_retry()
            return action()
        except StudioError as exc:
            if not exc.retryable or attempt == attempts:
                raise
            report.retries += 1
            time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def push(
    studio: StudioApi,
    documents: list[Document],
    predictions: dict[str, PredictionRecord],
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
    model_versions = {r.model_version for r in predictions.values()}
    studio.whoami()

    project = find_project(studio, title, state)
    if project is None:
        if dry_run:
            report.pushed = len(payloads)
            return report
        project = studio.create_project(title, label_config)
        report.created_project = True
    project_id = report.project_id = project.id
    report.project_url = f"{studio.url}/projects/{project_id}/data"
    if state and not dry_run:
        state.remember(studio.url, title, project_id)
    if not report.created_project and project.label_config.strip() != label_config.strip():
        report.config_differs = True
        if update_config and not dry_run:
            studio.update_project(project_id, label_config=label_config)
            report.config_updated = True

    # A project created just now is empty: no need to list its tasks.
    index = {} if report.created_project else studio.task_index(project_id)
    report.duplicate_doc_ids = sorted(doc for doc, tasks in index.items() if len(tasks) > 1)
    missing = [doc_id for doc_id in payloads if doc_id not in index]
    report.already_present = len(payloads) - len(missing)
    if dry_run:
        report.pushed = len(missing)
        return report

    for number, start in enumerate(range(0, len(missing), batch_size), 1):
        pending = missing[start : start + batch_size]
        count = len(pending)

        def drop_arrived(pending: list[str] = pending) -> None:
            # A failed POST may still have been committed: resend only what did not arrive.
            arrived = studio.task_index(project_id)
            pending[:] = [d for d in pending if d not in arrived]

        def attempt(pending: list[str] = pending) -> None:
            if pending:
                studio.import_tasks(project_id, [payloads[d] for d in pending])

        with_retries(attempt, attempts=attempts, backoff=backoff, report=report, before_retry=drop_arrived)
        report.pushed += count
        if on_batch:
            on_batch(number)

    # Existing tasks get the predictions of a model version they do not have yet (never a new task).
    additions = []
    for doc_id, tasks in index.items():
        payload = payloads.get(doc_id)
        if payload is None or "predictions" not in payload:
            continue
        item = payload["predictions"][0]
        if item["model_version"] not in tasks[0].model_versions:
            additions.append({"task": tasks[0].id, **item})
    for start in range(0, len(additions), batch_size):
        chunk = additions[start : start + batch_size]
        count = len(chunk)  # a retry drops what a lost answer already committed: count the chunk as planned

        def drop_present(chunk: list[dict[str, Any]] = chunk) -> None:
            fresh = {t.id: t.model_versions for tasks in studio.task_index(project_id).values() for t in tasks}
            chunk[:] = [p for p in chunk if p["model_version"] not in fresh.get(p["task"], frozenset())]

        def send_predictions(chunk: list[dict[str, Any]] = chunk) -> None:
            if chunk:
                studio.import_predictions(project_id, chunk)

        with_retries(send_predictions, attempts=attempts, backoff=backoff, report=report, before_retry=drop_present)
        report.predictions_added += count
    if len(model_versions) == 1:
        studio.update_project(project_id, model_version=model_versions.pop())
    return report
