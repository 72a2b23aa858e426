"""Label Studio through label-studio-sdk 2.x: the only module that talks to a server.

Every SDK/HTTP failure becomes a StudioError with a sentence that says what to do, marked retryable where
sending the same request again can help.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from feedcorpus.errors import StudioError
from feedcorpus.studio.connection import Connection
from feedcorpus.studio.protocol import Project, StudioApi, TaskRef

NO_RETRY: Any = {"max_retries": 0}  # the SDK's own retries can import a batch twice
RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


def _api_error(exc: ApiError, url: str, action: str) -> StudioError:
    status = exc.status_code
    detail = exc.body.get("detail") if isinstance(exc.body, dict) else str(exc.body)[:200]
    if status == 401:
        message = (
            f"Label Studio at {url} refused the API key while {action} (401 {detail}); check "
            "LABEL_STUDIO_API_KEY (a legacy token needs --enable-legacy-api-token on the server)"
        )
    elif status == 403:
        message = f"Label Studio at {url} forbids {action} (403 {detail}); use an admin's API key"
    elif status == 404:
        message = f"Label Studio at {url}: not found while {action} (404 {detail})"
    else:
        validation = exc.body.get("validation_errors") if isinstance(exc.body, dict) else None
        message = f"Label Studio at {url} answered {status} while {action}: {validation or detail}"
    return StudioError(message, retryable=status in RETRYABLE_STATUS, status_code=status)


@contextlib.contextmanager
def api_errors(url: str, action: str) -> Iterator[None]:
    """Translate SDK/HTTP failures into one-line StudioErrors."""
    try:
        yield
    except ApiError as exc:
        raise _api_error(exc, url, action) from exc
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise StudioError(
            f"cannot reach Label Studio at {url} while {action} ({exc}); is it running?", retryable=True
        ) from exc
    except httpx.TimeoutException as exc:
        raise StudioError(f"Label Studio at {url} timed out while {action}", retryable=True) from exc


def _project(item: Any) -> Project:
    return Project(
        id=int(item.id),
        title=str(item.title or ""),
        label_config=str(item.label_config or ""),
        task_number=int(item.task_number or 0),
        model_version=item.model_version,
        instructions=str(item.expert_instruction or ""),
    )


class Studio:
    """A connection to one Label Studio server (implements `protocol.StudioApi`)."""

    def __init__(self, connection: Connection, *, timeout: float = 120.0) -> None:
        self.url = connection.url
        self.client = LabelStudio(  # type: ignore[no-untyped-call]
            base_url=connection.url, api_key=connection.api_key, timeout=timeout
        )

    def whoami(self) -> dict[str, Any]:
        with api_errors(self.url, "checking the API key"):
            me = self.client.users.whoami()
        return {"id": me.id, "email": me.email, "username": me.username, "organization": me.active_organization}

    def server_id(self) -> str:
        """The active organization's id and creation time: fixed when the server's database was created."""
        organization = self.whoami()["organization"]
        if organization is None:
            return f"url:{self.url}"
        with api_errors(self.url, "reading the organization"):
            created = self.client.organizations.get(int(organization)).created_at
        return f"org-{organization}@{created.isoformat() if created else 'unknown'}"

    # projects ----------------------------------------------------------------------------------------
    def get_project(self, project_id: int) -> Project | None:
        try:
            with api_errors(self.url, f"reading project {project_id}"):
                return _project(self.client.projects.get(project_id))
        except StudioError as exc:
            if exc.status_code == 404:
                return None
            raise

    def find_project(self, title: str) -> Project | None:
        with api_errors(self.url, "listing projects"):
            projects: Any = self.client.projects.list(page_size=1000)
            matches = [p for p in projects if p.title == title]
        return _project(min(matches, key=lambda p: p.id)) if matches else None

    def create_project(self, title: str, label_config: str, instructions: str = "") -> Project:
        with api_errors(self.url, f"creating project {title!r}"):
            return _project(
                self.client.projects.create(
                    title=title,
                    label_config=label_config,
                    show_collab_predictions=True,
                    expert_instruction=instructions,
                    show_instruction=bool(instructions),
                    description="Entity annotation of news articles (feedcorpus). Guidelines: schemas/guidelines.md",
                    request_options=NO_RETRY,
                )
            )

    def update_project(self, project_id: int, **fields: Any) -> None:
        with api_errors(self.url, f"updating project {project_id}"):
            self.client.projects.update(project_id, **fields)

    # tasks -------------------------------------------------------------------------------------------
    def task_index(self, project_id: int) -> dict[str, list[TaskRef]]:
        """doc_id → the tasks holding it (with their prediction model versions), for every task in the project."""
        index: dict[str, list[TaskRef]] = {}
        with api_errors(self.url, f"listing the tasks of project {project_id}"):
            items: Any = self.client.tasks.list(
                project=project_id, include="id,data,predictions_model_versions,total_annotations", page_size=1000
            )
            for item in items:
                doc_id = (item.data or {}).get("doc_id")
                versions = frozenset(v for v in (item.predictions_model_versions or "").split(",") if v)
                if doc_id is not None and item.id is not None:
                    ref = TaskRef(int(item.id), versions, int(item.total_annotations or 0))
                    index.setdefault(str(doc_id), []).append(ref)
        return {doc: sorted(tasks, key=lambda t: t.id) for doc, tasks in index.items()}

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> None:
        """One POST for the whole batch, without the SDK's own retries (they can import a batch twice).

        The SDK takes plain dicts (its request models are pydantic); `Any` tells the type checker so.
        """
        request: Any = tasks
        with api_errors(self.url, f"importing {len(tasks)} tasks"):
            self.client.projects.import_tasks(
                project_id, request=request, commit_to_project=True, request_options=NO_RETRY
            )

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> int:
        request: Any = predictions
        with api_errors(self.url, f"importing {len(predictions)} predictions"):
            response = self.client.projects.import_predictions(project_id, request=request, request_options=NO_RETRY)
        return int(getattr(response, "created", 0) or 0)

    def delete_tasks(self, project_id: int, task_ids: list[int]) -> None:
        for task_id in task_ids:
            with api_errors(self.url, f"deleting task {task_id} of project {project_id}"):
                self.client.tasks.delete(str(task_id), request_options=NO_RETRY)

    # review ------------------------------------------------------------------------------------------
    def users(self) -> dict[int, str]:
        """user id → email of every account."""
        with api_errors(self.url, "listing users"):
            found: Any = self.client.users.list()
        return {int(u.id): str(u.email) for u in found}

    def create_user(self, email: str, password: str) -> int:
        with api_errors(self.url, f"creating user {email}"):
            user = self.client.users.create(
                username=email.split("@")[0], email=email, password=password, request_options=NO_RETRY
            )
        return int(user.id)

    def task_annotations(self, task_id: int) -> list[tuple[int, str, bool]]:
        """(annotation id, annotator email, cancelled) for every annotation of a task."""
        users = self.users()
        with api_errors(self.url, f"reading the annotations of task {task_id}"):
            found: Any = self.client.annotations.list(task_id)
        return [
            (int(a.id), users.get(int(a.completed_by or 0), f"user-{a.completed_by}"), bool(a.was_cancelled))
            for a in found
        ]

    def set_ground_truth(self, annotation_id: int, value: bool) -> None:
        with api_errors(self.url, f"updating annotation {annotation_id}"):
            self.client.annotations.update(annotation_id, ground_truth=value, request_options=NO_RETRY)

    def annotations_by_task(self, project_id: int) -> dict[int, list[tuple[str, bool]]]:
        """task id → (annotator email, cancelled) of its annotations, for every task of a project."""
        users = self.users()
        found: dict[int, list[tuple[str, bool]]] = {}
        with api_errors(self.url, f"listing the tasks of project {project_id}"):
            tasks: Any = self.client.tasks.list(project=project_id, fields="all", page_size=1000)
            for task in tasks:
                found[int(task.id)] = [
                    (users.get(int(a["completed_by"] or 0), f"user-{a['completed_by']}"), bool(a.get("was_cancelled")))
                    for a in (task.annotations or [])
                ]
        return found

    # export ------------------------------------------------------------------------------------------
    def export_snapshot(self, project_id: int, *, timeout: float = 600.0) -> bytes:
        """The project's full JSON export via the export-snapshot API (full predictions, annotator details)."""
        options: Any = {  # full objects, not ids (the SDK's request model accepts this dict)
            "drafts": {"only_id": False},
            "predictions": {"only_id": False},
            "annotations__completed_by": {"only_id": False},
        }
        with api_errors(self.url, f"creating an export snapshot of project {project_id}"):
            snapshot = self.client.projects.exports.create(
                project_id, title="feedcorpus export", serialization_options=options, request_options=NO_RETRY
            )
        assert snapshot.id is not None
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


def _conforms(studio: Studio) -> StudioApi:
    """mypy (make lint) checks here that the SDK client implements the whole protocol."""
    return studio
