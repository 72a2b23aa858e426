"""Every JSON export Label Studio 1.23 produces, made on the real server, goes through `export --from-file`.

Four seed tasks are annotated (accepted, relabeled, a disagreement, a cancelled one), then exported as the
UI's JSON export, export snapshots with default, full and id-only annotator options, JSON_MIN and CSV. The
JSON ones must give the same gold and provenance; JSON_MIN and CSV are refused with a message. With
FEEDCORPUS_WRITE_EXPORT_SAMPLES=DIR the exports are also written there (how tests/data/studio-exports/
was made; the unit tests in tests/test_export_formats.py read those copies offline).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from actor_lookup import ACTORS
from feedcorpus.cli import cli
from feedcorpus.labels import load_label_schema
from feedcorpus.release.build import build
from feedcorpus.studio.client import Studio
from integration.sdk_helpers import create_annotation, ensure_user, task_predictions
from testdata_paths import REPO

pytestmark = pytest.mark.integration
SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
TITLE = "export formats"
JSON_FORMATS = ("ui-export", "snapshot-default", "snapshot-full", "snapshot-annotator-ids")


def snapshot(client: Studio, project_id: int, options: dict[str, Any] | None) -> bytes:
    sdk = client.client
    extra = {"serialization_options": options} if options else {}  # none given: Label Studio's defaults
    created = sdk.projects.exports.create(project_id, title="formats", **extra)
    while sdk.projects.exports.get(project_id, created.id).status not in ("completed", "failed"):
        time.sleep(0.3)
    return b"".join(sdk.projects.exports.download(project_id, created.id, export_type="JSON"))


def make_exports(client: Studio, project_id: int) -> dict[str, bytes]:
    sdk = client.client

    def ui(kind: str) -> bytes:
        return b"".join(sdk.projects.exports.download_sync(project_id, export_type=kind, download_all_tasks=True))

    full = {"predictions": {"only_id": False}, "annotations__completed_by": {"only_id": False}}
    return {
        "ui-export": ui("JSON"),
        "snapshot-default": snapshot(client, project_id, None),
        "snapshot-full": snapshot(client, project_id, full),
        "snapshot-annotator-ids": snapshot(client, project_id, {"predictions": {"only_id": False}}),
        "json-min": ui("JSON_MIN"),
        "csv": ui("CSV"),
    }


@pytest.fixture(scope="module")
def exports(studio, seed_project) -> dict[str, bytes]:
    assert CliRunner().invoke(cli, ["push", "--project", TITLE, "--project-dir", str(seed_project)]).exit_code == 0
    client = studio.client()
    project = client.find_project(TITLE)
    index = client.task_index(project.id)
    docs = sorted(index)[:4]
    a = ensure_user(client, "format-a@feedcorpus.local", "format-a-Secret-1")
    b = ensure_user(client, "format-b@feedcorpus.local", "format-b-Secret-1")
    for number, doc_id in enumerate(docs):
        task_id = index[doc_id][0].id
        (prediction,) = task_predictions(client, task_id)
        result = [dict(r, value=dict(r["value"])) for r in prediction.result]
        if number == 0:  # accepted as predicted
            create_annotation(client, task_id, result, completed_by=a, parent_prediction=prediction.id)
        elif number == 1:  # first span relabeled, last one deleted
            result[0]["value"]["labels"] = ["EVENT"]
            create_annotation(client, task_id, result[:-1], completed_by=a, parent_prediction=prediction.id)
        elif number == 2:  # two annotators disagree
            create_annotation(client, task_id, result, completed_by=a, parent_prediction=prediction.id)
            create_annotation(client, task_id, result[1:], completed_by=b, parent_prediction=prediction.id)
        else:
            create_annotation(client, task_id, [], was_cancelled=True, completed_by=b)
    made = make_exports(client, project.id)
    target = os.environ.get("FEEDCORPUS_WRITE_EXPORT_SAMPLES")
    if target:
        docs_kept = set(docs)
        for name, data in made.items():
            if name not in ("json-min", "csv"):
                data = json.dumps([t for t in json.loads(data) if t["data"]["doc_id"] in docs_kept], indent=1).encode()
            suffix = "csv" if name == "csv" else "json"
            (Path(target) / f"{name}.{suffix}").write_bytes(data)
    return made


def gold_of(data: bytes) -> dict[str, list[tuple[int, int, str, str | None]]]:
    built = build(data, version="1.0.0", schema=SCHEMA, actors=ACTORS)
    return {r["id"]: [(e["start"], e["end"], e["label"], e["provenance"]) for e in r["entities"]] for r in built.rows}


def test_the_ui_export_lists_predictions_as_ids(exports):
    tasks = json.loads(exports["ui-export"])
    assert all(isinstance(p, int) for t in tasks for p in t["predictions"])
    assert any(isinstance(a.get("prediction"), dict) for t in tasks for a in t["annotations"])


def test_every_json_export_gives_the_same_gold_and_provenance(exports):
    reference = gold_of(exports["snapshot-full"])
    assert len(reference) == 2  # accepted + relabeled; the disputed and the cancelled task are left out
    kinds = {p for spans in reference.values() for *_, p in spans}
    assert {"accepted", "relabeled"} <= kinds
    for name in JSON_FORMATS:
        assert gold_of(exports[name]) == reference, name


@pytest.mark.parametrize("name", JSON_FORMATS)
def test_export_from_file_accepts_it(exports, seed_project, tmp_path, name):
    path = tmp_path / f"{name}.json"
    path.write_bytes(exports[name])
    result = CliRunner().invoke(
        cli, ["export", "--from-file", str(path), "--version", "9.9.9", "--dry-run", "--project-dir", str(seed_project)]
    )
    assert result.exit_code == 0, result.output
    assert "would write" in result.stdout and "2 documents" in result.stdout


@pytest.mark.parametrize(("name", "message"), [("json-min", "JSON_MIN export"), ("csv", "CSV/TSV/CoNLL export")])
def test_formats_without_ids_are_refused_with_what_to_export_instead(exports, seed_project, tmp_path, name, message):
    path = tmp_path / f"{name}.data"
    path.write_bytes(exports[name])
    result = CliRunner().invoke(
        cli, ["export", "--from-file", str(path), "--version", "9.9.9", "--project-dir", str(seed_project)]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: this ") and message in result.stderr
    assert "export JSON" in result.stderr and len(result.stderr.strip().splitlines()) == 1
