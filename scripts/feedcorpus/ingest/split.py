"""The `split` stage: feed files → validated, de-duplicated documents, handed to a document store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from feedcorpus.documents import make_document
from feedcorpus.errors import FeedError
from feedcorpus.ingest.feeds import FeedFormat, read_feed
from feedcorpus.stores.documents import JsonDocumentStore, Put


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

    @property
    def documents(self) -> int:
        return len(self.written) + len(self.updated) + len(self.unchanged)


def split_feeds(
    feeds: Iterable[Path],
    store: JsonDocumentStore,
    *,
    fmt: FeedFormat | None = None,
    dry_run: bool = False,
    feed_name: Callable[[Path], str] = lambda p: p.name,
    on_feed_done: Callable[[Path], None] | None = None,
) -> SplitReport:
    """Split every feed into documents in the store; the first occurrence of a guid/URL wins."""
    report = SplitReport()
    seen_ids: set[str] = set()
    seen_urls: dict[str, str] = {}
    outcome = {Put.WRITTEN: report.written, Put.UPDATED: report.updated, Put.UNCHANGED: report.unchanged}
    for path in feeds:
        try:
            read = read_feed(path, fmt)
        except FeedError as exc:
            report.failed_files.append(str(exc))
            if on_feed_done:
                on_feed_done(path)
            continue
        report.warnings += [f"{path}: {w}" for w in read.warnings]
        report.skipped += [f"{path}: {p}" for p in read.problems]
        produced = 0
        for article in read.articles:
            try:
                document = make_document(article, feed=feed_name(path))
            except ValueError as exc:
                report.skipped.append(f"{path}: {article.record}: {exc}")
                continue
            report.warnings += [f"{path}: {article.record}: {w}" for w in document.warnings]
            if document.id in seen_ids or (document.url and document.url in seen_urls):
                first = document.id if document.id in seen_ids else seen_urls[document.url or ""]
                report.duplicates.append(f"{path}: {article.record}: same article as {first}")
                continue
            seen_ids.add(document.id)
            if document.url:
                seen_urls[document.url] = document.id
            produced += 1
            outcome[store.put(document, dry_run=dry_run)].append(document.id)
        if produced == 0 and not any(d.startswith(f"{path}:") for d in report.duplicates):
            report.failed_files.append(f"{path}: no valid article could be read")
        if on_feed_done:
            on_feed_done(path)
    return report
