"""The archive document store: Parquet shards under corpus/archive/, for corpora far larger than a feed.

Same documents, same ids and the same fields as the JSON store, one row per document, in shards of up to
SHARD_ROWS rows. A shard is written whole to a temporary sibling, fsynced and renamed, so an interrupted
run leaves complete shards only and the next run resumes from what is there. Shards carry the archive
schema's version in their metadata; a shard of another version is refused, never misread. Appending is
idempotent: a document already there with the same text is skipped; a changed one is appended again and
the last shard's version wins when reading.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from feedcorpus.documents import Document
from feedcorpus.errors import DocumentError
from feedcorpus.fileio import atomic_write_bytes, remove_stale_temporaries
from feedcorpus.stores.documents import Put

SCHEMA_VERSION = b"1"
VERSION_KEY = b"feedcorpus.archive_schema"
SHARD_ROWS = 10_000
SHARD = re.compile(r"^part-(\d{6})\.parquet$")
_LISTS = {"authors", "warnings"}
_INTS = {"body_offset"}
ARROW_SCHEMA = pa.schema(
    [
        pa.field(f.name, pa.list_(pa.string()) if f.name in _LISTS else pa.int64() if f.name in _INTS else pa.string())
        for f in fields(Document)
    ],
    metadata={VERSION_KEY: SCHEMA_VERSION},
)
IDENTITY_COLUMNS = ["id", "sha256", "guid", "url", "title", "published"]


def shard_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("part-*.parquet") if SHARD.match(p.name)) if folder.is_dir() else []


def check_shard(path: Path) -> None:
    """Refuse a shard written by another version of the archive schema, naming both versions."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as exc:
        raise DocumentError(f"not a readable Parquet shard ({str(exc).splitlines()[0]})", path=path) from exc
    found = metadata.get(VERSION_KEY)
    if found != SCHEMA_VERSION:
        version = found.decode() if found else "none"
        raise DocumentError(
            f"written with archive schema {version}, this feedcorpus reads {SCHEMA_VERSION.decode()}; "
            "re-split the feeds into a new archive folder",
            path=path,
        )


class Known(NamedTuple):
    """What the archive knows of a document without reading its text."""

    sha256: str
    guid: str | None
    url: str | None
    title: str
    published: str | None


class ArchiveStore:
    """corpus/archive/part-NNNNNN.parquet: append-only shards of documents."""

    def __init__(self, folder: Path, *, shard_rows: int = SHARD_ROWS) -> None:
        self.folder = Path(folder)
        self.shard_rows = shard_rows
        self._buffer: list[dict[str, Any]] = []
        self._known: dict[str, Known] | None = None
        self.pending: list[Document] = []

    # reading -------------------------------------------------------------------------------------------
    def shards(self) -> list[Path]:
        found = shard_paths(self.folder)
        for path in found:
            check_shard(path)
        return found

    def known(self) -> dict[str, Known]:
        """id → (sha256, guid, url, title, published) of every document, read from those columns only."""
        if self._known is None:
            self._known = {}
            for path in self.shards():
                columns = pq.read_table(path, columns=IDENTITY_COLUMNS).to_pydict()
                rows = zip(*(columns[c] for c in IDENTITY_COLUMNS), strict=True)
                self._known.update((row[0], Known(*row[1:])) for row in rows)
        return self._known

    def batches(self, size: int = 1000) -> Iterator[list[Document]]:
        """Documents in bounded batches, shard by shard (the latest version of a document wins)."""
        latest = {doc_id: known.sha256 for doc_id, known in self.known().items()}
        for path in self.shards():
            for batch in pq.ParquetFile(path).iter_batches(batch_size=size):
                docs = [Document.from_json(row) for row in batch.to_pylist()]
                kept = [d for d in docs if latest.get(d.id) == d.sha256]
                if kept:
                    yield kept

    def __iter__(self) -> Iterator[Document]:
        seen: set[str] = set()
        for batch in self.batches():
            for document in batch:
                if document.id not in seen:
                    seen.add(document.id)
                    yield document

    def documents(self) -> list[Document]:
        if not self.folder.is_dir():
            raise DocumentError("no archive folder; run `feedcorpus split --store parquet` first", path=self.folder)
        return sorted(self, key=lambda d: d.id)

    def get(self, doc_id: str) -> Document | None:
        return next((d for d in self if d.id == doc_id), None) if doc_id in self.known() else None

    def peek(self, doc_id: str) -> Document | None:
        """Who holds an id (guid, URL, title, date: what `same_article` compares), without reading texts."""
        known = self.known().get(doc_id)
        if known is None:
            return None
        return Document(
            doc_id, "", known.url, known.guid, known.title, "", known.published, None, [], "", 0, known.sha256, ""
        )

    # writing -------------------------------------------------------------------------------------------
    def put(self, document: Document, *, dry_run: bool = False) -> Put:
        known = self.known()
        before = known.get(document.id)
        if before is not None and before.sha256 == document.sha256:
            return Put.UNCHANGED
        known[document.id] = Known(document.sha256, document.guid, document.url, document.title, document.published)
        if dry_run:
            self.pending.append(document)
        else:
            self._buffer.append(document.to_json())
            if len(self._buffer) >= self.shard_rows:
                self.flush()
        return Put.WRITTEN if before is None else Put.UPDATED

    def flush(self) -> Path | None:
        """Write the buffered documents as one new shard, atomically."""
        if not self._buffer:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(self.folder)
        numbers = [int(m.group(1)) for p in shard_paths(self.folder) if (m := SHARD.match(p.name))]
        path = self.folder / f"part-{max(numbers, default=-1) + 1:06d}.parquet"
        write_shard(path, self._buffer, ARROW_SCHEMA)
        self._buffer = []
        return path

    def close(self) -> None:
        self.flush()


def write_shard(path: Path, rows: Iterable[dict[str, Any]], schema: pa.Schema) -> None:
    """One Parquet shard written whole or not at all (temporary sibling, fsync, rename)."""
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(list(rows), schema=schema), buffer, compression="zstd")
    atomic_write_bytes(path, buffer.getvalue())
