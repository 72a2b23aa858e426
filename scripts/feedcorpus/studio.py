"""Label Studio through label-studio-sdk 2.x: the only module that imports the SDK.

Every SDK/HTTP failure is turned into a StudioError with a sentence that says what to do.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.label_interface import LabelInterface

from feedcorpus.errors import StudioError
from feedcorpus.fileio import atomic_write_text, read_json
from feedcorpus.server import LocalStudio

NO_RETRY = {"max_retries": 0}
RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Connection:
    url: str
    api_key: str
    local: bool


def resolve_connection(local: LocalStudio) -> Connection:
    """LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY when set, else the project's local server."""
    url = os.environ.get("LABEL_STUDIO_URL")
    if url:
        key = os.environ.get("LABEL_STUDIO_API_KEY")
        if not key:
            raise StudioError("LABEL_STUDIO_URL is set but LABEL_STUDIO_API_KEY is not; set both for your own server")
        return Connection(url.rstrip("/"), key, local=False)
    status = local.status()
    if not status.running or status.credentials is None or status.url is None:
        raise StudioError(
            "the local Label Studio is not running; start it with `feedcorpus studio start`, "
            "or set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY for your own server"
        )
    return Connection(status.url, status.credentials.token, local=True)


@contextlib.contextmanager
def api_errors(url: str, action: str) -> Iterator[None]:
    """Translate SDK/HTTP failures into one-line StudioErrors (marked retryable where retrying can help)."""
    try:
        yield
    except ApiError as exc:
        status = exc.status_code
        detail = exc.body.get("detail") if isinstance(exc.body, dict) else str(exc.body)[:200]
        if status == 401:
            error = StudioError(
                f"Label Studio at {url} refused the API key while {action} (401 {detail}); check "
                "LABEL_STUDIO_API_KEY (a legacy token needs --enable-legacy-api-token on the server)"
            )
        elif status == 403:
            error = StudioError(f"Label Studio at {url} forbids {action} (403 {detail}); use an admin's API key")
        elif status == 404:
            error = StudioError(f"Label Studio at {url}: not found while {action} (404 {detail})")
        else:
            validation = exc.body.get("validation_errors") if isinstance(exc.body, dict) else None
            error = StudioError(f"Label Studio at {url} answered {status} while {action}: {validation or detail}")
        error.retryable = status in RETRYABLE_STATUS  # type: ignore[attr-defined]
        error.status_code = status  # type: ignore[attr-defined]
        raise error from exc
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        error = StudioError(f"cannot reach Label Studio at {url} while {action} ({exc}); is it running?")
        error.retryable = True  # type: ignore[attr-defined]
        raise error from exc
    except httpx.TimeoutException as exc:
        error = StudioError(f"Label Studio at {url} timed out while {action}")
        error.retryable = True  # type: ignore[attr-defined]
        raise error from exc


class Studio:
    """A connection to one Label Studio server."""

    def __init__(self, connection: Connection, *, timeout: float = 120.0) -> None:
        self.url = connection.url
        self.client = LabelStudio(base_url=connection.url, api_key=connection.api_key, timeout=timeout)

    def whoami(self) -> dict[str, Any]:
        with api_errors(self.url, "checking the API key"):
            me = self.client.users.whoami()
        return {"id": me.id, "email": me.email, "username": me.username}

    # projects ----------------------------------------------------------------------------------------
    def get_project(self, project_id: int) -> Any | None:
        try:
            with api_errors(self.url, f"reading project {project_id}"):
                return self.client.projects.get(project_id)
        except StudioError as exc:
            if getattr(exc, "status_code", None) == 404:
                return None
            raise

    def find_project(self, title: str) -> Any | None:
        with api_errors(self.url, "listing projects"):
            matches = [p for p in self.client.projects.list(page_size=1000) if p.title == title]
        return min(matches, key=lambda p: p.id) if matches else None

    def remembered_project(self, title: str, state: PushState | None) -> Any | None:
        """The project a push made for this title: the id remembered in the state file, else by title."""
        remembered = state.project_id(self.url, title) if state else None
        project = self.get_project(remembered) if remembered is not None else None
        return project or self.find_project(title)

    def create_project(self, title: str, label_config: str) -> Any:
        with api_errors(self.url, f"creating project {title!r}"):
            return self.client.projects.create(
                title=title,
                label_config=label_config,
                show_collab_predictions=True,
                description="Entity annotation of news articles (feedcorpus). Guidelines: schemas/guidelines.md",
                request_options=NO_RETRY,
            )

    def update_project(self, project_id: int, **fields: Any) -> None:
        with api_errors(self.url, f"updating project {project_id}"):
            self.client.projects.update(project_id, **fields)

    # tasks -------------------------------------------------------------------------------------------
    def task_index(self, project_id: int) -> dict[str, list[tuple[int, set[str]]]]:
        """doc_id → [(task id, prediction model versions)] for every task in the project."""
        index: dict[str, list[tuple[int, set[str]]]] = {}
        with api_errors(self.url, f"listing the tasks of project {project_id}"):
            for item in self.client.tasks.list(
                project=project_id, include="id,data,predictions_model_versions", page_size=1000
            ):
                doc_id = (item.data or {}).get("doc_id")
                versions = {v for v in (item.predictions_model_versions or "").split(",") if v}
                if doc_id is not None:
                    index.setdefault(str(doc_id), []).append((int(item.id), versions))
        return index

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> list[int]:
        """One POST for the whole batch, without the SDK's own retries (they can import a batch twice)."""
        with api_errors(self.url, f"importing {len(tasks)} tasks"):
            response = self.client.projects.import_tasks(
                project_id, request=tasks, return_task_ids=True, commit_to_project=True, request_options=NO_RETRY
            )
        return list(response.task_ids or [])

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> int:
        with api_errors(self.url, f"importing {len(predictions)} predictions"):
            response = self.client.projects.import_predictions(
                project_id, request=predictions, request_options=NO_RETRY
            )
        return int(getattr(response, "created", 0) or 0)

    # users and annotations (used by annotation tooling and tests) ---------------------------------------
    def create_annotation(
        self,
        task_id: int,
        result: list[dict[str, Any]],
        *,
        ground_truth: bool = False,
        was_cancelled: bool = False,
        completed_by: int | None = None,
        parent_prediction: int | None = None,
        lead_time: float | None = None,
    ) -> int:
        """One annotation of a task; completed_by records it under an annotator's account."""
        given = {"completed_by": completed_by, "parent_prediction": parent_prediction, "lead_time": lead_time}
        extra = {k: v for k, v in given.items() if v is not None}
        with api_errors(self.url, f"annotating task {task_id}"):
            annotation = self.client.annotations.create(
                task_id,
                result=result,
                ground_truth=ground_truth,
                was_cancelled=was_cancelled,
                request_options=NO_RETRY,
                **extra,
            )
        return int(annotation.id)

    def ensure_user(self, email: str, password: str) -> int:
        """The id of the annotator account with this email, created when missing."""
        with api_errors(self.url, "listing users"):
            for user in self.client.users.list():
                if user.email == email:
                    return int(user.id)
        with api_errors(self.url, f"creating user {email}"):
            user = self.client.users.create(
                username=email.split("@")[0], email=email, password=password, request_options=NO_RETRY
            )
        return int(user.id)

    def task_predictions(self, task_id: int) -> list[Any]:
        with api_errors(self.url, f"reading the predictions of task {task_id}"):
            return list(self.client.predictions.list(task=task_id))

    # export ------------------------------------------------------------------------------------------
    def export_snapshot(self, project_id: int, *, timeout: float = 600.0) -> bytes:
        """The project's full JSON export via the export-snapshot API (full predictions, annotator details)."""
        import time

        with api_errors(self.url, f"creating an export snapshot of project {project_id}"):
            snapshot = self.client.projects.exports.create(
                project_id,
                title="feedcorpus export",
                serialization_options={
                    "drafts": {"only_id": False},
                    "predictions": {"only_id": False},
                    "annotations__completed_by": {"only_id": False},
                },
                request_options=NO_RETRY,
            )
        deadline = time.monotonic() + timeout
        status = snapshot.status
        while status not in ("completed", "failed"):
            if time.monotonic() > deadline:
                raise StudioError(f"export snapshot {snapshot.id} of project {project_id} did not finish in time")
            time.sleep(0.5)
            with api_errors(self.url, "waiting for the export snapshot"):
                status = self.client.projects.exports.get(project_id, snapshot.id).status
        if status == "failed":
            raise StudioError(f"Label Studio failed to build export snapshot {snapshot.id} of project {project_id}")
        with api_errors(self.url, "downloading the export snapshot"):
            return b"".join(self.client.projects.exports.download(project_id, snapshot.id, export_type="JSON"))


class ConfigValidator:
    """Label Studio stores whatever predictions it is sent; check them against the labeling config first.

    The SDK's LabelInterface checks a region's structure (names, type, labels, value types), not its
    offsets, which `spans.check_span` checks against the text. So each distinct region shape is validated
    once: 10,000 tasks with 16 regions each cost a few hundred checks instead of 160,000.
    """

    def __init__(self, label_config: str) -> None:
        self.interface = LabelInterface(label_config)
        self._valid_shapes: set[str] = set()

    @staticmethod
    def _shape(region: dict[str, Any]) -> str:
        value = region.get("value")
        if isinstance(value, dict):
            value = {k: v if k not in ("start", "end", "text") else type(v).__name__ for k, v in value.items()}
        return json.dumps({**region, "value": value, "id": type(region.get("id")).__name__}, sort_keys=True)

    def validate(self, predictions: list[dict[str, Any]], *, record: str = "") -> None:
        for item in predictions:
            result = item.get("result")
            if isinstance(result, list) and all(isinstance(r, dict) for r in result):
                shapes = {self._shape(r): r for r in result}
                fresh = [r for key, r in shapes.items() if key not in self._valid_shapes]
                item = {**item, "result": fresh}
            else:
                shapes = {}
            errors = self.interface.validate_prediction(item, return_errors=True)
            if errors:
                raise StudioError(f"prediction does not fit the labeling config: {errors[0]}", record=record)
            self._valid_shapes.update(shapes)


class PushState:
    """Which project id a (server, title) pair maps to, remembered between runs (git-ignored file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, Any]:
        try:
            return read_json(self.path) if self.path.exists() else {}
        except (OSError, ValueError):
            return {}

    def project_id(self, url: str, title: str) -> int | None:
        return self._load().get(url, {}).get(title)

    def remember(self, url: str, title: str, project_id: int) -> None:
        data = self._load()
        data.setdefault(url, {})[title] = project_id
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
