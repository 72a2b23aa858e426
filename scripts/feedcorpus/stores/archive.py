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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from feedcorpus.documents import Document, fingerprint, same_text
from feedcorpus.errors import DocumentError, StoreError
from feedcorpus.fileio import atomic_write_bytes, remove_stale_temporaries
from feedcorpus.stores.documents import Put

SCHEMA_VERSION = b"1"
VERSION_KEY = b"feedcorpus.archive_schema"
SHARD_ROWS = 10_000
# A shard is also cut at this much buffered text: rows alone let the buffer, and the Arrow table and Parquet
# bytes made from it at the flush, grow with article length up to 10k articles (peak 1.29× from 5k to 20k).
SHARD_TEXT_BYTES = 8 * 1024 * 1024
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


def _stub(row: dict[str, Any]) -> Document:
    """A document with only the fields a fingerprint reads."""
    return Document(row["id"], "", row["url"], row["guid"], row["title"], "", row["published"], None, [], "", 0,
                    row["sha256"], "")  # fmt: skip


def shard_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("part-*.parquet") if SHARD.match(p.name)) if folder.is_dir() else []


def check_shard(path: Path) -> None:
    """Refuse a shard written by another version of the archive schema, naming both versions."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as exc:
        raise StoreError(f"not a readable Parquet shard ({str(exc).splitlines()[0]})", path=path) from exc
    found = metadata.get(VERSION_KEY)
    if found != SCHEMA_VERSION:
        version = found.decode() if found else "none"
        raise StoreError(
            f"written with archive schema {version}, this feedcorpus reads {SCHEMA_VERSION.decode()}; "
            "re-split the feeds into a new archive folder",
            path=path,
        )


class ArchiveStore:
    """corpus/archive/part-NNNNNN.parquet: append-only shards of documents."""

    def __init__(self, folder: Path, *, shard_rows: int = SHARD_ROWS, shard_bytes: int = SHARD_TEXT_BYTES) -> None:
        self.folder = Path(folder)
        self.shard_rows, self.shard_bytes = shard_rows, shard_bytes
        self._buffer: list[dict[str, Any]] = []
        self._buffered = 0  # characters of text buffered
        self._known: dict[str, bytes] | None = None
        self.pending: list[Document] = []

    # reading -------------------------------------------------------------------------------------------
    def shards(self) -> list[Path]:
        found = shard_paths(self.folder)
        for path in found:
            check_shard(path)
        return found

    def known(self) -> dict[str, bytes]:
        """id → fingerprint (documents.fingerprint: 32 bytes) of every document, from a few columns only.

        This is all the archive keeps in memory per document while splitting, so that memory stays flat
        (about 150 bytes a document with its id) however many documents there are.
        """
        if self._known is None:
            known: dict[str, bytes] = {}
            for path in self.shards():
                for batch in pq.ParquetFile(path).iter_batches(batch_size=10_000, columns=IDENTITY_COLUMNS):
                    known.update((row["id"], fingerprint(_stub(row))) for row in batch.to_pylist())
            self._known = known
        return self._known

    def batches(self, size: int = 1000) -> Iterator[list[Document]]:
        """Documents in bounded batches, shard by shard (the latest version of a document wins)."""
        known = self.known()
        for path in self.shards():
            for batch in pq.ParquetFile(path).iter_batches(batch_size=size):
                docs = [Document.from_json(row) for row in batch.to_pylist()]
                kept = [d for d in docs if d.id in known and same_text(known[d.id], fingerprint(d))]
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
        return self.get_many([doc_id]).get(doc_id)

    def get_many(self, ids: Iterable[str]) -> dict[str, Document]:
        """The latest version of each of these documents, read with a filter on the id column."""
        known = self.known()
        wanted = sorted(set(ids) & known.keys())
        found: dict[str, Document] = {}
        for path in self.shards() if wanted else ():
            for row in pq.read_table(path, filters=[("id", "in", wanted)]).to_pylist():
                document = Document.from_json(row)
                if same_text(known[document.id], fingerprint(document)):
                    found[document.id] = document
        return found

    def fingerprints(self) -> Mapping[str, bytes]:
        """id → fingerprint of every document, without reading a text: a read-only view, not a copy (an
        archive of a million documents holds this once)."""
        return MappingProxyType(self.known())

    def holder(self, doc_id: str) -> bytes | None:
        """The fingerprint of the document that holds an id, if any (documents.same_article compares them)."""
        return self.known().get(doc_id)

    def describe(self, doc_id: str) -> str:
        """The holder's guid or URL, for a message: read from the unwritten buffer or the shards (rare)."""
        rows = [r for r in self._buffer if r["id"] == doc_id]
        for path in reversed(shard_paths(self.folder)) if not rows else ():
            rows = pq.read_table(path, columns=IDENTITY_COLUMNS, filters=[("id", "==", doc_id)]).to_pylist()
            if rows:
                break
        return next((r["guid"] or r["url"] or r["title"] for r in rows[-1:]), doc_id)

    # writing -------------------------------------------------------------------------------------------
    def put(self, document: Document, *, dry_run: bool = False) -> Put:
        known = self.known()
        before, now = known.get(document.id), fingerprint(document)
        if before is not None and same_text(before, now):
            return Put.UNCHANGED
        known[document.id] = now
        if dry_run:
            self.pending.append(document)
        else:
            self._buffer.append(document.to_json())
            self._buffered += len(document.text) + len(document.summary)
            if len(self._buffer) >= self.shard_rows or self._buffered >= self.shard_bytes:
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
        self._buffer, self._buffered = [], 0
        return path

    def close(self) -> None:
        self.flush()


def write_shard(path: Path, rows: Iterable[dict[str, Any]] | pa.Table, schema: pa.Schema) -> None:
    """One Parquet shard written whole or not at all (temporary sibling, fsync, rename)."""
    table = rows.select(schema.names).cast(schema) if isinstance(rows, pa.Table) else None
    buffer = io.BytesIO()
    pq.write_table(table or pa.Table.from_pylist(list(rows), schema=schema), buffer, compression="zstd")
    atomic_write_bytes(path, buffer.getvalue())
