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
DOCUMENTATION = ("README.md", "LICENSE.md")  # rendered from the card settings: excused like the card


@dataclass(frozen=True)
class GoldRow:
    """One released document as the other stages need it: id, text, gold spans, split."""

    id: str
    text: str
    entities: list[Span]
    split: str
    cluster: str = ""
    fold: int | None = None


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
            r.get("cluster") or "",
            r.get("fold"),
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
class KbIdChange:
    span: Span
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ReleaseDiff:
    added_documents: list[str]
    removed_documents: list[str]
    changed_documents: dict[str, DocumentChange] = field(default_factory=dict)
    added_columns: list[str] = field(default_factory=list)  # "cluster", "entities.kb_id", …
    removed_columns: list[str] = field(default_factory=list)
    kb_ids: dict[str, list[KbIdChange]] = field(default_factory=dict)  # doc → entities whose kb_id changed

    @property
    def moves(self) -> dict[str, tuple[str, str]]:
        """Documents whose split changed, old → new, in either direction."""
        return {d: c.split for d, c in self.changed_documents.items() if c.split}

    def summary(self) -> list[str]:
        """The changes as changelog lines: columns, split moves both ways, kb_id changes, documents, spans."""
        lines = []
        if self.added_columns or self.removed_columns:
            parts = [f"added {', '.join(self.added_columns)}" if self.added_columns else ""]
            parts.append(f"removed {', '.join(self.removed_columns)}" if self.removed_columns else "")
            lines.append("Columns: " + "; ".join(p for p in parts if p) + ".")
        if self.moves:
            moved = "; ".join(f"{d} {a} → {b}" for d, (a, b) in sorted(self.moves.items()))
            lines.append(f"Split moves ({len(self.moves)}): {moved}.")
        changes = [c for found in self.kb_ids.values() for c in found]
        if changes:
            added = sum(1 for c in changes if c.old is None)
            lines.append(
                f"kb_id: {len(changes)} entities changed ({added} added, {len(changes) - added} changed or removed)."
            )
        spans = sum(len(c.added) + len(c.removed) for c in self.changed_documents.values())
        if self.added_documents or self.removed_documents or spans:
            lines.append(
                f"Documents: {len(self.added_documents)} added, {len(self.removed_documents)} removed; "
                f"{spans} spans added or removed."
            )
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "added_documents": self.added_documents,
            "removed_documents": self.removed_documents,
            "changed_documents": {d: c.to_json() for d, c in self.changed_documents.items()},
            "added_columns": self.added_columns,
            "removed_columns": self.removed_columns,
            "kb_ids": {
                d: [[c.span.start, c.span.end, c.span.label, c.span.text, c.old, c.new] for c in found]
                for d, found in self.kb_ids.items()
            },
        }


def columns(source: Path | bytes) -> list[str]:
    """A release file's column names, nested struct fields as `parent.child` (e.g. `entities.kb_id`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = []
    for column in pq.read_schema(pa.BufferReader(source) if isinstance(source, bytes) else source):
        names.append(column.name)
        kind = column.type
        while pa.types.is_list(kind) or pa.types.is_large_list(kind):
            kind = kind.value_type
        if pa.types.is_struct(kind):
            names += [f"{column.name}.{kind.field(i).name}" for i in range(kind.num_fields)]
    return names


def kb_id_changes(before: dict[str, Any], after: dict[str, Any]) -> list[KbIdChange]:
    old = {(e["start"], e["end"], e["label"]): e.get("kb_id") for e in before["entities"]}
    found = []
    for e in after["entities"]:
        key = (e["start"], e["end"], e["label"])
        if key in old and old[key] != e.get("kb_id"):
            found.append(KbIdChange(Span(*key, e["text"], "annotation"), old[key], e.get("kb_id")))
    return found


def _spans(row: dict[str, Any]) -> set[Span]:
    return {Span(e["start"], e["end"], e["label"], e["text"], "annotation") for e in row["entities"]}


def diff(old_dir: Path, new_dir: Path) -> ReleaseDiff:
    """Documents added/removed, spans added/removed, split moves, kb_id and column changes between releases."""
    return diff_rows(
        read_rows(old_dir / GOLD_PATH),
        read_rows(new_dir / GOLD_PATH),
        columns(old_dir / GOLD_PATH),
        columns(new_dir / GOLD_PATH),
    )


def diff_rows(
    old_rows: list[dict[str, Any]], new_rows: list[dict[str, Any]], old_columns: list[str], new_columns: list[str]
) -> ReleaseDiff:
    old = {r["id"]: r for r in old_rows}
    new = {r["id"]: r for r in new_rows}
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
    kb_ids = {d: found for d in sorted(set(old) & set(new)) if (found := kb_id_changes(old[d], new[d]))}
    return ReleaseDiff(
        sorted(set(new) - set(old)),
        sorted(set(old) - set(new)),
        changed,
        [c for c in new_columns if c not in old_columns],
        [c for c in old_columns if c not in new_columns],
        kb_ids,
    )


def changes_since(previous: Path | None, rows: list[dict[str, Any]], gold_parquet: bytes) -> list[str]:
    """What a new release changes against the latest published one, as lines for its changelog entry."""
    if previous is None:
        return []
    found = diff_rows(read_rows(previous / GOLD_PATH), rows, columns(previous / GOLD_PATH), columns(gold_parquet))
    return [f"Changes since {previous.name}: " + " ".join(found.summary())] if found.summary() else []


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
        if path in DOCUMENTATION and not same_card:
            continue
        if path not in data["files"] or sha256_bytes(content) != data["files"][path]["sha256"]:
            problems.append(f"{path}: the rebuild from the snapshot differs")
    return problems
