"""The predictions store: per model version, one JSONL file or a folder of Parquet shards.

corpus/predictions/<model-version>.jsonl holds {doc_id, doc_sha256, model_version, spans}, one line per
document; corpus/predictions/<model-version>/part-NNNNNN.parquet holds the same records for archives (the
Ray engine writes them, one shard per archive shard). The document's sha256 says which version of the text
the spans were made for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from feedcorpus.errors import FeedcorpusError, SpanError, StoreError
from feedcorpus.fileio import read_jsonl, write_jsonl
from feedcorpus.spans import Span


@dataclass(frozen=True)
class PredictionRecord:
    """The spans one model version predicted for one version of a document."""

    doc_id: str
    doc_sha256: str | None
    model_version: str
    spans: tuple[Span, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "doc_sha256": self.doc_sha256,
            "model_version": self.model_version,
            "spans": [span.to_json() for span in self.spans],
        }

    @classmethod
    def from_json(cls, data: Any, *, where: str = "") -> PredictionRecord:
        if not isinstance(data, dict) or not isinstance(data.get("doc_id"), str):
            raise FeedcorpusError(f"{where}: not a prediction record (needs a doc_id)")
        spans = data.get("spans")
        if not isinstance(spans, list):
            raise FeedcorpusError(f"{where}: {data['doc_id']}: spans must be a list")
        try:
            parsed = tuple(Span.from_json(s) for s in spans)
        except SpanError as exc:
            raise FeedcorpusError(f"{where}: {data['doc_id']}: {exc}") from exc
        return cls(data["doc_id"], data.get("doc_sha256"), str(data.get("model_version") or ""), parsed)


class PredictionStore:
    """corpus/predictions/: one file per model version, rewritten atomically and only when it changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, model_version: str) -> Path:
        return self.folder / f"{model_version}.jsonl"

    def shard_folder(self, model_version: str) -> Path:
        return self.folder / model_version

    def versions(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        files = {p.stem for p in self.folder.glob("*.jsonl")}
        folders = {p.name for p in self.folder.iterdir() if p.is_dir() and any(p.glob("part-*.parquet"))}
        return sorted(files | folders)

    def read_file(self, path: Path) -> dict[str, PredictionRecord]:
        """doc_id → record from a predictions file (empty when it does not exist)."""
        return {record.doc_id: record for record in _jsonl_records(path)} if path.exists() else {}

    def read(self, model_version: str, only: Collection[str] | None = None) -> dict[str, PredictionRecord]:
        """doc_id → record of one model version (of the documents in `only`, when given)."""
        if only is None and self.path(model_version).exists():
            return self.read_file(self.path(model_version))
        return {r.doc_id: r for r in self.records(model_version) if only is None or r.doc_id in only}

    def records(self, model_version: str) -> Iterator[PredictionRecord]:
        """The records one at a time (JSONL line by line, or shard by shard): for archives too big to hold."""
        path = self.path(model_version)
        if not path.exists() and self.shard_folder(model_version).is_dir():
            yield from read_shards(self.shard_folder(model_version))
            return
        if path.exists():
            yield from _jsonl_records(path)

    def spans(self, model_version: str) -> dict[str, list[Span]]:
        """doc_id → predicted spans of one model version (for scoring)."""
        return {doc_id: list(r.spans) for doc_id, r in self.read(model_version).items()}

    def write(self, model_version: str, records: Iterable[PredictionRecord]) -> Path:
        path = self.path(model_version)
        write_jsonl(path, (r.to_json() for r in sorted(records, key=lambda r: r.doc_id)))
        return path

    def choose(self, model_version: str | None) -> str:
        """The model version to use: the one asked for (it must exist), else the only one there is."""
        if model_version:
            if model_version not in self.versions():
                raise FeedcorpusError(
                    f"no predictions for model version {model_version!r}", path=self.path(model_version)
                )
            return model_version
        found = self.versions()
        if len(found) == 1:
            return found[0]
        if not found:
            raise FeedcorpusError(
                "no predictions; run `feedcorpus preannotate` or pass --no-predictions", path=self.folder
            )
        raise FeedcorpusError(
            f"several prediction sets ({', '.join(found)}); choose one with --predictions", path=self.folder
        )


SCHEMA_VERSION = b"1"
VERSION_KEY = b"feedcorpus.predictions_schema"
SPAN = pa.struct(
    [("start", pa.int64()), ("end", pa.int64()), ("label", pa.string()), ("text", pa.string()),
     ("source", pa.string()), ("kb_id", pa.string())]
)  # fmt: skip
ARROW_SCHEMA = pa.schema(
    [("doc_id", pa.string()), ("doc_sha256", pa.string()), ("model_version", pa.string()), ("spans", pa.list_(SPAN))],
    metadata={VERSION_KEY: SCHEMA_VERSION},
)


def shard_rows(records: Iterable[PredictionRecord]) -> list[dict[str, Any]]:
    """Records as Parquet rows (every span field present, kb_id null when unknown)."""
    return [
        {
            "doc_id": r.doc_id,
            "doc_sha256": r.doc_sha256,
            "model_version": r.model_version,
            "spans": [{**s.to_json(), "kb_id": s.kb_id} for s in r.spans],
        }
        for r in records
    ]


def _jsonl_records(path: Path) -> Iterator[PredictionRecord]:
    try:
        for number, data in enumerate(read_jsonl(path), 1):
            yield PredictionRecord.from_json(data, where=f"line {number}")
    except (OSError, ValueError, FeedcorpusError) as exc:
        raise FeedcorpusError(f"cannot read predictions ({exc})", path=path) from exc


def read_shards(folder: Path) -> Iterable[PredictionRecord]:
    """Records from a folder of prediction shards; a shard of another schema version is refused."""
    for path in sorted(folder.glob("part-*.parquet")):
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"not a readable Parquet shard ({str(exc).splitlines()[0]})", path=path) from exc
        found = (table.schema.metadata or {}).get(VERSION_KEY)
        if found != SCHEMA_VERSION:
            version = found.decode() if found else "none"
            raise StoreError(
                f"written with predictions schema {version}, this feedcorpus reads {SCHEMA_VERSION.decode()}", path=path
            )
        for row in table.to_pylist():
            spans = tuple(Span.from_json({k: v for k, v in span.items() if v is not None}) for span in row["spans"])
            yield PredictionRecord(row["doc_id"], row["doc_sha256"], row["model_version"], spans)
