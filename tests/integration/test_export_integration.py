"""`export` end to end against the real Label Studio: two annotator accounts, a snapshot, a loadable release."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from actor_lookup import ACTORS
from feedcorpus.cli import cli
from feedcorpus.fileio import sha256_bytes
from feedcorpus.labels import load_label_schema
from feedcorpus.release.build import SNAPSHOT_PATH, build
from integration.sdk_helpers import create_annotation, ensure_user, task_predictions
from testdata_paths import REPO

pytestmark = pytest.mark.integration
SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")


def run(project, *args):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project)])


def test_two_annotators_export_and_load(studio, seed_project):
    title = "export e2e"
    assert run(seed_project, "push", "--project", title).exit_code == 0
    client = studio.client()
    project = client.find_project(title)
    index = client.task_index(project.id)
    doc_ids = sorted(index)
    a = ensure_user(client, "pass-a@feedcorpus.local", "pass-a-Secret-123")
    b = ensure_user(client, "pass-b@feedcorpus.local", "pass-b-Secret-123")
    assert ensure_user(client, "pass-a@feedcorpus.local", "ignored") == a

    def prediction(doc_id):
        (item,) = task_predictions(client, index[doc_id][0].id)
        return item

    # doc 0 and 1: both passes accept the pre-annotation → agreement; doc 1 pass B drops one span.
    # doc 2: the passes disagree and an adjudicated ground truth settles it; doc 3: only a cancelled one.
    for number, doc_id in enumerate(doc_ids[:3]):
        item = prediction(doc_id)
        task_id = index[doc_id][0].id
        create_annotation(client, task_id, item.result, completed_by=a, parent_prediction=item.id)
        second = item.result if number == 0 else item.result[1:]
        create_annotation(client, task_id, second, completed_by=b, parent_prediction=item.id)
        if number == 2:
            create_annotation(client, task_id, item.result[2:], ground_truth=True, parent_prediction=item.id)
    create_annotation(client, index[doc_ids[3]][0].id, [], was_cancelled=True, completed_by=a)

    failed = run(seed_project, "export", "--project", title, "--version", "0.9.0", "--on-disagreement", "fail")
    assert failed.exit_code == 1 and f"({doc_ids[1]}): 2 annotations disagree" in failed.stderr
    assert not (seed_project / "annotations" / "v0.9.0").exists()

    result = run(seed_project, "export", "--project", title, "--version", "1.0.0")
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout and "2 documents" in result.stdout
    assert f"{doc_ids[1]}: annotations disagree; left out" in result.stderr
    target = seed_project / "annotations" / "v1.0.0"
    manifest = json.loads((target / "manifest.json").read_text())
    report = manifest["report"]
    assert report["disputed"] == [doc_ids[1]] and report["unannotated"] == 7
    assert report["resolved_by"] == {"agreement": 1, "ground_truth": 1}
    assert report["cancelled_annotations"] == 1
    snapshot = json.loads((target / SNAPSHOT_PATH).read_text())
    assert len(snapshot) == 10 and all("predictions" in t for t in snapshot)
    assert any(isinstance(a.get("completed_by"), dict) for t in snapshot for a in t["annotations"])

    agreement = manifest["counts"]["quality"]["agreement"]
    assert agreement["between"] == ["pass-a", "pass-b"] and agreement["documents"] == 3
    assert 0 < agreement["scores"]["overall"]["f1"] < 1
    provenance = manifest["counts"]["provenance"]
    first = len(prediction(doc_ids[0]).result)
    third = len(prediction(doc_ids[2]).result)
    assert provenance["accepted"] == first + third - 2 and provenance["rejected"] == 2

    from datasets import load_dataset

    ds = load_dataset(str(target))
    rows = [r for split in ds for r in ds[split]]
    assert sorted(r["id"] for r in rows) == [doc_ids[0], doc_ids[2]]
    by_id = {r["id"]: r for r in rows}
    assert by_id[doc_ids[0]]["annotators"] == ["pass-a", "pass-b"]
    assert len(by_id[doc_ids[2]]["entities"]) == third - 2
    for row in rows:
        for entity in row["entities"]:
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]

    rebuilt = build(
        (target / SNAPSHOT_PATH).read_bytes(),
        version="1.0.0",
        schema=SCHEMA,
        guidelines=(REPO / "schemas" / "guidelines.md").read_text("utf-8"),
        actors=ACTORS,
    )
    for path, content in rebuilt.files.items():
        assert sha256_bytes(content) == manifest["files"][path]["sha256"], path
    again = run(seed_project, "export", "--project", title, "--version", "1.0.0")
    assert again.exit_code == 1 and "immutable" in again.stderr
