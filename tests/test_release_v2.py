"""annotations/v2.0.0, the seed with leakage-free splits, actor ids and more formats; and the rules behind it."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from actor_lookup import ACTORS
from feedcorpus.cli import cli
from feedcorpus.labels import load_label_schema
from feedcorpus.release import splits
from feedcorpus.release.build import build
from feedcorpus.release.overlap import ngrams
from feedcorpus.release.store import ReleaseStore
from testdata_paths import REPO

V1, V2 = REPO / "annotations" / "v1.0.0", REPO / "annotations" / "v2.0.0"
SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
ROWS = pq.read_table(V2 / "gold.parquet").to_pylist()
MANIFEST = json.loads((V2 / "manifest.json").read_text())


def test_no_held_out_document_shares_more_than_5_percent_of_its_8_grams_with_any_train_document():
    train = [r for r in ROWS if r["split"] == "train"]
    for row in (r for r in ROWS if r["split"] != "train"):
        grams = ngrams(row["text"])
        for other in train:
            assert len(grams & ngrams(other["text"])) / len(grams) <= 0.05, (row["id"], other["id"])
    assert {r["split"] for r in ROWS} == {"train", "validation", "test"}


def test_wire_copy_clusters_stay_in_one_split_and_v1_test_document_is_with_its_copies():
    by_cluster: dict[str, set[str]] = {}
    for row in ROWS:
        by_cluster.setdefault(row["cluster"], set()).add(row["split"])
    assert all(len(s) == 1 for s in by_cluster.values())
    cluster = {r["id"]: r["cluster"] for r in ROWS}
    assert cluster["thedefensepost-81853"] == cluster["thedefensepost-81981"]  # the AFP Tinzaouatene copy


def test_overlap_figures_are_in_the_manifest_and_the_card():
    overlap = MANIFEST["counts"]["overlap"]
    assert [o["split"] for o in overlap] == ["validation", "test"]
    card = (V2 / "README.md").read_text("utf-8")
    for part in overlap:
        assert f"| {part['split']} | {part['documents']} | {part['ngram_share']:.1%} |" in card
        assert part["seen_mentions"] + part["unseen_mentions"] == part["mentions"]
    assert "No held-out document shares more than 5% of its 8-grams with train." in card


@pytest.mark.parametrize(
    ("spelling", "actor"),
    [
        ("JNIM", "jnim"),
        ("Jama’at Nusrat al-Islam wal Muslimeen", "jnim"),
        ("Jama’at Nasr al-Islam wal Muslimin", "jnim"),
        ("Islamic State group", "islamic-state"),
        ("Wagner", "wagner"),
        ("Al-Qaeda", "al-qaeda"),
    ],
)
def test_every_seed_spelling_of_jnim_is_and_wagner_has_its_actor_id(spelling, actor):
    found = {e["kb_id"] for r in ROWS for e in r["entities"] if e["label"] == "ARMED_GROUP" and e["text"] == spelling}
    assert found == {actor}


def test_every_armed_group_has_an_id_and_the_card_counts_mentions_per_actor():
    groups = [e for r in ROWS for e in r["entities"] if e["label"] == "ARMED_GROUP"]
    assert groups and all(e["kb_id"] for e in groups)
    assert all(e["kb_id"] is None for r in ROWS for e in r["entities"] if e["label"] != "ARMED_GROUP")
    card = (V2 / "README.md").read_text("utf-8")
    jnim = sum(1 for e in groups if e["kb_id"] == "jnim")
    assert f"| `jnim` | JNIM: Group for Support of Islam and Muslims | {jnim} |" in card


def test_docbin_and_conll_round_trip_the_parquet_spans():
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    for split, name in (("train", "train"), ("validation", "dev"), ("test", "test")):
        rows = [r for r in ROWS if r["split"] == split]
        docs = list(DocBin().from_disk(V2 / "spacy" / f"{name}.spacy").get_docs(vocab))
        assert [d.text for d in docs] == [r["text"] for r in rows]
        for doc, row in zip(docs, rows, strict=True):
            gold = [(e["start"], e["end"], e["label"]) for e in row["entities"]]
            ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            aligned = (doc.char_span(s, t, alignment_mode="expand") for s, t, _ in gold)
            expanded = {(e.start_char, e.end_char) for e in aligned}
            assert len(ents) == len(gold) and {(s, t) for s, t, _ in ents} == expanded
        blocks = (V2 / "conll" / f"{split}.txt").read_text("utf-8").split("-DOCSTART- ")[1:]
        names = SCHEMA.tag_names()
        for block, row in zip(blocks, rows, strict=True):
            lines = [line for line in block.splitlines()[1:] if line]
            assert block.startswith(row["id"])
            assert [line.rsplit(" ", 1) for line in lines] == [
                [t, names[g]] for t, g in zip(row["tokens"], row["ner_tags"], strict=True)
            ]


def test_v2_loads_offline_everywhere_and_v1_is_untouched():
    from datasets import load_dataset

    ds = load_dataset(str(V2))
    assert sum(len(ds[s]) for s in ds) == 10 and "kb_id" in ds["train"].features["entities"].feature
    import duckdb
    import pandas as pd
    import polars as pl

    assert len(pd.read_parquet(V2 / "gold.parquet")) == 10
    assert pl.read_parquet(V2 / "gold.parquet")["cluster"].n_unique() == len({r["cluster"] for r in ROWS})
    query = f"SELECT e.kb_id, count(*) FROM (SELECT unnest(entities) AS e FROM '{V2 / 'gold.parquet'}') GROUP BY 1"
    assert dict(duckdb.sql(query).fetchall())["jnim"] >= 1
    assert not ReleaseStore(REPO / "annotations").verify(V1) and not ReleaseStore(REPO / "annotations").verify(V2)
    assert "format" not in json.loads((V1 / "manifest.json").read_text()) and MANIFEST["format"] == 2


def test_splits_stay_sticky_when_a_release_adds_documents(tmp_path):
    first = {f"doc-{i}": f"doc-{i}" for i in range(8)}
    assigned, _ = splits.assign_clusters(first)
    grown = {**first, "doc-new-copy": "doc-3", "doc-9": "doc-9", "doc-10": "doc-10"}  # a copy joins doc-3's cluster
    again, _ = splits.assign_clusters(grown, previous=assigned)
    assert all(again[d] == assigned[d] for d in assigned)
    assert again["doc-new-copy"] == assigned["doc-3"]
    assert set(assigned.values()) == set(splits.SPLITS)


def test_a_minor_release_keeps_v2_splits_and_evaluate_reports_seen_and_unseen(tmp_path):
    (tmp_path / "annotations").mkdir()
    store = ReleaseStore(tmp_path / "annotations")
    snapshot = (V2 / "source" / "label-studio-export.json").read_bytes()
    first = store.publish(build(snapshot, version="2.0.0", schema=SCHEMA, actors=ACTORS), SCHEMA)
    previous = store.check_bump("2.1.0", SCHEMA)
    assert previous == json.loads((first / "manifest.json").read_text())["splits"] == MANIFEST["splits"]
    result = CliRunner().invoke(cli, ["evaluate", "--json", "--project-dir", str(REPO)])
    assert result.exit_code == 0, result.output
    for scores in json.loads(result.stdout)["results"].values():
        held = scores["held_out"]
        assert (
            held["seen"]["support"] + held["unseen"]["support"]
            == MANIFEST["counts"]["overlap"][0]["mentions"] + MANIFEST["counts"]["overlap"][1]["mentions"]
        )
