"""`versions --rebuild`: data files must always rebuild byte for byte; the card (README.md) is compared only
when the guidelines, the card settings and the card template are those it was written from."""

from __future__ import annotations

from functools import partial

import pytest

from actor_lookup import ACTORS
from feedcorpus.cli.common import actor_lookup
from feedcorpus.labels import load_label_schema
from feedcorpus.paths import ProjectPaths
from feedcorpus.release import build as build_module
from feedcorpus.release import card
from feedcorpus.release.build import build
from feedcorpus.release.compare import rebuild_problems
from feedcorpus.release.store import ReleaseStore
from test_release_reliability import snapshot
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
GUIDELINES = (REPO / "schemas" / "guidelines.md").read_text("utf-8")


@pytest.fixture
def release_dir(tmp_path):
    built = build(snapshot(), version="1.0.0", schema=SCHEMA, guidelines=GUIDELINES, actors=ACTORS)
    return ReleaseStore(tmp_path / "annotations").publish(built, SCHEMA)


def problems(release_dir, guidelines: str = GUIDELINES) -> list[str]:
    lookup = partial(actor_lookup, paths=ProjectPaths(REPO))
    return rebuild_problems(
        release_dir, SCHEMA, previous_splits={}, guidelines=guidelines, settings={}, actors_from=lookup
    )


def test_an_untouched_release_rebuilds_identically(release_dir):
    assert problems(release_dir) == []


def test_a_different_card_from_the_same_inputs_is_damage(release_dir, monkeypatch):
    real = card.render
    monkeypatch.setattr(card, "render", lambda *a, **k: real(*a, **k) + "tampered\n")
    assert problems(release_dir) == ["README.md: the rebuild from the snapshot differs"]


def test_a_new_card_template_or_new_guidelines_excuse_the_card_only(release_dir, monkeypatch):
    real = card.render
    monkeypatch.setattr(card, "render", lambda *a, **k: real(*a, **k) + "a newer template\n")
    monkeypatch.setattr(card, "template_sha256", lambda: "0" * 64)
    assert problems(release_dir) == []
    monkeypatch.setattr(card, "template_sha256", real.__globals__["template_sha256"])
    assert problems(release_dir, GUIDELINES + "\n- a new hard case\n") == []


def test_data_files_are_never_excused(release_dir, monkeypatch):
    monkeypatch.setattr(card, "template_sha256", lambda: "0" * 64)
    real = build_module.parquet.parquet_bytes
    monkeypatch.setattr(build_module.parquet, "parquet_bytes", lambda table: real(table) + b"\0")
    found = problems(release_dir)
    assert "gold.parquet: the rebuild from the snapshot differs" in found
    assert not any(p.startswith("README.md") for p in found)
