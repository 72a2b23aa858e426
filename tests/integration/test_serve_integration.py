"""The ML backend against the real Label Studio: connect it, open a task imported without predictions and find
the backend's prediction (preannotate's spans, its version), annotate and see the webhooks counted, train a
tiny model and see its version served and shown, restart and resume, and a crashed run keep the model."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sdk_helpers import create_annotation, task_predictions

from feedcorpus.cli import cli
from feedcorpus.labels import label_config_xml, load_label_schema
from feedcorpus.serve.daemon import Daemon, fetch_status
from feedcorpus.stores.documents import JsonDocumentStore
from feedcorpus.stores.predictions import PredictionStore
from feedcorpus.studio.client import Studio
from feedcorpus.studio.tasks import task_data
from testdata_paths import REPO

pytestmark = pytest.mark.integration
SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
TITLE = "live model"
TINY = ["--train-every", "3", "--epochs", "2", "--folds", "2", "--no-rehearsal", "--promote", "always"]


def run(project: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--project-dir", str(project)])
    assert result.exit_code == 0, result.output
    return result


def call(url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}{path}", data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        found: dict[str, Any] = json.loads(response.read())
    return found


def wait_for_run(url: str, runs: int, timeout: float = 400) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = call(url, "/status")
        if status["runs"] >= runs and status["training"] is None:
            return status
        time.sleep(1)
    raise AssertionError(f"training run {runs} did not finish in {timeout} s: {call(url, '/status')}")


@pytest.fixture(scope="module")
def backend(seed_project: Path) -> Iterator[Daemon]:
    daemon = Daemon(seed_project / ".studio" / "serve")
    yield daemon
    daemon.stop()
    assert not daemon.state().running


def next_task(studio: Any, project_id: int) -> dict[str, Any]:
    """The task the labeling stream ("Label All Tasks") gives the annotator, with the predictions it shows."""
    assert studio.status.credentials is not None
    request = urllib.request.Request(
        f"{studio.status.url}/api/projects/{project_id}/next",
        headers={"Authorization": f"Token {studio.status.credentials.token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        found: dict[str, Any] = json.loads(response.read())
    return found


def open_task(client: Studio, project_id: int, document: Any) -> int:
    """Import one task with no predictions and open it as the labeling screen does (GET /api/tasks/<id>)."""
    before = {t.id for t in client.client.tasks.list(project=project_id)}
    client.import_tasks(project_id, [{"data": task_data(document)}])
    (task_id,) = {t.id for t in client.client.tasks.list(project=project_id)} - before
    client.client.tasks.get(task_id)
    return int(task_id)


def test_live_predictions_webhooks_training_and_restart(studio, seed_project, backend):
    documents = sorted(JsonDocumentStore(seed_project / "corpus" / "documents").documents(), key=lambda d: d.id)
    client = studio.client()
    project = client.create_project(TITLE, label_config_xml(SCHEMA))
    run(seed_project, "serve", "--background", "--port", "0", *TINY)
    url = backend.state().url
    assert url is not None and url.startswith("http://127.0.0.1:")
    served = call(url, "/health")["model_version"]
    connected = run(seed_project, "studio", "connect-model", "--project", TITLE)
    assert f"model version {served}" in connected.output
    assert client.get_project(project.id).model_version == served

    # predictions from the backend when a task without any is opened: preannotate's spans and version
    stored = PredictionStore(seed_project / "corpus" / "predictions").read(served)
    tasks = {}
    for document in documents[:4]:
        task_id = tasks[document.id] = open_task(client, project.id, document)
        (prediction,) = task_predictions(client, task_id)
        assert prediction.model_version == served
        got = sorted((r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in prediction.result)
        assert got == sorted(s.key for s in stored[document.id].spans)
    assert [p["model_version"] for p in next_task(studio, project.id)["predictions"]] == [served]

    # annotations reach the backend as webhooks; the third starts a training run (--train-every 3)
    for number, document in enumerate(documents[:3], 1):
        (prediction,) = task_predictions(client, tasks[document.id])
        create_annotation(client, tasks[document.id], prediction.result)
        if number < 3:
            assert call(url, "/status")["projects"][str(project.id)]["pending"] == number
    status = wait_for_run(url, 1)
    assert status["last_run"]["status"] == "promoted", status
    trained = status["model_version"]
    assert trained != served and status["projects"][str(project.id)] == {"pending": 0, "events": 3, "trainings": 1}
    assert client.get_project(project.id).model_version == trained  # the project shows the new version
    # the task opened but not annotated was predicted again by the new version (for the labeling stream)
    versions = {p.model_version for p in task_predictions(client, tasks[documents[3].id])}
    assert versions == {served, trained}
    assert [p["model_version"] for p in next_task(studio, project.id)["predictions"]] == [trained]
    (prediction,) = task_predictions(client, open_task(client, project.id, documents[4]))
    assert prediction.model_version == trained

    # the same webhook twice counts once
    repeat = {"action": "ANNOTATION_UPDATED", "project": {"id": project.id}, "annotation": {"id": 10**6}}
    assert call(url, "/webhook", repeat)["status"] == "counted"
    assert call(url, "/webhook", repeat)["status"] == "repeat"

    # a restart (on the port Label Studio knows) serves the promoted model and resumes the counts; a
    # crashing training run keeps it serving
    assert run(seed_project, "serve", "--stop").output.startswith("backend stopped")
    port = url.rsplit(":", 1)[1]
    run(seed_project, "serve", "--background", "--port", port, *TINY, "--base", str(seed_project / "no-such-model"))
    assert backend.state().url == url
    status = call(url, "/status")
    assert status["model_version"] == trained
    assert status["projects"][str(project.id)] == {"pending": 1, "events": 4, "trainings": 1}
    assert call(url, "/webhook", {"action": "START_TRAINING", "project": {"id": project.id}})["status"] == "started"
    status = wait_for_run(url, 2)
    assert status["last_run"]["status"] == "failed" and "no-such-model" in status["last_run"]["error"]
    assert status["model_version"] == trained
    (prediction,) = task_predictions(client, open_task(client, project.id, documents[5]))
    assert prediction.model_version == trained
    shown = run(seed_project, "studio", "status").output
    assert f"model version: {trained}" in shown and "last training run 2: failed" in shown


def test_basic_auth_and_your_own_server(studio, seed_project, tmp_path, monkeypatch):
    """A backend behind basic auth, used through LABEL_STUDIO_URL/_API_KEY as with your own server: Label
    Studio sends the credentials with /predict and, through the webhook's header, with every event."""
    project_dir = tmp_path / "own-server"
    shutil.copytree(REPO / "schemas", project_dir / "schemas")
    assert studio.status.credentials is not None and studio.status.url is not None
    monkeypatch.setenv("LABEL_STUDIO_URL", studio.status.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio.status.credentials.token)
    monkeypatch.setenv("FEEDCORPUS_SERVE_USER", "label-studio")
    monkeypatch.setenv("FEEDCORPUS_SERVE_PASSWORD", "not-on-any-command-line")
    auth = ("label-studio", "not-on-any-command-line")
    client = studio.client()
    project = client.create_project("live model with auth", label_config_xml(SCHEMA))
    daemon = Daemon(project_dir / ".studio" / "serve")
    try:
        run(project_dir, "serve", "--background", "--port", "0", "--train-every", "0")
        url = daemon.state().url
        assert url is not None
        with pytest.raises(urllib.error.HTTPError, match="401"):
            call(url, "/status")
        run(project_dir, "studio", "connect-model", "--project", "live model with auth")
        document = JsonDocumentStore(seed_project / "corpus" / "documents").documents()[0]
        task_id = open_task(client, project.id, document)
        (prediction,) = task_predictions(client, task_id)
        assert prediction.model_version == fetch_status(url, auth)["model_version"]  # type: ignore[index]
        create_annotation(client, task_id, prediction.result)
        assert fetch_status(url, auth)["projects"] == {  # type: ignore[index]
            str(project.id): {"pending": 1, "events": 1, "trainings": 0}
        }
    finally:
        daemon.stop()
