"""manifest.json of a release: every file's sha256, bytes and rows, the splits, figures and report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from feedcorpus import __version__
from feedcorpus.fileio import sha256_bytes, sha256_text
from feedcorpus.labels import LabelSchema
from feedcorpus.release.build import GOLD_PATH, SNAPSHOT_PATH, split_path
from feedcorpus.release.contracts import Built
from feedcorpus.release.formats import SPACY_NAMES


def manifest(built: Built, schema: LabelSchema, *, created_at: str | None = None) -> dict[str, Any]:
    rows_per_file = {GOLD_PATH: len(built.rows)}
    for split, count in built.stats.documents.items():
        if count:
            rows_per_file[split_path(split)] = count
            rows_per_file[f"spacy/{SPACY_NAMES[split]}.spacy"] = count
            rows_per_file[f"conll/{split}.txt"] = count
    corpus = sha256_text("\n".join(f"{r['id']} {sha256_text(r['text'])}" for r in built.rows))
    return {
        "version": built.version,
        **({"format": built.release_format} if built.release_format >= 2 else {}),
        "created_at": created_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "toolkit": f"feedcorpus {__version__}",
        "label_schema": {"name": schema.name, "version": schema.version, "sha256": schema.sha256},
        "labels": schema.names,
        "ner_tags": schema.tag_names(),
        "corpus_sha256": corpus,
        "snapshot_sha256": sha256_bytes(built.files[SNAPSHOT_PATH]),
        "card_inputs": built.inputs.to_json(),
        "files": {
            path: {"sha256": sha256_bytes(content), "bytes": len(content), "rows": rows_per_file.get(path)}
            for path, content in sorted(built.files.items())
        },
        "splits": {r["id"]: r["split"] for r in built.rows},
        "counts": built.stats.to_json(),
        "report": built.report.to_json(),
    }
