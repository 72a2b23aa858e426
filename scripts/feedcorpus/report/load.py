"""Gather what a report shows: the release's rows and manifest, its Label Studio snapshot, prediction sets.

The snapshot is the one the release was built from (source/label-studio-export.json), resolved with the
release's own policy, so the disagreements and annotation passes shown are those the release was made of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from feedcorpus.errors import ReleaseError
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import LabelSchema
from feedcorpus.release import gold
from feedcorpus.release.build import GOLD_PATH, SNAPSHOT_PATH
from feedcorpus.release.parquet import read_rows
from feedcorpus.release.snapshot import Snapshot, Task, read_snapshot
from feedcorpus.release.store import read_manifest
from feedcorpus.report.model import (
    SNAPSHOT_ORIGIN,
    STORE_ORIGIN,
    AnnotationPass,
    Disagreement,
    Overlap,
    PredictionSet,
    ReleaseFigures,
    ReportData,
    ReportDocument,
    ReportError,
)
from feedcorpus.spans import Span, span_problem
from feedcorpus.stores.predictions import PredictionRecord


def _figures(manifest: dict[str, Any], policy: str, tasks: int) -> ReleaseFigures:
    counts = manifest.get("counts") or {}
    overlap = tuple(
        Overlap(
            str(o["split"]),
            int(o["mentions"]),
            int(o["seen_mentions"]),
            int(o["unseen_mentions"]),
            float(o.get("ngram_share") or 0.0),
        )
        for o in counts.get("overlap") or []
    )
    return ReleaseFigures(
        name=str(manifest["version"]),
        created_at=str(manifest.get("created_at") or ""),
        release_format=int(manifest.get("format", 1)),
        policy=policy,
        provenance={str(k): int(v) for k, v in (counts.get("provenance") or {}).items()},
        overlap=overlap,
        disputed=tuple(str(d) for d in (manifest.get("report") or {}).get("disputed") or ()),
        snapshot_tasks=tasks,
    )


def _document(row: dict[str, Any], task: Task | None) -> ReportDocument:
    entities = tuple(
        Span(e["start"], e["end"], e["label"], e["text"], "annotation", e.get("provenance"), e.get("kb_id"))
        for e in row["entities"] or []
    )
    return ReportDocument(
        id=str(row["id"]),
        title=str(row.get("title") or row["id"]),
        text=str(row["text"]),
        split=str(row.get("split") or ""),
        source=row.get("source"),
        url=row.get("url"),
        tokens=len(row.get("tokens") or []),
        entities=entities,
        task_id=task.id if task else None,
        project_id=task.project if task else None,
    )


def _from_snapshot(
    name: str, predicted: Mapping[str, list[Span]], documents: Sequence[ReportDocument]
) -> PredictionSet:
    spans, dropped = {}, 0
    for document in documents:
        if document.id in predicted:
            kept = tuple(s for s in predicted[document.id] if span_problem(document.text, s, check_text=False) is None)
            dropped += len(predicted[document.id]) - len(kept)
            spans[document.id] = kept
    return PredictionSet(name, SNAPSHOT_ORIGIN, spans, dropped=dropped)


def _from_store(
    name: str, records: Mapping[str, PredictionRecord], documents: Sequence[ReportDocument]
) -> PredictionSet:
    """Predictions made for the text the release has; those made for another version of it are left out."""
    spans, stale, dropped = {}, [], 0
    for document in documents:
        record = records.get(document.id)
        if record is None:
            continue
        if record.doc_sha256 and record.doc_sha256 != sha256_text(document.text):
            stale.append(document.id)
            continue
        kept = tuple(s for s in record.spans if span_problem(document.text, s) is None)
        dropped += len(record.spans) - len(kept)
        spans[document.id] = kept
    if not spans:
        why = f" ({len(stale)} were predicted for another version of the text)" if stale else ""
        raise ReportError(f"{name} has none of the {len(documents)} documents of the release{why}")
    return PredictionSet(name, STORE_ORIGIN, spans, tuple(stale), dropped)


def disagreements(snapshot: Snapshot, resolution: gold.Resolution, labels: Sequence[str]) -> tuple[Disagreement, ...]:
    """Tasks whose submitted annotations (ground truth included) do not all have the same spans."""
    decided = {d.doc_id: d for d in resolution.documents}
    scratch = gold.Resolution()  # problems were already refused by the export; they are not repeated here
    found = []
    seen: set[str] = set()
    for task in snapshot.tasks:
        doc_id, text = task.data.get("doc_id"), task.data.get("text")
        if not isinstance(doc_id, str) or not isinstance(text, str) or doc_id in seen:
            continue
        seen.add(doc_id)
        passes = tuple(
            AnnotationPass(
                a.annotator,
                a.id,
                a.ground_truth,
                tuple(gold.annotation_spans(a, text, set(labels), where=f"task {task.id}", resolution=scratch)),
            )
            for a in task.annotations
            if not a.was_cancelled
        )
        if len({frozenset(s.key for s in p.spans) for p in passes}) < 2:
            continue
        document = decided.get(doc_id)
        found.append(
            Disagreement(
                doc_id=doc_id,
                task_id=task.id,
                project_id=task.project,
                title=str(task.data.get("title") or doc_id),
                text=text,
                annotations=passes,
                decision=document.resolved_by if document else "excluded",
                gold=tuple(document.entities) if document else None,
            )
        )
    return tuple(found)


def load_report(
    release_dir: Path,
    schema: LabelSchema,
    *,
    extra: Sequence[tuple[str, Mapping[str, PredictionRecord]]] = (),
    studio_url: str | None = None,
) -> ReportData:
    """The report's data for a release; `extra` prediction sets (from corpus/predictions) come first."""
    manifest = read_manifest(release_dir)
    rows = read_rows(release_dir / GOLD_PATH)
    labels = tuple(str(label) for label in manifest.get("labels") or schema.names)
    policy = str((manifest.get("card_inputs") or {}).get("policy") or "exclude")
    policy = policy if policy in gold.POLICIES else "exclude"
    notes = []
    snapshot_path = release_dir / SNAPSHOT_PATH
    if snapshot_path.exists():
        snapshot = read_snapshot(snapshot_path.read_bytes())
        resolution = gold.resolve(snapshot, labels, policy=policy)
    else:
        snapshot, resolution = Snapshot(), gold.Resolution()
        notes.append(f"{SNAPSHOT_PATH} is missing: no snapshot predictions, agreement or disagreements")
    tasks: dict[str, Task] = {}
    for task in snapshot.tasks:
        if isinstance(task.data.get("doc_id"), str):
            tasks.setdefault(task.data["doc_id"], task)
    documents = tuple(_document(row, tasks.get(str(row["id"]))) for row in rows)
    sets = [_from_store(name, records, documents) for name, records in extra]
    sets += [_from_snapshot(name, spans, documents) for name, spans in sorted(resolution.predictions.items())]
    for item in sets:
        if item.stale:
            notes.append(f"{item.title}: {len(item.stale)} document(s) predicted for another version of the text")
        if item.dropped:
            notes.append(f"{item.title}: {item.dropped} span(s) outside their document's text are not shown")
    try:
        figures = _figures(manifest, policy, snapshot.items)
    except (KeyError, TypeError, ValueError) as exc:
        raise ReleaseError(f"unexpected counts in the manifest ({exc!r})", path=release_dir / "manifest.json") from exc
    return ReportData(
        release=figures,
        labels=labels,
        colors={label.name: label.color for label in schema.labels},
        documents=documents,
        predictions=tuple(sets),
        passes={name: {d: tuple(s) for d, s in docs.items()} for name, docs in resolution.passes.items()},
        disagreements=disagreements(snapshot, resolution, labels),
        studio_url=studio_url,
        notes=tuple(notes),
    )
