"""Connecting the project's ML backend (`feedcorpus serve`) to a Label Studio project through the SDK.

Label Studio asks the backend for predictions when a task without any is opened (the project's
`evaluate_predictions_automatically`), and its labeling stream shows only predictions whose version is the
project's `model_version`, which must name a live backend's title or stored predictions. So the backend's
title is its model version, the project's model_version is set to it, and a promotion renames the backend
(Label Studio then moves the project's model_version along). Creating the backend makes
Label Studio add a webhook to <url>/webhook for every action; with basic auth, that webhook is given the
same Authorization header, or the backend would refuse Label Studio's annotation events.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from feedcorpus.errors import StudioError
from feedcorpus.studio.client import NO_RETRY, Studio, api_errors

SSRF_HINT = (
    "Label Studio refuses backends on loopback or private addresses unless its environment sets "
    "ML_BLOCK_LOCAL_IP=false and SSRF_PROTECTION_ENABLED=false: restart the local server "
    "(`feedcorpus studio stop && feedcorpus studio start` sets both), set them on your own server, "
    "or run the backend at an address the server may call"
)
DESCRIPTION = "feedcorpus serve: the project's pre-annotator, retrained from its annotations"


@dataclass(frozen=True)
class BackendLink:
    id: int
    url: str
    state: str  # Label Studio's view: CO (connected), DI (disconnected), ER (error), TR (training)
    model_version: str
    error: str | None = None
    ours: bool = False  # registered by connect-model


def _link(item: Any) -> BackendLink:
    return BackendLink(
        int(item.id),
        str(item.url),
        str(item.state or ""),
        str(item.model_version or ""),
        item.error_message,
        item.description == DESCRIPTION,
    )


def backends(studio: Studio, project_id: int) -> list[BackendLink]:
    with api_errors(studio.url, f"listing the ML backends of project {project_id}"):
        found: Any = studio.client.ml.list(project=project_id)
    return [_link(item) for item in found]


def connect_model(studio: Studio, project_id: int, url: str, *, auth: tuple[str, str] | None = None) -> BackendLink:
    """Register (or re-register) the backend at url with the project and make the project use it."""
    url = url.rstrip("/")
    credentials = _credentials(auth)
    existing = [b for b in backends(studio, project_id) if b.url.rstrip("/") == url]
    try:
        link = _register(studio, project_id, url, existing, credentials)
    except StudioError as exc:
        if "reserved network address" in str(exc):
            raise StudioError(f"{exc}. {SSRF_HINT}") from exc
        raise
    if link.state not in ("CO", "TR") or not link.model_version:
        raise StudioError(
            f"Label Studio at {studio.url} cannot use the backend at {url} (state {link.state}: "
            f"{link.error or 'no model version'}); is `feedcorpus serve` running and reachable from the server?"
        )
    _webhook_auth(studio, project_id, url, auth)
    show_version(studio, project_id, link.model_version, auth=auth)
    return link


def _credentials(auth: tuple[str, str] | None) -> dict[str, Any]:
    """Every change of a backend is checked by a health call with the credentials sent along."""
    if auth:
        return {"auth_method": "BASIC_AUTH", "basic_auth_user": auth[0], "basic_auth_pass": auth[1]}
    return {"auth_method": "NONE"}


def _register(
    studio: Studio, project_id: int, url: str, existing: list[BackendLink], credentials: dict[str, Any]
) -> BackendLink:
    with api_errors(studio.url, f"connecting the ML backend {url} to project {project_id}"):
        if existing:
            item = studio.client.ml.update(
                existing[0].id,
                url=url,
                project=project_id,
                auto_update=True,
                is_interactive=False,
                description=DESCRIPTION,
                **credentials,
            )
        else:
            item = studio.client.ml.create(
                project=project_id,
                url=url,
                auto_update=True,
                is_interactive=False,
                description=DESCRIPTION,
                request_options=NO_RETRY,
                **credentials,
            )
        return _link(studio.client.ml.get(int(item.id)))


def show_version(studio: Studio, project_id: int, model_version: str, *, auth: tuple[str, str] | None = None) -> None:
    """Fetch predictions when a task without any opens, and show this version's (our backends take it as
    their title first: the project's model_version must name a live model or stored predictions)."""
    for link in backends(studio, project_id):
        if link.ours:
            with api_errors(studio.url, f"renaming ML backend {link.id} of project {project_id}"):
                studio.client.ml.update(  # a change needs url, project and the credentials
                    link.id, url=link.url, project=project_id, title=model_version, **_credentials(auth)
                )
    studio.update_project(
        project_id,
        evaluate_predictions_automatically=True,
        show_collab_predictions=True,
        model_version=model_version,
    )


def _webhook_auth(studio: Studio, project_id: int, url: str, auth: tuple[str, str] | None) -> None:
    headers = {}
    if auth:
        headers = {"Authorization": "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()}
    with api_errors(studio.url, f"configuring the backend's webhook in project {project_id}"):
        hooks: Any = studio.client.webhooks.list(project=str(project_id))
        for hook in hooks:
            if str(hook.url).rstrip("/") == f"{url}/webhook" and (hook.headers or {}) != headers:
                studio.client.webhooks.update(int(hook.id), url=str(hook.url), headers=headers)


def refresh_predictions(studio: Studio, project_id: int, *, batch: int = 100) -> int:
    """Ask Label Studio to fetch the backend's predictions for every task without annotations (the Data
    Manager's "Retrieve Predictions", in batches): its labeling stream shows only the project's
    model_version, so after a promotion tasks predicted by an earlier version would show nothing. Label
    Studio skips tasks that already have this version's prediction. Returns the tasks asked for."""
    with api_errors(studio.url, f"listing the tasks of project {project_id}"):
        found: Any = studio.client.tasks.list(project=project_id, include="id,total_annotations", page_size=1000)
        open_tasks = [int(t.id) for t in found if t.id is not None and not t.total_annotations]
    for first in range(0, len(open_tasks), batch):
        selected: Any = {"all": False, "included": open_tasks[first : first + batch]}
        with api_errors(studio.url, f"retrieving predictions for project {project_id}"):
            studio.client.actions.create(
                id="retrieve_tasks_predictions", project=project_id, selected_items=selected, request_options=NO_RETRY
            )
    return len(open_tasks)
