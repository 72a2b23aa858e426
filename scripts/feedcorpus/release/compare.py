"""Releases compared: with each other (`diff`), and with a rebuild from their own snapshot (`--rebuild`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedcorpus.fileio import sha256_bytes
from feedcorpus.labels import LabelSchema
from feedcorpus.release.actors import REGISTRY_PATH, ActorLookup
from feedcorpus.release.build import GOLD_PATH, SNAPSHOT_PATH, build
from feedcorpus.release.parquet import read_rows
from feedcorpus.release.store import read_manifest
from feedcorpus.spans import Span

CARD_INPUTS = ("guidelines_sha256", "card_settings_sha256", "card_template_sha256")


@dataclass(frozen=True)
class GoldRow:
    """One released document as the other stages need it: id, text, gold spans, split."""

    id: str
    text: str
    entities: list[Span]
    split: str


def gold_rows(release_dir: Path) -> list[GoldRow]:
    return [
        GoldRow(
            r["id"],
            r["text"],
            [
                Span(e["start"], e["end"], e["label"], e["text"], "annotation", e.get("provenance"))
                for e in r["entities"]
            ],
            r["split"],
        )
        for r in read_rows(release_dir / GOLD_PATH)
    ]


def entity_spans(release_dir: Path) -> dict[str, list[Span]]:
    """doc id → the release's gold entities as spans (for scoring)."""
    return {row.id: row.entities for row in gold_rows(release_dir)}


@dataclass(frozen=True)
class DocumentChange:
    added: list[Span]
    removed: list[Span]
    text_changed: bool
    split: tuple[str, str] | None  # (old, new) when the document moved

    def to_json(self) -> dict[str, Any]:
        return {
            "added": [[s.start, s.end, s.label, s.text] for s in self.added],
            "removed": [[s.start, s.end, s.label, s.text] for s in self.removed],
            "text_changed": self.text_changed,
            "split": list(self.split) if self.split else None,
        }


@dataclass(frozen=True)
class ReleaseDiff:
    added_documents: list[str]
    removed_documents: list[str]
    changed_documents: dict[str, DocumentChange] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "added_documents": self.added_documents,
            "removed_documents": self.removed_documents,
            "changed_documents": {d: c.to_json() for d, c in self.changed_documents.items()},
        }


def _spans(row: dict[str, Any]) -> set[Span]:
    return {Span(e["start"], e["end"], e["label"], e["text"], "annotation") for e in row["entities"]}


def diff(old_dir: Path, new_dir: Path) -> ReleaseDiff:
    """Documents added/removed and spans added/removed per document between two releases."""
    old = {r["id"]: r for r in read_rows(old_dir / GOLD_PATH)}
    new = {r["id"]: r for r in read_rows(new_dir / GOLD_PATH)}
    changed = {}
    for doc_id in sorted(set(old) & set(new)):
        before, after = _spans(old[doc_id]), _spans(new[doc_id])
        text_changed = old[doc_id]["text"] != new[doc_id]["text"]
        moved = old[doc_id]["split"] != new[doc_id]["split"]
        if before != after or text_changed or moved:
            changed[doc_id] = DocumentChange(
                sorted(after - before),
                sorted(before - after),
                text_changed,
                (old[doc_id]["split"], new[doc_id]["split"]) if moved else None,
            )
    return ReleaseDiff(sorted(set(new) - set(old)), sorted(set(old) - set(new)), changed)


def rebuild_problems(
    release_dir: Path,
    schema: LabelSchema,
    *,
    previous_splits: dict[str, str],
    guidelines: str,
    settings: dict[str, Any],
    actors_from: Callable[[bytes], ActorLookup] | None = None,
) -> list[str]:
    """Rebuild a release from its own snapshot and name every file whose sha256 differs from the manifest.

    Data files must always come out byte-identical. The card (README.md) is documentation rendered from
    the data: it is compared only when everything else it was written from is unchanged — the guidelines,
    the card settings (annotations/release.yaml) and the card template (`card.template_sha256`). A newer
    template or sharper guidelines are not damage to an old release.
    """
    data = read_manifest(release_dir)
    inputs = data.get("card_inputs", {})
    release_format = int(data.get("format", 1))
    registry = release_dir / REGISTRY_PATH
    actors = actors_from(registry.read_bytes()) if actors_from and registry.exists() else None
    built = build(
        (release_dir / SNAPSHOT_PATH).read_bytes(),
        version=data["version"],
        schema=schema,
        policy=inputs.get("policy", "exclude"),
        previous_splits=previous_splits,
        guidelines=guidelines,
        settings=settings,
        release_format=release_format,
        actors=actors,
    )
    now = built.inputs.to_json()
    same_card = all(inputs.get(key) == now[key] for key in CARD_INPUTS)
    problems = []
    for path, content in built.files.items():
        if path == "README.md" and not same_card:
            continue
        if path not in data["files"] or sha256_bytes(content) != data["files"][path]["sha256"]:
            problems.append(f"{path}: the rebuild from the snapshot differs")
    return problems
