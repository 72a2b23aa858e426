"""One training run of the backend, in its own process (`python -m feedcorpus.serve.retrain RUN_DIR`).

It reads RUN_DIR/request.json, takes an export snapshot of the project, resolves gold as `export` does,
splits it with near-copy clusters kept in one split, trains through `annotate.train.train` (the same
training as `feedcorpus train`), and scores the candidate and the serving model (each with the reference
lists and rules) on the held-out test split. RUN_DIR/outcome.json says what happened; a crash leaves no
outcome, and the server keeps its model. A separate process: a crash or a memory blow-up here never takes
the serving model down, and it runs at a lower priority so predictions stay quick.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from feedcorpus import metrics
from feedcorpus.annotate.train import GoldDoc, TrainSettings
from feedcorpus.fileio import atomic_write_bytes, atomic_write_text, read_json
from feedcorpus.labels import LabelSchema

POLICIES = ("not-worse", "always")


@dataclass(frozen=True)
class TrainingRequest:
    project_dir: str
    project: int
    run: int
    current_model: str  # what serves now (name or folder)
    base: str  # the pipeline whose ner is fine-tuned
    epochs: int = 30
    folds: int = 5
    rehearsal: bool = True
    promote: str = "not-worse"


@dataclass(frozen=True)
class Outcome:
    promote: bool
    model: str
    model_version: str
    figures: dict[str, Any]


def gold_docs(snapshot: bytes, schema: LabelSchema) -> list[GoldDoc]:
    """Gold documents of an export with their splits and clusters: export's gold policy, near-copy clusters kept
    together in a split and in a cross-validation fold (train groups its folds by `cluster`)."""
    from feedcorpus.nearcopies import body_offset, cluster_documents
    from feedcorpus.release import gold, splits
    from feedcorpus.release.snapshot import read_snapshot

    resolution = gold.resolve(read_snapshot(snapshot), schema.names)
    gold.check(resolution)
    documents = resolution.documents
    clusters = cluster_documents(((d.doc_id, d.text, body_offset(d.text)) for d in documents), fast=True).cluster_of
    assigned, _ = splits.assign_clusters(clusters)
    return [GoldDoc(d.doc_id, d.text, tuple(d.entities), assigned[d.doc_id], clusters[d.doc_id]) for d in documents]


def decide(candidate: metrics.Score, current: metrics.Score, policy: str, held_out: int) -> bool:
    """Promote when the candidate is not worse on held-out gold (overall F1), or always when told so."""
    if policy == "always":
        return True
    return held_out > 0 and candidate.f1 >= current.f1


def _scores(model: str, docs: list[GoldDoc], project_dir: Path, schema: LabelSchema) -> tuple[str, metrics.Score]:
    from feedcorpus.annotate.preannotate import annotate
    from feedcorpus.annotate.preannotator import build_preannotator
    from feedcorpus.paths import ProjectPaths
    from feedcorpus.serve.model import text_document

    pipeline = build_preannotator(ProjectPaths(project_dir), schema, model=model)
    predicted = {d.id: s for d, s in annotate(pipeline, [text_document(g.id, g.text) for g in docs], schema)}
    scores = metrics.compare({g.id: list(g.spans) for g in docs}, predicted, schema.names)
    return pipeline.model_version, scores["overall"]


def run(request: TrainingRequest, run_dir: Path) -> Outcome:
    from feedcorpus.annotate.train import train
    from feedcorpus.labels import load_label_schema
    from feedcorpus.paths import ProjectPaths
    from feedcorpus.studio.client import Studio
    from feedcorpus.studio.connection import resolve_connection
    from feedcorpus.studio.local_server import LocalStudio

    paths = ProjectPaths(Path(request.project_dir))
    schema = load_label_schema(paths.schema("labels.yaml"))
    venv = os.environ.get("FEEDCORPUS_STUDIO_VENV") or paths.root / ".venv-studio"
    studio = Studio(resolve_connection(LocalStudio(paths.studio_dir, Path(venv))))
    snapshot = studio.export_snapshot(request.project)
    atomic_write_bytes(run_dir / "snapshot.json", snapshot, private=True)  # annotator names: this user only
    docs = gold_docs(snapshot, schema)
    settings = TrainSettings(
        base=request.base, epochs=request.epochs, folds=request.folds, rehearsal=request.rehearsal, seed=0
    )
    release = f"studio-p{request.project}-run{request.run:04d}"
    report = train(docs, paths.root / "models", release=release, schema=schema, settings=settings)
    held_out = [d for d in docs if d.split == "test"]
    version, candidate = _scores(str(report.path), held_out, paths.root, schema)
    current_version, current = _scores(request.current_model, held_out, paths.root, schema)
    figures = {
        "documents": len(docs),
        "held_out_documents": len(held_out),
        "candidate": candidate.to_json(),
        "current": {**current.to_json(), "model_version": current_version},
        "cross_validated": {k: s.to_json() for k, s in report.cross_validated.items()},
        "seconds": round(report.seconds, 1),
    }
    promote = decide(candidate, current, request.promote, len(held_out))
    return Outcome(promote, str(report.path), version, figures)


def main(run_dir: Path) -> int:
    """Run the request in run_dir; write outcome.json, or error.json with the one-line reason."""
    with contextlib.suppress(OSError):
        os.nice(10)
    request = TrainingRequest(**read_json(run_dir / "request.json"))
    try:
        outcome = run(request, run_dir)
    except Exception as exc:  # every failure is recorded with its reason; the server keeps its model
        message = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        atomic_write_text(run_dir / "error.json", json.dumps({"error": message}) + "\n")
        atomic_write_text(run_dir / "traceback.txt", traceback.format_exc())
        return 1
    atomic_write_text(run_dir / "outcome.json", json.dumps(asdict(outcome), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
