"""The `split` stage: feed files → validated, de-duplicated documents, handed to a document store.

Large XML feeds arrive in bounded chunks (ingest.stream), and the run keeps only the identity of what it
has seen (id, guid, URL), not the documents, so memory stays flat however long the feed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from feedcorpus.documents import Document, disambiguated, fingerprint, make_document, same_article
from feedcorpus.errors import DocumentError, FeedError
from feedcorpus.ingest.feeds import FeedFormat, FeedRead, read_feed_chunks
from feedcorpus.nearcopies import cluster_documents
from feedcorpus.stores.documents import JsonDocumentStore, Put

# What one bad item can raise while it becomes a document: it is skipped, the others are written.
ITEM_ERRORS = (ValueError, TypeError, OverflowError, KeyError, DocumentError)


class Store(Protocol):
    """What split needs from a document store (the JSON folder or the Parquet archive)."""

    def put(self, document: Document, *, dry_run: bool = False) -> Put: ...

    def holder(self, doc_id: str) -> bytes | None: ...

    def describe(self, doc_id: str) -> str: ...

    def close(self) -> None: ...


@dataclass
class SplitReport:
    """What a split run did, for the summary and for callers that check it."""

    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "file: item …: reason"
    warnings: list[str] = field(default_factory=list)
    failed_files: list[str] = field(default_factory=list)  # "file: reason" for files nothing came from
    copies: list[str] = field(default_factory=list)  # "3 documents repeat wire copy of …"

    @property
    def documents(self) -> int:
        return len(self.written) + len(self.updated) + len(self.unchanged)


class RunIndex:
    """The articles of one split run, so that a duplicate is recognised and an id held by a different article
    (in this run or in the store) is never reused for another one.

    It keeps an 8-byte hash per guid/URL (or title and date, for items with neither) and the id it was given,
    nothing else: who holds an id is the store's to say, from a fingerprint (documents.fingerprint).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_key: dict[bytes, str] = {}  # hash of "guid:…" / "url:…" / "title:…" → doc id given in this run

    @staticmethod
    def _keys(document: Document) -> list[bytes]:
        found = [(kind, value) for kind, value in (("guid", document.guid), ("url", document.url)) if value]
        keys = found or [("title", f"{document.title}\x00{document.published or ''}")]
        return [hashlib.blake2b(f"{k}:{v}".encode(), digest_size=8).digest() for k, v in keys]

    def duplicate_of(self, document: Document) -> str | None:
        """The id given earlier in this run to the same article, if any."""
        return next((self.by_key[key] for key in self._keys(document) if key in self.by_key), None)

    def claim(self, document: Document, warnings: list[str], *, where: str) -> Document:
        """The document under its own id, or a disambiguated one when that id belongs to another article."""
        held = self.store.holder(document.id)
        if held is not None and not same_article(held, fingerprint(document)):
            new_id = disambiguated(document.id, document.identity)
            other = self.store.describe(document.id)
            warnings.append(f"{where}: id {document.id} belongs to another article ({other}); stored as {new_id}")
            document = document.renamed(new_id)
        for key in self._keys(document):
            self.by_key.setdefault(key, document.id)
        return document


def split_feeds(
    feeds: Iterable[Path],
    store: Store,
    *,
    fmt: FeedFormat | None = None,
    dry_run: bool = False,
    strict: bool = False,
    feed_name: Callable[[Path], str] = lambda p: p.name,
    on_feed_done: Callable[[Path], None] | None = None,
) -> SplitReport:
    """Split every feed into documents in the store; the first occurrence of a guid/URL wins.

    A bad item is skipped with its reason; `strict` makes a feed whose XML is not well-formed fail whole.
    """
    report = SplitReport()
    splitter = _Splitter(store, report, feed_name, dry_run)
    for path in feeds:
        before = (report.documents, len(report.duplicates))
        try:
            for read in read_feed_chunks(path, fmt, strict=strict):
                splitter.chunk(read, path)
        except FeedError as exc:
            report.failed_files.append(str(exc))
        else:
            if (report.documents, len(report.duplicates)) == before:
                report.failed_files.append(f"{path}: no valid article could be read")
        if on_feed_done:
            on_feed_done(path)
    store.close()
    if report.documents and isinstance(store, JsonDocumentStore):
        assign_clusters(store, report, dry_run=dry_run)
    return report


class _Splitter:
    def __init__(self, store: Store, report: SplitReport, feed_name: Callable[[Path], str], dry_run: bool) -> None:
        self.store, self.report, self.feed_name, self.dry_run = store, report, feed_name, dry_run
        self.run = RunIndex(store)
        self.outcome = {Put.WRITTEN: report.written, Put.UPDATED: report.updated, Put.UNCHANGED: report.unchanged}

    def chunk(self, read: FeedRead, path: Path) -> None:
        report = self.report
        report.warnings += [f"{path}: {w}" for w in read.warnings]
        report.skipped += [f"{path}: {p}" for p in read.problems]
        for article in read.articles:
            if article.cut_off:
                report.skipped.append(
                    f"{path}: {article.record}: {article.cut_off}; not written (it may be incomplete)"
                )
                continue
            try:
                document = make_document(article, feed=self.feed_name(path))
                first = self.run.duplicate_of(document)
                if first is not None:
                    report.duplicates.append(f"{path}: {article.record}: same article as {first}")
                    continue
                document = self.run.claim(document, report.warnings, where=f"{path}: {article.record}")
                result = self.store.put(document, dry_run=self.dry_run)
            except ITEM_ERRORS as exc:
                report.skipped.append(f"{path}: {article.record}: {_reason(exc)}")
                continue
            report.warnings += [f"{path}: {article.record}: {w}" for w in document.warnings]
            self.outcome[result].append(document.id)


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, DocumentError | ValueError) else f"{type(exc).__name__}: {exc}"


def assign_clusters(store: JsonDocumentStore, report: SplitReport, *, dry_run: bool) -> None:
    """Cluster every document of the store (wire copy crosses feeds and runs) and store the clusters."""
    documents = list(store) if store.folder.is_dir() else []
    by_id = {d.id: d for d in documents}
    if dry_run:  # nothing was written: cluster what the store has plus what this run would write
        pending = report.written + report.updated
        by_id.update({d.id: d for d in store.pending if d.id in pending})
    clustering = cluster_documents((d.id, d.text, d.body_offset) for d in by_id.values())
    store.set_clusters(clustering.cluster_of, dry_run=dry_run)
    report.copies = clustering.report()
