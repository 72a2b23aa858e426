"""annotations/v3.0.0 read the way its users read it — datasets (both configurations, and the lowest version
pyproject allows), pandas, polars, DuckDB, spaCy's DocBin, `spacy convert` on the CoNLL files and a plain CoNLL
reader written here — and every view agreeing on every document, sentence, token, tag and entity."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.labels import load_label_schema
from feedcorpus.release.parquet import read_rows
from testdata_paths import REPO

V3 = REPO / "annotations" / "v3.0.0"
SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
NAMES = SCHEMA.tag_names()
SPLITS = ("train", "validation", "test")
DOCBIN = {"train": "train", "validation": "dev", "test": "test"}
ROWS = {r["id"]: r for r in read_rows(V3 / "gold.parquet")}


def sentence_rows() -> list[dict]:
    return [r for s in SPLITS for r in read_rows(V3 / "sentences" / f"{s}-00000-of-00001.parquet")]


def spans_of(row: dict) -> set[tuple[int, int, str, str]]:
    return {(e["start"], e["end"], e["label"], e["text"]) for e in row["entities"]}


def test_sentences_tile_each_document_and_carry_its_tokens_tags_and_entities():
    by_doc: dict[str, list[dict]] = {}
    for sentence in sentence_rows():
        by_doc.setdefault(sentence["doc_id"], []).append(sentence)
    assert sorted(by_doc) == sorted(ROWS)
    for doc_id, row in ROWS.items():
        sentences = sorted(by_doc[doc_id], key=lambda s: s["sentence"])
        assert [s["sentence"] for s in sentences] == list(range(len(sentences)))
        assert [(s["start"], s["end"]) for s in sentences] == [(o["start"], o["end"]) for o in row["sentences"]]
        tokens, tags, moved = [], [], set()
        for sentence, offsets in zip(sentences, row["sentences"], strict=True):
            assert row["text"][sentence["start"] : sentence["end"]] == sentence["text"]
            assert sentence["tokens"] == row["tokens"][offsets["token_start"] : offsets["token_end"]]
            assert sentence["ner_tags"] == row["ner_tags"][offsets["token_start"] : offsets["token_end"]]
            assert (sentence["split"], sentence["cluster"], sentence["fold"]) == (
                row["split"],
                row["cluster"],
                row["fold"],
            )
            assert not NAMES[sentence["ner_tags"][0]].startswith("I-")  # no entity runs across a sentence start
            for e in sentence["entities"]:
                assert sentence["text"][e["start"] : e["end"]] == e["text"]
                moved.add((e["start"] + sentence["start"], e["end"] + sentence["start"], e["label"], e["text"]))
            tokens += sentence["tokens"]
            tags += sentence["ner_tags"]
        assert tokens == row["tokens"] and tags == row["ner_tags"]
        assert moved == spans_of(row)  # every entity is inside exactly one sentence


def test_both_configurations_load_offline_with_classlabel_tags():
    from datasets import ClassLabel, load_dataset

    manifest = json.loads((V3 / "manifest.json").read_text())
    docs = load_dataset(str(V3))
    sentences = load_dataset(str(V3), "sentences")
    for split in SPLITS:
        assert len(docs[split]) == manifest["counts"]["documents"][split]
        assert len(sentences[split]) == manifest["counts"]["sentences"][split]
        feature = sentences[split].features["ner_tags"].feature
        assert isinstance(feature, ClassLabel) and feature.names == NAMES
    assert sum(len(sentences[s]) for s in SPLITS) == len(sentence_rows())


def test_the_readme_loading_snippet_works_on_the_lowest_datasets_version_allowed():
    floor = REPO / ".venv" / "datasets-min"
    assert (floor / "datasets").is_dir(), "run `make datasets-min` (make test does)"
    pyproject = (REPO / "pyproject.toml").read_text()
    floor_version = re.search(r'"datasets>=([0-9.]+),', pyproject)
    assert floor_version
    code = (
        "import datasets, json, sys\n"
        f"docs = datasets.load_dataset({str(V3)!r})\n"
        f"sentences = datasets.load_dataset({str(V3)!r}, 'sentences')\n"
        "names = sentences['train'].features['ner_tags'].feature.names\n"
        "print(json.dumps([datasets.__version__, names, len(docs['train']), len(sentences['train'])]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(floor), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    version, names, documents, sentences = json.loads(done.stdout.strip().splitlines()[-1])
    assert version.startswith(floor_version[1])  # it really ran the lowest version allowed
    assert names == NAMES and documents == 7 and sentences == sum(1 for r in sentence_rows() if r["split"] == "train")


def test_pandas_polars_and_duckdb_agree_with_the_rows():
    import duckdb
    import pandas as pd
    import polars as pl

    labels = Counter(e["label"] for r in ROWS.values() for e in r["entities"])
    frame = pd.read_parquet(V3 / "gold.parquet")
    assert Counter(e["label"] for entities in frame["entities"] for e in entities) == labels
    sentences = pl.read_parquet(V3 / "sentences" / "*.parquet")
    assert sentences.height == len(sentence_rows())
    assert sentences["entities"].list.len().sum() == sum(labels.values())
    glob = V3 / "sentences" / "*.parquet"
    per_label = duckdb.sql(f"SELECT e.label, count(*) FROM (SELECT unnest(entities) AS e FROM '{glob}') GROUP BY 1")
    assert dict(per_label.fetchall()) == dict(labels)
    tokens = duckdb.sql(f"SELECT sum(len(tokens)) FROM '{V3 / 'gold.parquet'}'").fetchall()[0][0]
    assert (
        tokens
        == sum(len(r["tokens"]) for r in ROWS.values())
        == json.loads((V3 / "manifest.json").read_text())["counts"]["tokens"]
    )


def test_docbins_hold_the_same_documents_tokens_entities_actor_ids_and_sentences():
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    seen = set()
    for split, name in DOCBIN.items():
        for doc in DocBin().from_disk(V3 / "spacy" / f"{name}.spacy").get_docs(vocab):
            row = ROWS[doc.user_data["id"]]
            seen.add(row["id"])
            assert {k: doc.user_data[k] for k in ("split", "cluster", "fold", "language")} == {
                "split": split,
                "cluster": row["cluster"],
                "fold": row["fold"],
                "language": row["language"],
            }
            assert doc.text == row["text"]
            assert [t.text for t in doc if not t.is_space] == row["tokens"]
            ents = {(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents}
            assert ents == spans_of(row)  # exactly the gold spans: none widened
            kb = {(e.start_char, e.end_char): e.kb_id_ or None for e in doc.ents}
            assert kb == {(e["start"], e["end"]): e["kb_id"] for e in row["entities"]}
            sents = [[t for t in sent if not t.is_space] for sent in doc.sents]
            ranges = [(s[0].idx, s[-1].idx + len(s[-1])) for s in sents if s]
            assert ranges == [(o["start"], o["end"]) for o in row["sentences"]]
    assert seen == set(ROWS)
    armed = [e for r in ROWS.values() for e in r["entities"] if e["label"] == "ARMED_GROUP"]
    assert armed and all(e["kb_id"] for e in armed)


def read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """A plain CoNLL reader: documents opened by -DOCSTART-, sentences ended by blank lines, token and tag."""
    documents: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            documents.append([])
        elif not line.strip():
            if sentence:
                documents[-1].append(sentence)
            sentence = []
        else:
            token, tag = line.split()
            sentence.append((token, tag))
    if sentence:
        documents[-1].append(sentence)
    return documents


def test_a_plain_conll_reader_gets_every_sentence_token_and_tag_and_the_ids_from_the_sidecar():
    by_doc: dict[str, list[dict]] = {}
    for sentence in sentence_rows():
        by_doc.setdefault(sentence["doc_id"], []).append(sentence)
    for split in SPLITS:
        ids = (V3 / "conll" / f"{split}.ids.txt").read_text("utf-8").splitlines()
        assert ids == sorted(d for d, r in ROWS.items() if r["split"] == split)
        documents = read_conll(V3 / "conll" / f"{split}.txt")
        assert len(documents) == len(ids)
        for doc_id, sentences in zip(ids, documents, strict=True):
            expected = sorted(by_doc[doc_id], key=lambda s: s["sentence"])
            assert [[t for t, _ in s] for s in sentences] == [s["tokens"] for s in expected]
            assert [[NAMES.index(tag) for _, tag in s] for s in sentences] == [s["ner_tags"] for s in expected]
    first = (V3 / "conll" / "train.txt").read_text("utf-8").splitlines()[:2]
    assert first == ["-DOCSTART- -X- O O", ""]


def test_spacy_convert_reads_the_conll_files_into_the_same_documents_and_entities(tmp_path):
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    for split in SPLITS:
        done = subprocess.run(
            [sys.executable, "-m", "spacy", "convert", str(V3 / "conll" / f"{split}.txt"), str(tmp_path), "-c", "ner"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        converted = list(DocBin().from_disk(tmp_path / f"{split}.spacy").get_docs(vocab))
        ids = (V3 / "conll" / f"{split}.ids.txt").read_text("utf-8").splitlines()
        assert len(converted) == len(ids)
        for doc, doc_id in zip(converted, ids, strict=True):
            row = ROWS[doc_id]
            assert [t.text for t in doc] == row["tokens"]
            assert len(list(doc.sents)) == len(row["sentences"])
            assert [(e.start, e.end, e.label_) for e in doc.ents] == tag_spans(row["ner_tags"])
            assert len(doc.ents) == len(row["entities"])


def tag_spans(tags: list[int]) -> list[tuple[int, int, str]]:
    """Token ranges of the entities an IOB2 tag sequence encodes."""
    found: list[tuple[int, int, str]] = []
    for i, tag in enumerate(NAMES[t] for t in tags):
        if tag.startswith("B-"):
            found.append((i, i + 1, tag[2:]))
        elif tag.startswith("I-"):
            start, _, label = found[-1]
            found[-1] = (start, i + 1, label)
    return found


def test_folds_keep_clusters_whole_and_the_card_says_what_the_data_is():
    folds: dict[str, set[int]] = {}
    for row in ROWS.values():
        folds.setdefault(row["cluster"], set()).add(row["fold"])
    assert all(len(f) == 1 for f in folds.values())
    assert {f for fs in folds.values() for f in fs} == set(range(5))
    card = (V3 / "README.md").read_text("utf-8")
    header = yaml.safe_load(card.split("---")[1])
    assert header["license"] == "other" and header["license_link"] == "LICENSE.md"
    assert (V3 / "LICENSE.md").exists() and "CC-BY-4.0" in (V3 / "LICENSE.md").read_text()
    assert [c["config_name"] for c in header["configs"]] == ["default", "sentences"]
    infos = {i["config_name"]: {s["name"]: s["num_examples"] for s in i["splits"]} for i in header["dataset_info"]}
    assert infos["default"] == dict(Counter(r["split"] for r in ROWS.values()))
    assert infos["sentences"] == dict(Counter(r["split"] for r in sentence_rows()))
    assert "≈ 80/10/10" not in card and "version      = {3.0.0}" in card
    assert "no instance of EVENT" in card and "none in train of FAC" in card
    assert "Spans widened to token boundaries: 0" in card
    for section in ("### Data instance", "### Data fields", "### Data splits", "## Personal and sensitive"):
        assert section in card
    for split in SPLITS:
        line = next(x for x in card.splitlines() if x.startswith(f"| {split} | "))
        docs = sum(1 for r in ROWS.values() if r["split"] == split)
        entities = sum(len(r["entities"]) for r in ROWS.values() if r["split"] == split)
        assert line.split(" | ")[1] == str(docs) and line.split(" | ")[5] == str(entities)


def test_diff_reports_columns_actor_ids_and_every_split_move():
    result = CliRunner().invoke(cli, ["diff", "1.0.0", "2.0.0", "--json", "--project-dir", str(REPO)])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["added_columns"] == ["entities.kb_id", "cluster"]
    moves = {d: c["split"] for d, c in found["changed_documents"].items() if c["split"]}
    assert moves == {
        "thedefensepost-81853": ["test", "train"],
        "thedefensepost-85327": ["train", "test"],
        "thedefensepost-85383": ["train", "test"],
    }
    assert sum(len(v) for v in found["kb_ids"].values()) == 90
    text = CliRunner().invoke(cli, ["diff", "2.0.0", "3.0.0", "--project-dir", str(REPO)]).stdout
    assert "+ column language" in text and "+ column fold" in text and "split moves" not in text
    changelog = (REPO / "annotations" / "CHANGELOG.md").read_text("utf-8")
    v3 = changelog.split("## v3.0.0")[1].split("## v2.0.0")[0]
    assert "Columns: added language, sentences" in v3


@pytest.mark.parametrize("version", ["1.0.0", "2.0.0", "3.0.0"])
def test_every_release_rebuilds_byte_for_byte_with_its_own_recipe(version):
    from feedcorpus.cli.common import actor_lookup
    from feedcorpus.paths import ProjectPaths
    from feedcorpus.release.compare import rebuild_problems

    settings = yaml.safe_load((REPO / "annotations" / "release.yaml").read_text("utf-8"))
    previous = {"1.0.0": {}, "2.0.0": {}, "3.0.0": {}}[version]  # each is the first of its MAJOR version
    problems = rebuild_problems(
        REPO / "annotations" / f"v{version}",
        SCHEMA,
        previous_splits=previous,
        guidelines=(REPO / "schemas" / "guidelines.md").read_text("utf-8"),
        settings=settings,
        actors_from=lambda source: actor_lookup(source, ProjectPaths(REPO)),
    )
    assert problems == []
