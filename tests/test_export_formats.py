"""`export` reads every JSON export Label Studio makes (real exports in tests/data/studio-exports/, made on
the live server by tests/integration/test_export_formats_live.py) and refuses the ones it cannot use."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from actor_lookup import ACTORS
from feedcorpus.cli import cli
from feedcorpus.errors import ReleaseError
from feedcorpus.labels import load_label_schema
from feedcorpus.release.build import build
from feedcorpus.release.snapshot import read_snapshot
from testdata_paths import DATA, REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
EXPORTS = DATA / "studio-exports"
JSON_FORMATS = ("ui-export", "snapshot-default", "snapshot-full", "snapshot-annotator-ids")


def rows(name: str) -> dict[str, dict]:
    built = build((EXPORTS / f"{name}.json").read_bytes(), version="1.0.0", schema=SCHEMA, actors=ACTORS)
    return {r["id"]: r for r in built.rows}


def test_the_ui_export_has_prediction_ids_and_embedded_parents():
    tasks = json.loads((EXPORTS / "ui-export.json").read_text("utf-8"))
    assert all(isinstance(p, int) for t in tasks for p in t["predictions"])
    snapshot = read_snapshot((EXPORTS / "ui-export.json").read_bytes())
    assert all(t.predictions == [] for t in snapshot.tasks)
    assert any(a.prediction is not None and a.prediction.result for t in snapshot.tasks for a in t.annotations)


@pytest.mark.parametrize("name", JSON_FORMATS)
def test_every_json_export_gives_the_same_gold_and_provenance(name):
    reference = rows("snapshot-full")
    got = rows(name)
    assert sorted(got) == sorted(reference) and len(got) == 2
    for doc_id, row in got.items():
        assert row["entities"] == reference[doc_id]["entities"], (name, doc_id)
    kinds = {e["provenance"] for r in got.values() for e in r["entities"]}
    assert {"accepted", "relabeled"} <= kinds


def test_annotators_are_named_by_email_when_expanded_and_by_id_otherwise():
    assert {a for r in rows("snapshot-full").values() for a in r["annotators"]} == {"format-a"}
    assert all(a.startswith("user-") for r in rows("snapshot-annotator-ids").values() for a in r["annotators"])


def test_quality_is_measured_from_embedded_predictions_when_the_task_lists_ids():
    full = build((EXPORTS / "snapshot-full.json").read_bytes(), version="1.0.0", schema=SCHEMA, actors=ACTORS)
    ui = build((EXPORTS / "ui-export.json").read_bytes(), version="1.0.0", schema=SCHEMA, actors=ACTORS)
    assert ui.stats.quality.predictions.keys() == full.stats.quality.predictions.keys()
    assert ui.stats.provenance == full.stats.provenance and ui.stats.provenance["rejected"] >= 1


@pytest.mark.parametrize(
    ("name", "message"), [("json-min.json", "JSON_MIN export"), ("csv.csv", "CSV/TSV/CoNLL export")]
)
def test_exports_without_ids_are_refused_saying_what_to_export(name, message, project):
    with pytest.raises(ReleaseError, match=message):
        read_snapshot((EXPORTS / name).read_bytes())
    result = CliRunner().invoke(
        cli, ["export", "--from-file", str(EXPORTS / name), "--version", "1.0.0", "--project-dir", str(project)]
    )
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"Error: {EXPORTS / name}: this ") and "export JSON" in result.stderr
    assert not (project / "annotations").exists()
