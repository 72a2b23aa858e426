"""The corpus the repository ships: annotations/v1.0.0 loads offline, its card matches its data, it rebuilds."""

from __future__ import annotations

import json
import re
from collections import Counter

import pyarrow.parquet as pq
import yaml

from feedcorpus import release
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import load_label_schema
from feedcorpus.split import load_documents
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
    documents = {d.id: d for d in load_documents(REPO / "corpus" / "documents")}
    rows = release.read_rows(V1)
    assert sorted(r["id"] for r in rows) == sorted(documents)
    for row in rows:
        assert row["text"] == documents[row["id"]].text
        for entity in row["entities"]:
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]
            assert entity["label"] in SCHEMA.names
        assert len(row["tokens"]) == len(row["ner_tags"])
        assert row["annotators"] == ["adjudicator", "annotator-a", "annotator-b"]


def test_card_numbers_match_the_data():
    rows = release.read_rows(V1)
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
    manifest = json.loads((V1 / "manifest.json").read_text())
    guidelines = (REPO / "schemas" / "guidelines.md").read_text("utf-8")
    settings = yaml.safe_load((REPO / "annotations" / "release.yaml").read_text("utf-8"))
    rebuilt = release.build(
        (V1 / release.SNAPSHOT_PATH).read_bytes(),
        version="1.0.0",
        schema=SCHEMA,
        policy=manifest["card_inputs"]["policy"],
        guidelines=guidelines,
        settings=settings,
    )
    same_card_inputs = manifest["card_inputs"]["guidelines_sha256"] == sha256_text(guidelines) and manifest[
        "card_inputs"
    ]["card_settings_sha256"] == sha256_text(json.dumps(settings, sort_keys=True))
    for path, content in rebuilt.files.items():
        if path == "README.md" and not same_card_inputs:
            continue  # the card is rewritten from the current guidelines; its data tables are checked above
        assert release.sha256_bytes(content) == manifest["files"][path]["sha256"], path
    assert not release.verify(V1)


def test_parquet_metadata_names_version_and_labels():
    metadata = pq.read_schema(V1 / "gold.parquet").metadata
    assert metadata[b"feedcorpus.version"] == b"v1.0.0"
    assert json.loads(metadata[b"feedcorpus.ner_tags"]) == SCHEMA.tag_names()
    assert re.fullmatch(r"[0-9a-f]{64}", metadata[b"feedcorpus.label_schema_sha256"].decode())
