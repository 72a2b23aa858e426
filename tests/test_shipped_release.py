"""The corpus the repository ships: annotations/v1.0.0 loads offline, its card matches its data, it rebuilds."""

from __future__ import annotations

import json
import re
from collections import Counter

import pyarrow.parquet as pq
import yaml
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.labels import load_label_schema
from feedcorpus.release.compare import rebuild_problems
from feedcorpus.release.parquet import read_rows
from feedcorpus.release.store import ReleaseStore
from feedcorpus.stores.documents import JsonDocumentStore
from testdata_paths import REPO

V1 = REPO / "annotations" / "v1.0.0"
SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")


def test_loads_offline_with_three_splits_and_classlabel_tags():
    from datasets import ClassLabel, load_dataset

    ds = load_dataset(str(V1))
    assert set(ds) == {"train", "validation", "test"} and all(len(ds[s]) for s in ds)
    assert sum(len(ds[s]) for s in ds) == 10
    feature = ds["train"].features["ner_tags"].feature
    assert isinstance(feature, ClassLabel) and feature.names == SCHEMA.tag_names()
    assert feature.names[0] == "O"


def test_every_gold_span_is_exact_on_the_shipped_documents():
    documents = {d.id: d for d in JsonDocumentStore(REPO / "corpus" / "documents").documents()}
    rows = read_rows(V1 / "gold.parquet")
    assert sorted(r["id"] for r in rows) == sorted(documents)
    for row in rows:
        # v1.0.0 predates the one text policy (issue 19): one document then kept an NBSP the corpus now has as a
        # space, one character for one, so every offset of the release still holds on the corpus's text.
        assert row["text"].replace("\u00a0", " ") == documents[row["id"]].text
        for entity in row["entities"]:
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]
            assert entity["label"] in SCHEMA.names
        assert len(row["tokens"]) == len(row["ner_tags"])
        assert row["annotators"] == ["adjudicator", "annotator-a", "annotator-b"]


def test_card_numbers_match_the_data():
    rows = read_rows(V1 / "gold.parquet")
    card = (V1 / "README.md").read_text("utf-8")
    header = yaml.safe_load(card.split("---")[1])
    splits = {s["name"]: s["num_examples"] for s in header["dataset_info"]["splits"]}
    assert splits == dict(Counter(r["split"] for r in rows))
    for label in SCHEMA.names:
        per = [
            sum(1 for r in rows if r["split"] == s for e in r["entities"] if e["label"] == label)
            for s in ("train", "validation", "test")
        ]
        assert f"| {label} | " in card
        row = next(line for line in card.splitlines() if line.startswith(f"| {label} | "))
        assert row.split("|")[-5:-1] == [f" {n} " for n in [*per, sum(per)]], row
    manifest = json.loads((V1 / "manifest.json").read_text())
    total = sum(len(r["entities"]) for r in rows)
    assert f"{total} entities" in card and manifest["counts"]["provenance"]["accepted"] <= total
    agreement = manifest["counts"]["quality"]["agreement"]["scores"]["overall"]["f1"]
    assert "| overall | " in card and f"{agreement:.3f}" in card


def test_rebuilding_from_the_snapshot_reproduces_the_checksums():
    """Every data file byte for byte; the card too unless its guidelines, settings or template changed since."""
    settings = yaml.safe_load((REPO / "annotations" / "release.yaml").read_text("utf-8"))
    problems = rebuild_problems(
        V1,
        SCHEMA,
        previous_splits={},
        guidelines=(REPO / "schemas" / "guidelines.md").read_text("utf-8"),
        settings=settings,
    )
    assert problems == []
    assert not ReleaseStore(REPO / "annotations").verify(V1)
    result = CliRunner().invoke(cli, ["versions", "--rebuild", "--project-dir", str(REPO)])
    assert result.exit_code == 0 and "v1.0.0" in result.output and "rebuilt identically" in result.output


def test_parquet_metadata_names_version_and_labels():
    metadata = pq.read_schema(V1 / "gold.parquet").metadata
    assert metadata[b"feedcorpus.version"] == b"v1.0.0"
    assert json.loads(metadata[b"feedcorpus.ner_tags"]) == SCHEMA.tag_names()
    assert re.fullmatch(r"[0-9a-f]{64}", metadata[b"feedcorpus.label_schema_sha256"].decode())
