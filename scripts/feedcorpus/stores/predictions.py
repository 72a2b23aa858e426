"""The predictions store: one JSONL file per model version, one line per document.

corpus/predictions/<model-version>.jsonl holds {doc_id, doc_sha256, model_version, spans}; the document's
sha256 says which version of the text the spans were made for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedcorpus.errors import FeedcorpusError, SpanError
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

    def versions(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.jsonl")) if self.folder.is_dir() else []

    def read_file(self, path: Path) -> dict[str, PredictionRecord]:
        """doc_id → record from a predictions file (empty when it does not exist)."""
        if not path.exists():
            return {}
        try:
            return {
                record.doc_id: record
                for number, data in enumerate(read_jsonl(path), 1)
                for record in [PredictionRecord.from_json(data, where=f"line {number}")]
            }
        except (OSError, ValueError, FeedcorpusError) as exc:
            raise FeedcorpusError(f"cannot read predictions ({exc})", path=path) from exc

    def read(self, model_version: str) -> dict[str, PredictionRecord]:
        return self.read_file(self.path(model_version))

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
            if not self.path(model_version).exists():
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
