"""The `fetch` stage: poll sources, keep every new body as a dated snapshot, split new snapshots in the same run.

One `split_feeds` call per run is handed a generator that fetches lazily, so each snapshot is split as soon
as it is stored, a backfill decides on the next page from what the previous one brought, and near-copy
clusters are computed once at the end. Snapshots a run did not split (it was interrupted, or --no-split)
are split by the next run; a backfill that was interrupted resumes past the pages it had reached.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from feedcorpus.documents import Document, iso_utc
from feedcorpus.ingest.http import FetchFailed, Hop, PoliteClient
from feedcorpus.ingest.sniff import HEAD_BYTES, next_page
from feedcorpus.ingest.sources import Source
from feedcorpus.ingest.split import SplitReport, Store, assign_clusters, split_feeds
from feedcorpus.stores.documents import JsonDocumentStore, Put
from feedcorpus.stores.snapshots import FeedFolder, exclusive


@dataclass(frozen=True)
class Outcome:
    """One request: `new` (a snapshot stored), `same` (bytes already stored), `not-modified` (304), `end` (a
    backfill page past the last: 404/410) or `failed`."""

    source: str
    url: str
    result: str
    message: str = ""
    snapshot: Path | None = None
    page: int = 1


@dataclass
class FetchReport:
    outcomes: list[Outcome] = field(default_factory=list)
    split: SplitReport | None = None
    split_failures: list[str] = field(default_factory=list)  # "URL: snapshot: reason"
    warnings: list[str] = field(default_factory=list)  # feeds that moved, backfills stopped early

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "failed"]


class _Stamping:
    """The run's store, with each fetched document stamped with its snapshot, URL and fetch time, and the
    documents each snapshot added or changed counted (a backfill stops at a page that brought none)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.stamps: dict[str, dict[str, Any]] = {}  # document.feed → the provenance fields
        self.changed: Counter[str] = Counter()

    def put(self, document: Document, *, dry_run: bool = False) -> Put:
        document = replace(document, **self.stamps.get(document.feed, {}))
        result = self.store.put(document, dry_run=dry_run)
        if result is not Put.UNCHANGED:
            self.changed[document.feed] += 1
        return result

    def holder(self, doc_id: str) -> bytes | None:
        return self.store.holder(doc_id)

    def describe(self, doc_id: str) -> str:
        return self.store.describe(doc_id)

    def close(self) -> None:
        self.store.close()


def page_url(url: str, page: int) -> str:
    """WordPress pagination: the feed URL with ?paged=N."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "paged"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("paged", str(page))])))


def _hops(hops: tuple[Hop, ...]) -> list[dict[str, Any]]:
    return [{"status": h.status, "from": h.url, "to": h.location} for h in hops]


class FetchRun:
    """One run over some sources. `store` None collects snapshots only (--no-split)."""

    def __init__(
        self,
        client: PoliteClient,
        feeds: Path,
        store: Store | None,
        *,
        store_kind: str = "json",
        feed_name: Callable[[Path], str] = str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client, self.feeds, self.store_kind, self.feed_name, self.now = client, feeds, store_kind, feed_name, now
        self.stamping = _Stamping(store) if store is not None else None
        self.report = FetchReport()
        self.split_done: list[tuple[FeedFolder, Path, str]] = []  # folder, snapshot, URL

    def run(self, sources: Sequence[Source], *, backfill: int | None = None) -> FetchReport:
        snapshots = self._snapshots(sources, backfill)
        if self.stamping is None:
            for _ in snapshots:
                pass
            return self.report
        split = split_feeds(snapshots, self.stamping, feed_name=self.feed_name)
        inner = self.stamping.store
        if split.documents and isinstance(inner, JsonDocumentStore):
            assign_clusters(inner, split, dry_run=False)
        self.report.split = split
        failures = {line.split(": ", 1)[0]: line.split(": ", 1)[-1] for line in split.failed_files}
        for folder, path, url in self.split_done:
            reason = failures.get(str(path))
            if reason is not None:
                self.report.split_failures.append(f"{url}: {self.feed_name(path)}: {reason}")
            changed = self.stamping.changed[self.feed_name(path)]
            record = {"event": "split", "snapshot": path.name, "store": self.store_kind, "failed": reason}
            folder.append({**record, "at": iso_utc(self.now()), "documents": changed})
        return self.report

    def _snapshots(self, sources: Sequence[Source], backfill: int | None) -> Iterator[Path]:
        for source in sources:
            folder = FeedFolder(self.feeds / source.name)
            with exclusive(folder.folder / ".lock", wait=True):  # sources files sharing a source take turns
                folder.prepare()
                if self.stamping is not None:
                    for path in folder.unsplit(self.store_kind):
                        entry = folder.provenance(path)
                        yield from self._split(folder, path, entry.get("final_url") or source.url, entry.get("at"))
                yield from self._walk(folder, source, backfill if backfill is not None else source.backfill)

    def _split(self, folder: FeedFolder, path: Path, url: str, at: str | None) -> Iterator[Path]:
        if self.stamping is None:
            return
        when = at or iso_utc(datetime.fromtimestamp(path.stat().st_mtime, UTC))
        name = self.feed_name(path)
        self.stamping.stamps[name] = {"snapshot": name, "fetched_url": url, "fetched_at": when}
        self.split_done.append((folder, path, url))
        yield path

    def _walk(self, folder: FeedFolder, source: Source, pages: int) -> Iterator[Path]:
        """The feed, then its older pages up to `pages`: stops at a 404/410, at a page that brings nothing new
        (past the page an interrupted backfill had reached) and at a failure."""
        pages, resume = max(pages, 1), _reached(folder, source) if pages > 1 else 0
        url, visited, paged_by, stop = source.url, {source.url}, "", "last page asked for"
        for page in range(1, pages + 1):
            outcome, head, final_url, at = self._one(folder, source, url, page)
            self.report.outcomes.append(outcome)
            if outcome.result == "new" and outcome.snapshot is not None:
                yield from self._split(folder, outcome.snapshot, final_url, at)
            if outcome.result in ("failed", "end"):
                stop = f"{outcome.result} at page {page}"
                break
            if page == pages:
                break
            if page > max(resume, 1) and not self._brought(outcome):
                stop = f"page {page} brought nothing new"
                break
            link = next_page(head)
            paged_by = paged_by or ("rel-next" if link else "paged")
            if paged_by == "rel-next" and (not link or urljoin(url, link) in visited):
                stop = f"page {page} has no new rel=next link"
                break
            url = urljoin(url, link) if paged_by == "rel-next" and link else page_url(source.url, page + 1)
            visited.add(url)
        if pages > 1:
            folder.append({"event": "backfill", "source": source.name, "url": source.url, "page": page, "stop": stop})

    def _brought(self, outcome: Outcome) -> bool:
        """Whether a page brought something: a new snapshot that (when splitting) added or changed a document."""
        if outcome.result != "new" or outcome.snapshot is None:
            return False
        return self.stamping is None or self.stamping.changed[self.feed_name(outcome.snapshot)] > 0

    def _one(self, folder: FeedFolder, source: Source, url: str, page: int) -> tuple[Outcome, bytes, str, str]:
        """Fetch one URL into a snapshot and log the request, whatever happened. Also returns the body's first
        bytes, the URL it came from after redirects and the time of the request."""
        etag, modified = folder.validators(url)
        at = self.now()
        when = iso_utc(at) or ""
        entry: dict[str, Any] = {"at": when, "source": source.name, "url": url, "page": page}
        with folder.receiving() as body:
            try:
                got = self.client.get(url, body, etag=etag, last_modified=modified)
            except FetchFailed as failed:
                folder.append({**entry, "status": failed.status, "error": failed.message,
                               "redirects": _hops(failed.redirects), "attempts": failed.attempts})  # fmt: skip
                end = page > 1 and failed.status in (404, 410)
                return Outcome(source.name, url, "end" if end else "failed", str(failed), page=page), b"", url, when
            entry |= {"status": got.status, "final_url": got.final_url, "redirects": _hops(got.redirects),
                      "attempts": got.attempts, "etag": got.etag or etag,
                      "last_modified": got.last_modified or modified}  # fmt: skip
            moved = next((h.location for h in got.redirects if h.status in (301, 308)), None)
            if moved:
                self.report.warnings.append(f"{url}: moved permanently to {got.final_url}; update the sources file")
            if got.status == 304:
                folder.append(entry)
                return Outcome(source.name, url, "not-modified", page=page), _head(folder, url), got.final_url, when
            assert got.sha256 is not None
            path, new = folder.publish(body, got.sha256, at)
        folder.append({**entry, "content_type": got.content_type, "size": got.size, "sha256": got.sha256,
                       "items": got.items, "snapshot": path.name, "new": new})  # fmt: skip
        result = "new" if new else "same"
        return Outcome(source.name, url, result, f"{got.items} items", path, page), got.head, got.final_url, when


def _head(folder: FeedFolder, url: str) -> bytes:
    """The first bytes of the snapshot a 304 confirmed (to find its next-page link)."""
    for entry in reversed(folder.entries()):
        if entry.get("url") == url and entry.get("snapshot"):
            path = folder.folder / entry["snapshot"]
            if path.exists():
                with open(path, "rb") as handle:
                    return handle.read(HEAD_BYTES)
    return b""


def _reached(folder: FeedFolder, source: Source) -> int:
    """The last page a backfill of this source reached without finishing (0 when the last one finished)."""
    reached = 0
    for entry in folder.entries():
        if entry.get("event") == "backfill" and entry.get("url") == source.url:
            reached = 0
        elif entry.get("source") == source.name and entry.get("status") in (200, 304):
            reached = max(reached, int(entry.get("page") or 0))
    return reached
