"""The `split` stage: feed files → validated, de-duplicated documents, handed to a document store.

Large XML feeds arrive in bounded chunks (ingest.stream), and the run keeps only the identity of what it
has seen (id, guid, URL), not the documents, so memory stays flat however long the feed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from feedcorpus.documents import Document, disambiguated, make_document
from feedcorpus.errors import DocumentError, FeedError
from feedcorpus.ingest.feeds import FeedFormat, FeedRead, read_feed_chunks
from feedcorpus.nearcopies import cluster_documents
from feedcorpus.stores.documents import JsonDocumentStore, Put

# What one bad item can raise while it becomes a document: it is skipped, the others are written.
ITEM_ERRORS = (ValueError, TypeError, OverflowError, KeyError, DocumentError)


class Store(Protocol):
    """What split needs from a document store (the JSON folder or the Parquet archive)."""

    def put(self, document: Document, *, dry_run: bool = False) -> Put: ...

    def peek(self, doc_id: str) -> Document | None: ...

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


@dataclass(frozen=True)
class Identity:
    """What tells articles apart, kept per id instead of the whole document."""

    guid: str | None
    url: str | None
    title: str
    published: str | None

    @classmethod
    def of(cls, document: Document) -> Identity:
        return cls(document.guid, document.url, document.title, document.published)

    def same_article(self, document: Document) -> bool:
        return Document.same_article(document, _stub(self))  # one definition of "same article"


def _stub(identity: Identity) -> Document:
    return Document(
        "", "", identity.url, identity.guid, identity.title, "", identity.published, None, [], "", 0, "", ""
    )


class RunIndex:
    """The articles of one split run and the ids they hold, so that a duplicate is recognised and an id
    taken by a different article (in this run or in the store) is never reused for another one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_key: dict[str, str] = {}  # "guid:…" / "url:…" → doc id given in this run
        self.by_id: dict[str, Identity] = {}

    @staticmethod
    def _keys(document: Document) -> list[str]:
        return [f"{kind}:{value}" for kind, value in (("guid", document.guid), ("url", document.url)) if value]

    def duplicate_of(self, document: Document) -> str | None:
        """The id given earlier in this run to the same article, if any."""
        for key in self._keys(document):
            if key in self.by_key:
                return self.by_key[key]
        earlier = self.by_id.get(document.id)
        return document.id if earlier is not None and earlier.same_article(document) else None

    def claim(self, document: Document, warnings: list[str], *, where: str) -> Document:
        """The document under its own id, or a disambiguated one when that id belongs to another article."""
        earlier = self.by_id.get(document.id)
        stored = self.store.peek(document.id) if earlier is None else None
        holder = earlier or (Identity.of(stored) if stored is not None else None)
        if holder is not None and not holder.same_article(document):
            new_id = disambiguated(document.id, document.identity)
            other = holder.guid or holder.url
            warnings.append(f"{where}: id {document.id} belongs to another article ({other}); stored as {new_id}")
            document = document.renamed(new_id)
        self.by_id[document.id] = Identity.of(document)
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
