"""`push` against the real Label Studio: idempotence, new model versions, interruption, bad credentials."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.documents import build_text
from feedcorpus.errors import StudioError
from feedcorpus.labels import label_config_xml, load_label_schema
from feedcorpus.stores.documents import JsonDocumentStore
from feedcorpus.stores.predictions import PredictionStore
from feedcorpus.studio import push as stage
from feedcorpus.studio.client import Studio
from testdata_paths import REPO

pytestmark = pytest.mark.integration
SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
CONFIG = label_config_xml(SCHEMA)


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project)])


def tasks_by_doc(client: Studio, project_id: int) -> dict[str, list]:
    found: dict[str, list] = {}
    for item in client.client.tasks.list(project=project_id, fields="all", page_size=1000):
        found.setdefault(item.data["doc_id"], []).append(item)
    return found


def test_push_seed_twice_gives_ten_tasks_with_their_predictions(studio, seed_project):
    # the local server is found through the project's .studio/ files (pid file + credentials)
    first = run(seed_project, "push", "--project", "seed push")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("pushed 10 tasks, 0 already in the project")
    second = run(seed_project, "push", "--project", "seed push")
    assert second.exit_code == 0
    assert second.stdout.startswith("pushed 0 tasks, 10 already in the project, 0 predictions added")

    client = studio.client()
    project = client.find_project("seed push")
    found = tasks_by_doc(client, project.id)
    (predictions_file,) = (seed_project / "corpus" / "predictions").glob("*.jsonl")
    predictions = PredictionStore(predictions_file.parent).read(predictions_file.stem)
    documents = {d.id: d for d in JsonDocumentStore(seed_project / "corpus" / "documents").documents()}
    assert sorted(found) == sorted(documents)
    for doc_id, tasks in found.items():
        assert len(tasks) == 1
        (task,) = tasks
        assert task.data["text"] == documents[doc_id].text
        assert task.data["title"] == documents[doc_id].title
        assert task.data["published"] == documents[doc_id].published
        assert len(task.predictions) == 1
        prediction = task.predictions[0]
        assert prediction.model_version == predictions_file.stem
        got = sorted((r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in prediction.result)
        want = sorted(s.key for s in predictions[doc_id].spans)
        assert got == want
        for region in prediction.result:
            value = region["value"]
            assert task.data["text"][value["start"] : value["end"]] == value["text"]
    assert client.get_project(project.id).model_version == predictions_file.stem


def test_a_new_model_version_adds_predictions_not_tasks(studio, seed_project):
    assert run(seed_project, "push", "--project", "versions").exit_code == 0
    result = run(seed_project, "preannotate", "--no-patterns")
    assert result.exit_code == 0, result.output
    files = sorted((seed_project / "corpus" / "predictions").glob("*.jsonl"))
    assert len(files) == 2
    ambiguous = run(seed_project, "push", "--project", "versions")
    assert ambiguous.exit_code == 1 and "several prediction sets" in ambiguous.stderr
    bare = next(f.stem for f in files if '"pattern"' not in f.read_text("utf-8"))
    again = run(seed_project, "push", "--project", "versions", "--predictions", bare)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("pushed 0 tasks, 10 already in the project, 10 predictions added")
    client = studio.client()
    project = client.find_project("versions")
    found = tasks_by_doc(client, project.id)
    assert len(found) == 10 and all(len(t) == 1 for t in found.values())
    assert all({p.model_version for p in t[0].predictions} == {f.stem for f in files} for t in found.values())
    third = run(seed_project, "push", "--project", "versions", "--predictions", bare)
    assert "0 predictions added" in third.stdout
    for extra in files:
        if extra.stem == bare:
            extra.unlink()


def synthetic_documents(count: int):
    from feedcorpus.documents import Document
    from feedcorpus.fileio import sha256_text

    docs = []
    for i in range(count):
        text, offset = build_text(f"Report {i} from Goïta’s Mali", [f"Fighters attacked Bamako on day {i}."])
        docs.append(
            Document(
                f"synthetic-{i:04d}",
                "test",
                None,
                None,
                f"Report {i} from Goïta’s Mali",
                "",
                None,
                None,
                [],
                text,
                offset,
                sha256_text(text),
                "synthetic",
            )
        )
    return docs


def test_push_killed_between_batches_can_simply_be_run_again(studio):
    docs = synthetic_documents(60)
    client = studio.client()

    def kill_after_second_batch(number: int) -> None:
        if number == 2:
            studio.local.stop(timeout=5)

    with pytest.raises(StudioError, match="cannot reach Label Studio"):
        stage.push(
            client,
            docs,
            {},
            SCHEMA,
            CONFIG,
            title="interrupted",
            batch_size=10,
            attempts=2,
            backoff=0.1,
            on_batch=kill_after_second_batch,
        )
    studio.restart()
    client = studio.client()
    project = client.find_project("interrupted")
    assert sum(len(v) for v in client.task_index(project.id).values()) == 20
    report = stage.push(client, docs, {}, SCHEMA, CONFIG, title="interrupted", batch_size=10)
    assert (report.pushed, report.already_present) == (40, 20)
    index = client.task_index(project.id)
    assert sorted(index) == [d.id for d in docs]
    assert all(len(tasks) == 1 for tasks in index.values())


def test_retry_after_a_committed_batch_does_not_duplicate(studio, monkeypatch):
    """The POST succeeds on the server but the client sees an error: the retry must not re-import it."""
    docs = synthetic_documents(12)
    client = studio.client()
    real_import = Studio.import_tasks
    calls = {"n": 0}

    def import_then_fail(self, project_id, tasks):
        calls["n"] += 1
        ids = real_import(self, project_id, tasks)
        if calls["n"] == 1:
            raise StudioError("Label Studio timed out while importing (simulated after commit)", retryable=True)
        return ids

    monkeypatch.setattr(Studio, "import_tasks", import_then_fail)
    report = stage.push(client, docs, {}, SCHEMA, CONFIG, title="lost response", batch_size=6, backoff=0.01)
    assert report.retries == 1 and report.pushed == 12
    index = client.task_index(client.find_project("lost response").id)
    assert len(index) == 12 and all(len(t) == 1 for t in index.values())


def test_config_drift_is_reported_and_only_updated_when_asked(studio, seed_project):
    client = studio.client()
    project = client.create_project("drifted", CONFIG.replace('value="EVENT"', 'value="INCIDENT"'))
    result = run(seed_project, "push", "--project", "drifted", "--dry-run")
    assert result.exit_code == 0
    assert "labeling config differs from schemas/labels.yaml" in result.stderr
    assert result.stdout.startswith("would push 10 tasks")
    assert client.find_project("drifted").task_number == 0
    updated = run(seed_project, "push", "--project", "drifted", "--update-config")
    assert updated.exit_code == 0
    assert client.get_project(project.id).label_config.strip() == CONFIG.strip()


def test_invalid_prediction_is_refused_before_sending(studio, seed_project, monkeypatch):
    (predictions_file,) = (seed_project / "corpus" / "predictions").glob("*.jsonl")
    lines = predictions_file.read_text("utf-8").splitlines()
    record = json.loads(lines[0])
    record["spans"][0]["end"] += 1
    bad = seed_project / "bad"
    shutil.copytree(seed_project, bad, ignore=shutil.ignore_patterns("predictions", ".studio", "bad"))
    (bad / "corpus" / "predictions").mkdir()
    (bad / "corpus" / "predictions" / predictions_file.name).write_text(
        "\n".join([json.dumps(record), *lines[1:]]) + "\n", "utf-8"
    )
    monkeypatch.setenv("LABEL_STUDIO_URL", studio.status.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio.status.credentials.token)
    result = run(bad, "push", "--project", "never created")
    assert result.exit_code == 1
    assert f"Error: {record['doc_id']}: span " in result.stderr and "does not match the text" in result.stderr
    assert studio.client().find_project("never created") is None


def test_bad_token_gives_a_clear_error(studio, seed_project, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", studio.status.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    result = run(seed_project, "push", "--project", "bad token")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Label Studio at {studio.status.url} refused the API key")
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_server_gives_a_clear_error(seed_project, monkeypatch):
    from feedcorpus.studio.local_server import free_port

    monkeypatch.setenv("LABEL_STUDIO_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "x" * 40)
    result = run(seed_project, "push")
    assert result.exit_code == 1
    assert "cannot reach Label Studio at http://127.0.0.1:" in result.stderr


def test_env_url_without_key_is_refused(seed_project, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    result = run(seed_project, "push")
    assert result.exit_code == 1
    assert "LABEL_STUDIO_API_KEY is not" in result.stderr


def test_status_prints_credentials_for_the_annotator(studio):
    result = run(studio.project_dir, "studio", "status")
    assert result.exit_code == 0
    creds = studio.status.credentials
    assert f"Label Studio: {studio.status.url} (healthy" in result.stdout
    assert f"login:     {creds.username}" in result.stdout
    assert f"password:  {creds.password}" in result.stdout
    assert f"API token: {creds.token}" in result.stdout
    assert len(creds.token) == 40 and int(creds.token, 16) >= 0
    mode = (studio.project_dir / ".studio" / "credentials.json").stat().st_mode & 0o777
    assert mode == 0o600


def test_start_refuses_a_busy_port(studio):
    port = int(studio.status.url.rsplit(":", 1)[1])
    other = studio.project_dir.parent / "other-project"
    other.mkdir(exist_ok=True)
    result = run(other, "studio", "start", "--port", str(port))
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is busy" in result.stderr
