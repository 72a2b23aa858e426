"""The `push` stage: documents with their predictions become Label Studio tasks, idempotently.

Re-running pushes only documents whose doc_id is not in the project yet; a newer model_version adds
predictions to existing tasks, never new tasks. Imports go in batches with the SDK's retries off; our own
retry first asks the server which doc_ids of the batch already arrived and resends only the rest.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from feedcorpus.documents import Document
from feedcorpus.errors import StudioError
from feedcorpus.labels import LabelSchema
from feedcorpus.stores.predictions import PredictionRecord
from feedcorpus.studio import reconcile
from feedcorpus.studio.labelcheck import ConfigValidator
from feedcorpus.studio.lock import PushLock
from feedcorpus.studio.protocol import Project, StudioApi, TaskRef
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
    instructions_updated: bool = False
    without_predictions: int = 0
    retries: int = 0
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # doc_id → task ids, as found
    removed_duplicates: list[int] = field(default_factory=list)
    dry_run: bool = False


def find_project(studio: StudioApi, title: str, state: PushState | None, server: str | None = None) -> Project | None:
    """The project a push made for this title on this server: the remembered id (it survives a rename and
    a restart on another port), else the oldest project with the title."""
    remembered = state.project_id(server or studio.server_id(), title, url=studio.url) if state else None
    project = studio.get_project(remembered) if remembered is not None else None
    return project or studio.find_project(title)


def labels_in_predictions(payloads: dict[str, dict[str, Any]]) -> set[str]:
    return {
        label
        for payload in payloads.values()
        for item in payload.get("predictions", [])
        for region in item["result"]
        for label in region["value"]["labels"]
    }


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


@dataclass(frozen=True)
class PushOptions:
    title: str = DEFAULT_PROJECT
    instructions: str = ""  # HTML shown before labeling (the guidelines)
    batch_size: int = 500
    update_config: bool = False
    dedupe: bool = False
    dry_run: bool = False
    attempts: int = 4
    backoff: float = 1.0


def push(
    studio: StudioApi,
    documents: list[Document],
    predictions: dict[str, PredictionRecord],
    schema: LabelSchema,
    label_config: str,
    *,
    state: PushState | None = None,
    lock: PushLock | None = None,
    on_wait: Callable[[int | None], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    **options: Any,
) -> PushReport:
    """Make sure every document is exactly once in the project, with the given predictions.

    Options as in PushOptions. With a lock, pushes to the same project from this folder run one at a time.
    """
    settings = PushOptions(**options)
    payloads = build_payloads(documents, predictions, schema, label_config)
    studio.whoami()
    server = studio.server_id()
    held = lock.hold(f"{server}|{settings.title}", on_wait=on_wait) if lock else contextlib.nullcontext()
    with held:
        run = _Push(studio, payloads, label_config, settings, on_batch)
        project = run.project(state, server)
        if project is None or settings.dry_run:
            return run.report
        run.put_right(project)
        run.import_missing(project)
        run.add_predictions(project)
        versions = {r.model_version for r in predictions.values()}
        if len(versions) == 1:
            studio.update_project(project.id, model_version=versions.pop())
    return run.report


class _Push:
    """One push run: its project, what is on the server, and the report of what was done."""

    def __init__(
        self,
        studio: StudioApi,
        payloads: dict[str, dict[str, Any]],
        label_config: str,
        options: PushOptions,
        on_batch: Callable[[int], None] | None,
    ) -> None:
        self.studio, self.payloads, self.label_config, self.options = studio, payloads, label_config, options
        self.on_batch = on_batch
        self.report = PushReport(dry_run=options.dry_run)
        self.report.without_predictions = sum(1 for p in payloads.values() if "predictions" not in p)
        self.index: dict[str, list[TaskRef]] = {}

    def _retry(self, action: Callable[[], None], before_retry: Callable[[], None]) -> None:
        options = self.options
        with_retries(
            action, attempts=options.attempts, backoff=options.backoff, report=self.report, before_retry=before_retry
        )

    def project(self, state: PushState | None, server: str) -> Project | None:
        """The project (created if missing), its config checked, its tasks indexed; None for a dry run's new one."""
        report, title = self.report, self.options.title
        project = find_project(self.studio, title, state, server)
        if project is None:
            if self.options.dry_run:
                report.pushed = len(self.payloads)
                return None
            project = self.studio.create_project(title, self.label_config, self.options.instructions)
            report.created_project = True
        report.project_id = project.id
        report.project_url = f"{self.studio.url}/projects/{project.id}/data"
        if state and not self.options.dry_run:
            state.remember(server, title, project.id)
        if not report.created_project and project.label_config.strip() != self.label_config.strip():
            self._check_config(project)
        wanted = self.options.instructions
        if wanted and project.instructions.strip() != wanted.strip() and not self.options.dry_run:
            self.studio.update_project(project.id, expert_instruction=wanted, show_instruction=True)
            report.instructions_updated = True
        # A project created just now is empty: no need to list its tasks.
        self.index = {} if report.created_project else self.studio.task_index(project.id)
        report.duplicates = reconcile.duplicates(self.index)
        report.already_present = sum(1 for doc_id in self.payloads if doc_id in self.index)
        if self.options.dry_run:
            report.pushed = len(self.payloads) - report.already_present
        return project

    def _check_config(self, project: Project) -> None:
        self.report.config_differs = True
        missing = labels_in_predictions(self.payloads) - ConfigValidator(project.label_config).labels()
        if missing and not self.options.update_config:
            raise StudioError(
                f"project {project.id}'s labeling config has no label {', '.join(sorted(missing))} that the "
                "predictions use; re-run with --update-config to replace it with the one from schemas/labels.yaml"
            )
        if self.options.update_config and not self.options.dry_run:
            self.studio.update_project(project.id, label_config=self.label_config)
            self.report.config_updated = True

    def put_right(self, project: Project) -> None:
        """With --dedupe, remove duplicate tasks that hold no annotations."""
        if self.options.dedupe and self.report.duplicates:
            self.report.removed_duplicates = reconcile.removable_duplicates(self.index)
            self.studio.delete_tasks(project.id, self.report.removed_duplicates)

    def import_missing(self, project: Project) -> None:
        missing = [doc_id for doc_id in self.payloads if doc_id not in self.index]
        size = self.options.batch_size
        for number, start in enumerate(range(0, len(missing), size), 1):
            pending = missing[start : start + size]
            count = len(pending)

            def drop_arrived(pending: list[str] = pending) -> None:
                # A failed POST may still have been committed: resend only what did not arrive.
                arrived = self.studio.task_index(project.id)
                pending[:] = [d for d in pending if d not in arrived]

            def attempt(pending: list[str] = pending) -> None:
                if pending:
                    self.studio.import_tasks(project.id, [self.payloads[d] for d in pending])

            self._retry(attempt, drop_arrived)
            self.report.pushed += count
            if self.on_batch:
                self.on_batch(number)

    def add_predictions(self, project: Project) -> None:
        """Existing tasks get the predictions of a model version they lack (never a new task)."""
        additions = reconcile.missing_predictions(self.index, self.payloads, skip=self.report.removed_duplicates)
        size = self.options.batch_size
        for start in range(0, len(additions), size):
            chunk = additions[start : start + size]
            count = len(chunk)  # a retry drops what a lost answer already committed: count the chunk as planned

            def drop_present(chunk: list[dict[str, Any]] = chunk) -> None:
                index = self.studio.task_index(project.id)
                fresh = {t.id: t.model_versions for tasks in index.values() for t in tasks}
                chunk[:] = [p for p in chunk if p["model_version"] not in fresh.get(p["task"], frozenset())]

            def send(chunk: list[dict[str, Any]] = chunk) -> None:
                if chunk:
                    self.studio.import_predictions(project.id, chunk)

            self._retry(send, drop_present)
            self.report.predictions_added += count
