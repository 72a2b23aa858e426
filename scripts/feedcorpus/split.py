"""The `split` stage: feed files → validated, de-duplicated documents in corpus/documents/<id>.json."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from feedcorpus.documents import Document, make_document
from feedcorpus.errors import DocumentError, FeedError
from feedcorpus.feeds import FeedFormat, read_feed
from feedcorpus.fileio import read_json, write_json


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


@cache
def _validator(schema_path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_document(data: dict[str, Any], schema_path: Path) -> None:
    """Raise DocumentError naming the first field that breaks the document schema."""
    error = jsonschema.exceptions.best_match(_validator(schema_path).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        raise DocumentError(f"{where}: {error.message}", record=data.get("id"))
    if data["text"][: len(data["title"])] != data["title"]:
        raise DocumentError("text does not start with the title", record=data.get("id"))


def _same_article(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal but for the feed it came from, so re-splitting the article from another feed is not a change."""
    return {k: v for k, v in old.items() if k != "feed"} == {k: v for k, v in new.items() if k != "feed"}


def split_feeds(
    feeds: Iterable[Path],
    out_dir: Path,
    *,
    schema_path: Path,
    fmt: FeedFormat | None = None,
    dry_run: bool = False,
    feed_name: Callable[[Path], str] = lambda p: p.name,
    on_feed_done: Callable[[Path], None] | None = None,
) -> SplitReport:
    """Split every feed into documents under out_dir; the first occurrence of a guid/URL wins."""
    report = SplitReport()
    seen_ids: set[str] = set()
    seen_urls: dict[str, str] = {}
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
            _store(document, out_dir, schema_path=schema_path, dry_run=dry_run, report=report)
        if produced == 0 and not any(d.startswith(f"{path}:") for d in report.duplicates):
            report.failed_files.append(f"{path}: no valid article could be read")
        if on_feed_done:
            on_feed_done(path)
    return report


def _store(document: Document, out_dir: Path, *, schema_path: Path, dry_run: bool, report: SplitReport) -> None:
    data = document.to_json()
    validate_document(data, schema_path)
    target = out_dir / f"{document.id}.json"
    if target.exists():
        try:
            old = read_json(target)
        except (OSError, ValueError):
            old = None
        if old is not None and (_same_article(old, data)):
            report.unchanged.append(document.id)
            return
        report.updated.append(document.id)
    else:
        report.written.append(document.id)
    if not dry_run:
        write_json(target, data)


def load_documents(documents_dir: Path) -> list[Document]:
    """Every document in a folder, sorted by id (the order every later stage uses)."""
    if not documents_dir.is_dir():
        raise DocumentError("no documents folder; run `feedcorpus split` first", path=documents_dir)
    documents = []
    for path in sorted(documents_dir.glob("*.json")):
        try:
            documents.append(Document.from_json(read_json(path)))
        except (ValueError, TypeError, KeyError) as exc:
            raise DocumentError(f"not a valid document ({exc})", path=path) from exc
    return documents
