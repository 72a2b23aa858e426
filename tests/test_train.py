"""`feedcorpus train` end to end on a tiny release, offline, in seconds: DocBin corpus, spaCy training from
the stock ner with ARMED_GROUP added, cross-validation, a loadable pipeline, and pre-annotation with it."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from actor_lookup import ACTORS
from feedcorpus.annotate.train import GoldDoc, docbin, folds_of
from feedcorpus.cli import cli
from feedcorpus.labels import load_label_schema
from feedcorpus.release.build import build
from feedcorpus.release.store import ReleaseStore
from feedcorpus.spans import Span
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
SENTENCES = [
    (
        "Fighters of JNIM attacked Boulkessi on Tuesday, the army of Mali said.",
        [("JNIM", "ARMED_GROUP"), ("Boulkessi", "GPE"), ("Tuesday", "DATE"), ("Mali", "GPE")],
    ),
    (
        "Ansarul Islam claimed the raid near Djibo in Burkina Faso last week.",
        [("Ansarul Islam", "ARMED_GROUP"), ("Djibo", "GPE"), ("Burkina Faso", "GPE"), ("last week", "DATE")],
    ),
    (
        "The Wagner group left Kidal after the UN mission ended.",
        [("Wagner", "ARMED_GROUP"), ("Kidal", "GPE"), ("UN", "ORG")],
    ),
    (
        "Assimi Goïta met Fulani elders in Mopti on Friday.",
        [("Assimi Goïta", "PERSON"), ("Fulani", "NORP"), ("Mopti", "GPE"), ("Friday", "DATE")],
    ),
    (
        "ISWAP fighters crossed from Nigeria into Diffa in March.",
        [("ISWAP", "ARMED_GROUP"), ("Nigeria", "GPE"), ("Diffa", "GPE"), ("March", "DATE")],
    ),
    (
        "AFP reported that JNIM seized Léré in 2024.",
        [("AFP", "ORG"), ("JNIM", "ARMED_GROUP"), ("Léré", "GPE"), ("2024", "DATE")],
    ),
]


def snapshot() -> bytes:
    tasks = []
    for number, (text, pieces) in enumerate(SENTENCES, 1):
        regions, cursor = [], 0
        for piece, label in pieces:
            start = text.index(piece, cursor)
            cursor = start + len(piece)
            value = {"start": start, "end": cursor, "text": piece, "labels": [label]}
            regions.append({"type": "labels", "from_name": "label", "to_name": "text", "value": value})
        annotation = {"id": number, "completed_by": 1, "result": regions}
        tasks.append({"id": number, "data": {"text": text, "doc_id": f"tiny-{number}"}, "annotations": [annotation]})
    return json.dumps(tasks).encode()


@pytest.fixture(scope="module")
def tiny_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("train-project")
    shutil.copytree(REPO / "schemas", root / "schemas")
    ReleaseStore(root / "annotations").publish(build(snapshot(), version="1.0.0", schema=SCHEMA, actors=ACTORS), SCHEMA)
    return root


def test_docbin_keeps_the_gold_entities():
    text, pieces = SENTENCES[0]
    spans = tuple(Span(text.index(p), text.index(p) + len(p), label, p) for p, label in pieces)
    import spacy

    (doc,) = docbin([GoldDoc("a", text, spans, "train")]).get_docs(spacy.blank("en").vocab)
    assert [(e.text, e.label_) for e in doc.ents] == list(pieces)


def test_folds_cover_every_document_once_keep_clusters_whole_and_are_deterministic():
    clusters = ["a", "a", "a", "b", "c", "c", "d", "e", "f"]  # d0-d2 and d4-d5 share wire copy
    docs = [GoldDoc(f"d{i}", "x", (), "train", cluster) for i, cluster in enumerate(clusters)]
    folds = folds_of(docs, 3)
    held_out = [d.id for _, test in folds for d in test]
    assert sorted(held_out) == sorted(d.id for d in docs) and len(folds) == 3

    def held_out_sets(found):
        return sorted(sorted(d.id for d in test) for _, test in found)

    assert held_out_sets(folds) == held_out_sets(folds_of(list(reversed(docs)), 3))  # input order does not matter
    assert all(not {d.id for d in train} & {d.id for d in test} for train, test in folds)
    for train, test in folds:  # no cluster on both sides
        assert not {d.cluster for d in train} & {d.cluster for d in test}
    assert sorted(len(test) for _, test in folds) == [3, 3, 3]  # the largest cluster first, to the smallest fold


def test_a_release_with_a_fold_column_is_cross_validated_with_exactly_those_folds():
    docs = [GoldDoc(f"d{i}", "x", (), "train", f"c{i}", fold=i % 2) for i in range(4)]
    assert [[d.id for d in test] for _, test in folds_of(docs, None)] == [["d0", "d2"], ["d1", "d3"]]
    assert len(folds_of(docs, 4)) == 4  # another k asked for: grouped folds over the clusters


def test_train_then_preannotate_with_the_trained_pipeline(tiny_project):
    runner = CliRunner()
    args = ["train", "--release", "1.0.0", "--epochs", "2", "--folds", "2", "--project-dir", str(tiny_project)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "2-fold cross-validation over 6 documents, folds grouped by near-copy cluster" in result.stdout
    (model,) = (tiny_project / "models").iterdir()
    assert model.name.startswith("v1.0.0-") and (model / "meta.json").exists()
    assert (model / "training" / "corpus" / "train.spacy").exists() and (model / "training" / "config.cfg").exists()
    meta = json.loads((model / "meta.json").read_text())
    assert "v1_0_0" in meta["name"] and "release v1.0.0" in meta["description"]
    import spacy

    assert "ARMED_GROUP" in spacy.load(model).get_pipe("ner").labels
    report = json.loads((model / "training" / "report.json").read_text())
    assert report["cross_validated"]["folds"] == 2 and "overall" in report["cross_validated"]["scores"]
    folds = json.loads((model / "training" / "folds.json").read_text())
    assert sorted(folds) == [f"tiny-{n}" for n in range(1, 7)] and set(folds.values()) == {0, 1}
    assert folds == report["cross_validated"]["fold_of"]

    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "already trained" in again.stdout

    shutil.copytree(REPO / "corpus" / "documents", tiny_project / "corpus" / "documents")
    done = runner.invoke(cli, ["preannotate", "--model", str(model), "--project-dir", str(tiny_project)])
    assert done.exit_code == 0, done.output
    (predictions,) = (tiny_project / "corpus" / "predictions").glob("*.jsonl")
    assert predictions.stem.startswith(f"en_{meta['name']}-")
    assert "10 documents annotated" in done.stdout
