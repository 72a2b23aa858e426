"""Releases from crafted snapshots: tokens/tags, splits, determinism, immutability, loaders, versions, diff."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from actor_lookup import ACTORS
from feedcorpus.cli import cli
from feedcorpus.errors import ReleaseError
from feedcorpus.fileio import sha256_bytes
from feedcorpus.labels import load_label_schema
from feedcorpus.release import build as release
from feedcorpus.release import parquet, splits, tokens
from feedcorpus.release.contracts import Built
from feedcorpus.release.store import ReleaseStore
from feedcorpus.release.versioning import parse_version
from feedcorpus.spans import Span
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
TEXTS = [
    "Goïta’s junta — in Bamako\n\nJNIM attacked Air Base 101 in Bamako on Tuesday, AFP said.",
    "Wagner in Mali\n\nThe “Wagner” fighters left Kidal in July 2024.",
    "Sahel news\n\nHe spoke on condition of anonymity.Volleys hit Gao.",
    "Niger\n\nTillaberi was attacked by the Islamic State group.",
    "Mopti\n\nNothing named here at all.",
]
ENTITIES = [
    [("Goïta", "PERSON"), ("Bamako", "GPE"), ("JNIM", "ARMED_GROUP"), ("Air Base 101", "FAC"), ("Tuesday", "DATE")],
    [("Wagner", "ARMED_GROUP"), ("Mali", "GPE"), ("Kidal", "GPE"), ("July 2024", "DATE")],
    [("Sahel", "LOC"), ("Volley", "EVENT"), ("Gao", "GPE")],  # "Volley" is inside the token "Volleys"
    [("Niger", "GPE"), ("Tillaberi", "GPE"), ("Islamic State group", "ARMED_GROUP")],
    [],
]


def regions(text: str, pieces: list[tuple[str, str]]) -> list[dict]:
    found, cursor = [], 0
    for piece, label in pieces:
        start = text.index(piece, cursor)
        cursor = start + len(piece)
        value = {"start": start, "end": cursor, "text": piece, "labels": [label]}
        found.append({"from_name": "label", "to_name": "text", "type": "labels", "value": value})
    return found


def snapshot(count: int = 5) -> bytes:
    tasks = []
    for i in range(count):
        text, pieces = TEXTS[i % len(TEXTS)], ENTITIES[i % len(ENTITIES)]
        prediction = {"id": 50 + i, "model_version": "m1", "result": regions(text, pieces[:-1]) if pieces else []}
        tasks.append(
            {
                "id": i + 1,
                "data": {
                    "text": text,
                    "doc_id": f"site-{i:03d}",
                    "title": text.split("\n")[0],
                    "url": f"https://example.org/{i}",
                    "published": "2024-09-17T10:00:00+00:00",
                    "source": "Example Post",
                },
                "annotations": [
                    {
                        "id": 100 + i,
                        "completed_by": {"id": 2, "email": "annotator-a@feedcorpus.local"},
                        "result": regions(text, pieces),
                        "was_cancelled": False,
                        "ground_truth": False,
                        "updated_at": "2026-11-24T10:00:00Z",
                        "parent_prediction": 50 + i,
                    }
                ],
                "predictions": [prediction],
            }
        )
    return json.dumps(tasks, ensure_ascii=False).encode("utf-8")


def build(data: bytes | None = None, version: str = "1.0.0", **kwargs) -> Built:
    """The crafted snapshot has one span inside a token ("Volley" in "Volleys"): let it through, widened."""
    kwargs.setdefault("allow_expanded", True)
    return release.build(data or snapshot(), version=version, schema=SCHEMA, actors=ACTORS, **kwargs)


def test_a_span_inside_a_token_is_refused_unless_allowed():
    with pytest.raises(ReleaseError, match=re.escape("1 gold spans do not fall on token boundaries")) as caught:
        build(allow_expanded=False)
    assert caught.value.details == [
        f"site-002: 'Volley' [{TEXTS[2].index('Volley')}:{TEXTS[2].index('Volley') + 6}) EVENT"
    ]
    assert "Spans widened to token boundaries: 1 (released with --allow-expanded" in build().files["README.md"].decode()


def test_tags_are_iob2_and_a_misaligned_span_is_expanded_not_dropped():
    text = TEXTS[2]
    start = text.index("Volley")
    tagged = tokens.tag(text, [Span(start, start + 6, "EVENT", "Volley"), Span(0, 5, "LOC", "Sahel")])
    pairs = dict(zip(tagged.tokens, tagged.tags, strict=True))
    assert pairs["Volleys"] == "B-EVENT" and pairs["Sahel"] == "B-LOC" and pairs["news"] == "O"
    assert [s.text for s in tagged.expanded] == ["Volley"]
    assert "\n\n" not in tagged.tokens


def test_multi_token_entities_get_inside_tags():
    text = TEXTS[3]
    start = text.index("Islamic State group")
    tagged = tokens.tag(text, [Span(start, start + 19, "ARMED_GROUP", "Islamic State group")])
    i = tagged.tokens.index("Islamic")
    assert tagged.tags[i : i + 3] == ["B-ARMED_GROUP", "I-ARMED_GROUP", "I-ARMED_GROUP"]


def test_rows_follow_the_schema_and_tags_use_the_schema_order():
    built = build()
    table = pq.read_table(pa_buffer(built.files[release.GOLD_PATH]))
    assert table.schema.remove_metadata() == parquet.arrow_schema(parquet.features(SCHEMA))
    metadata = table.schema.metadata
    assert json.loads(metadata[b"feedcorpus.ner_tags"]) == SCHEMA.tag_names()
    assert metadata[b"feedcorpus.version"] == b"v1.0.0"
    assert metadata[b"feedcorpus.label_schema_sha256"].decode() == SCHEMA.sha256
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    names = SCHEMA.tag_names()
    for row in rows:
        for entity in row["entities"]:
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]
        assert len(row["tokens"]) == len(row["ner_tags"])
        begins = sum(1 for t in row["ner_tags"] if names[t].startswith("B-"))
        assert begins == len(row["entities"])
    volley = TEXTS[2].index("Volley")
    assert built.report.expanded_spans == [f"site-002: 'Volley' [{volley}:{volley + 6}) EVENT"]
    assert rows[0]["published"].isoformat() == "2024-09-17T10:00:00+00:00"


def pa_buffer(data: bytes):
    import pyarrow as pa

    return pa.BufferReader(data)


def test_provenance_is_stored_per_entity_and_summed():
    built = build()
    rows = built.rows
    assert {e["provenance"] for r in rows for e in r["entities"]} == {"accepted", "added"}
    added = sum(1 for r in rows for e in r["entities"] if e["provenance"] == "added")
    assert added == 4 and built.stats.provenance["added"] == 4
    assert built.stats.quality.predictions["m1"]["overall"].recall == pytest.approx(11 / 15, abs=1e-4)


def test_splits_are_stable_and_never_empty():
    for size in range(3, 40):
        ids = [f"doc-{size}-{i}" for i in range(size)]
        assigned, _ = splits.assign(ids)
        assert set(assigned.values()) == set(splits.SPLITS), size
    ids = [f"news-{i}" for i in range(200)]
    assigned, moves = splits.assign(ids)
    assert moves == [] and all(assigned[d] == splits.by_hash(d) for d in ids)
    shares = {s: list(assigned.values()).count(s) / 200 for s in splits.SPLITS}
    assert 0.7 < shares["train"] < 0.9 and 0.04 < shares["validation"] < 0.16
    # documents keep the split an earlier release gave them, even one moved to fill an empty split
    small, _ = splits.assign(ids[:3])
    grown, _ = splits.assign(ids[:50], previous=small)
    assert all(grown[d] == small[d] for d in small)


def test_same_snapshot_gives_byte_identical_files():
    first, second = build(), build()
    assert first.files.keys() == second.files.keys()
    for path in first.files:
        assert first.files[path] == second.files[path], path


def publish(project: Path, data: bytes | None = None, version: str = "1.0.0") -> Path:
    store = ReleaseStore(project / "annotations")
    previous = store.check_bump(version, SCHEMA)
    built = build(data, version, previous_splits=previous)
    return store.publish(built, SCHEMA, note="test release")


def test_published_release_loads_in_datasets_pandas_polars_and_duckdb(tmp_path):
    target = publish(tmp_path)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == sorted(
        [
            "README.md",
            "LICENSE.md",
            "gold.parquet",
            "manifest.json",
            "source/label-studio-export.json",
            "source/actors.yaml",
            *[f"data/{s}-00000-of-00001.parquet" for s in ("train", "validation", "test")],
            *[f"sentences/{s}-00000-of-00001.parquet" for s in ("train", "validation", "test")],
            *[f"spacy/{s}.spacy" for s in ("train", "dev", "test")],
            *[f"conll/{s}.txt" for s in ("train", "validation", "test")],
            *[f"conll/{s}.ids.txt" for s in ("train", "validation", "test")],
        ]
    )
    manifest = json.loads((target / "manifest.json").read_text())
    from datasets import ClassLabel, load_dataset

    ds = load_dataset(str(target))
    assert set(ds) == {"train", "validation", "test"}
    assert sum(len(ds[s]) for s in ds) == 5
    feature = ds["train"].features["ner_tags"].feature
    assert isinstance(feature, ClassLabel) and feature.names == SCHEMA.tag_names()
    for split in ds:
        assert len(ds[split]) == manifest["counts"]["documents"][split]
        assert {r["split"] for r in ds[split]} == {split}

    import duckdb
    import pandas as pd
    import polars as pl

    frame = pd.read_parquet(target / "gold.parquet")
    assert len(frame) == 5 and frame["published"].dt.tz is not None
    assert pl.read_parquet(target / "gold.parquet")["entities"].list.len().sum() == 15
    count = duckdb.sql(f"SELECT count(*) FROM (SELECT unnest(entities) AS e FROM '{target / 'gold.parquet'}')")
    assert count.fetchall()[0][0] == 15
    labels = duckdb.sql(
        f"SELECT e.label, count(*) FROM (SELECT unnest(entities) AS e FROM '{target / 'gold.parquet'}') GROUP BY 1"
    ).fetchall()
    card = (target / "README.md").read_text()
    totals = {label: n for label, n in labels}
    for label in SCHEMA.names:
        assert f"| {label} | " in card
        row = next(line for line in card.splitlines() if line.startswith(f"| {label} | "))
        assert row.rstrip(" |").endswith(f"| {totals.get(label, 0)}"), row


def test_rebuilding_from_the_stored_snapshot_reproduces_the_checksums(tmp_path):
    target = publish(tmp_path)
    stored = (target / release.SNAPSHOT_PATH).read_bytes()
    rebuilt = build(stored)
    manifest = json.loads((target / "manifest.json").read_text())
    for path, content in rebuilt.files.items():
        assert sha256_bytes(content) == manifest["files"][path]["sha256"], path


def test_an_existing_version_is_refused_and_left_untouched(tmp_path):
    target = publish(tmp_path)
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    with pytest.raises(ReleaseError, match=re.escape("v1.0.0 exists; versions are immutable")):
        publish(tmp_path)
    with pytest.raises(ReleaseError, match="exists"):
        ReleaseStore(tmp_path / "annotations").publish(build(), SCHEMA)
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert not [p for p in (tmp_path / "annotations").iterdir() if p.name.startswith(".")]


def test_version_rules(tmp_path):
    publish(tmp_path, version="1.1.0")
    with pytest.raises(ReleaseError, match=re.escape("older than the latest release v1.1.0")):
        ReleaseStore(tmp_path / "annotations").check_bump("1.0.5", SCHEMA)
    changed = load_label_schema(REPO / "schemas" / "labels.yaml")
    object.__setattr__(changed, "source_text", changed.source_text + "\n# edited\n")
    with pytest.raises(ReleaseError, match=re.escape("MAJOR version change (next: v2.0.0)")):
        ReleaseStore(tmp_path / "annotations").check_bump("1.2.0", changed)
    assert ReleaseStore(tmp_path / "annotations").check_bump("2.0.0", changed) == {}  # a MAJOR version: fresh splits
    assert ReleaseStore(tmp_path / "annotations").check_bump("1.2.0", SCHEMA)  # a MINOR one keeps them
    with pytest.raises(ReleaseError, match="not semantic"):
        parse_version("1.0")


@pytest.mark.parametrize("version", ["03.00.001", "01.2.3", "1.02.3", "v1.2.03"])
def test_a_version_with_a_leading_zero_is_refused(version):
    with pytest.raises(ReleaseError, match="has a leading zero; semantic versions have none"):
        parse_version(version)


def test_an_absurdly_large_version_part_is_refused_before_it_blocks_every_normal_version(tmp_path):
    with pytest.raises(ReleaseError, match="has a part above 9999"):
        ReleaseStore(tmp_path / "annotations").check_bump("12345678901234567890.0.0", SCHEMA)
    assert parse_version("v10.0.0") == (10, 0, 0) and parse_version("0.9999.0") == (0, 9999, 0)


def test_bad_snapshot_writes_nothing(tmp_path, project):
    tasks = json.loads(snapshot())
    tasks[1]["annotations"][0]["result"][0]["value"]["start"] += 1
    with pytest.raises(ReleaseError, match=re.escape("task 2 (site-001) annotation 101: span 'Wagner' [1:6)")):
        build(json.dumps(tasks).encode())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tasks))
    result = CliRunner().invoke(
        cli, ["export", "--version", "1.0.0", "--from-file", str(bad), "--project-dir", str(project)]
    )
    assert result.exit_code == 1 and "nothing written" in result.stderr
    assert not (project / "annotations").exists()
    with pytest.raises(ReleaseError, match="not JSON"):
        build(b"{oops")


def test_versions_and_diff_commands(tmp_path):
    publish(tmp_path)
    tasks = json.loads(snapshot(6))
    tasks[0]["annotations"][0]["result"].pop()  # Tuesday removed
    publish(tmp_path, json.dumps(tasks, ensure_ascii=False).encode(), version="1.1.0")
    runner = CliRunner()
    listed = runner.invoke(cli, ["versions", "--project-dir", str(tmp_path)])
    assert listed.exit_code == 0 and "v1.0.0" in listed.output and "v1.1.0" in listed.output
    assert listed.output.count(" ok") == 2
    changes = runner.invoke(cli, ["diff", "1.0.0", "1.1.0", "--project-dir", str(tmp_path)])
    assert changes.exit_code == 0
    assert "+ site-005" in changes.output and "- [" in changes.output and "'Tuesday'" in changes.output
    changelog = (tmp_path / "annotations" / "CHANGELOG.md").read_text()
    assert changelog.index("## v1.1.0") < changelog.index("## v1.0.0") and "test release" in changelog

    gold_file = tmp_path / "annotations" / "v1.0.0" / "gold.parquet"
    gold_file.write_bytes(gold_file.read_bytes() + b"x")
    damaged = runner.invoke(cli, ["versions", "--project-dir", str(tmp_path)])
    assert damaged.exit_code == 1 and "gold.parquet: sha256 differs from the manifest" in damaged.output


def test_export_command_from_file(tmp_path, project):
    snap = tmp_path / "snapshot.json"
    snap.write_bytes(snapshot())
    runner = CliRunner()
    refused = runner.invoke(
        cli, ["export", "--version", "1.0.0", "--from-file", str(snap), "--project-dir", str(project)]
    )
    assert refused.exit_code == 1 and "do not fall on token boundaries" in refused.stderr
    assert "--allow-expanded" in refused.stderr and not (project / "annotations").exists()
    args = ["export", "--version", "1.0.0", "--from-file", str(snap), "--allow-expanded", "--project-dir", str(project)]
    dry = runner.invoke(cli, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("would write") and not (project / "annotations").exists()
    done = runner.invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert "5 documents" in done.stdout and "1 spans expanded" in done.stdout
    again = runner.invoke(cli, args)
    assert again.exit_code == 1 and "immutable" in again.stderr
    evaluated = runner.invoke(cli, ["evaluate", "--against", "1.0.0", "--json", "--project-dir", str(project)])
    assert evaluated.exit_code == 0
    assert json.loads(evaluated.stdout)["results"]["v1.0.0"]["scores"]["overall"]["f1"] == 1.0
    shutil.rmtree(project / "annotations")


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_tags_equal_spacys_own_biluo_to_iob_on_aligned_spans(index):
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags

    text = TEXTS[index]
    spans = [
        Span(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0], r["value"]["text"])
        for r in regions(text, ENTITIES[index])
    ]
    ours = tokens.tag(text, spans)
    doc = tokens.tokenizer().make_doc(text)
    aligned = [doc.char_span(s.start, s.end, alignment_mode="expand") for s in spans]
    reference = biluo_to_iob(
        offsets_to_biluo_tags(doc, [(a.start_char, a.end_char, s.label) for a, s in zip(aligned, spans, strict=True)])
    )
    assert ours.tags == [t for token, t in zip(doc, reference, strict=True) if not token.is_space]
