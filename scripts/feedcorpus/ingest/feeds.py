"""Read a feed file of any supported format into articles: format detection and decoding, no document logic."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from feedcorpus.documents import Article
from feedcorpus.errors import FeedError
from feedcorpus.fileio import read_bounded
from feedcorpus.ingest.stream import STREAM_BYTES, StreamFailed, stream_xml
from feedcorpus.ingest.wpdump import looks_like_dump, parse_dump
from feedcorpus.ingest.xmlfeed import parse_xml

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# The most read whole: WordPress dumps, XML below STREAM_BYTES or not a regular file (a pipe, a device such as
# /dev/zero, which would otherwise be read until memory runs out), and XML the stream could not read.
MAX_FEED_BYTES = 256 * 1024 * 1024


class FeedFormat(StrEnum):
    XML = "xml"
    WPDUMP = "wpdump"


@dataclass
class FeedRead:
    """What one feed file gave: its articles, per-item problems and file-level warnings."""

    articles: list[Article]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def detect_format(data: bytes) -> FeedFormat:
    """XML when the first non-blank content is markup; the WordPress dump when it has the dump's shape."""
    if not data.strip():
        raise FeedError("file is empty")
    if data.startswith(_BOMS):
        return FeedFormat.XML
    if b"\x00" in data[:4096]:
        raise FeedError("binary file, not a feed")
    head = data.lstrip()[:1]
    if head == b"<":
        return FeedFormat.XML
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FeedError("unknown format: neither XML nor UTF-8 text") from exc
    if looks_like_dump(text):
        return FeedFormat.WPDUMP
    raise FeedError("unknown format: not RSS/Atom XML and not a tag-stripped WordPress feed dump")


def read_feed_bytes(data: bytes, fmt: FeedFormat | None = None, *, strict: bool = False) -> FeedRead:
    """Parse feed bytes. Raises FeedError when nothing at all can be read from them, or, with `strict`,
    when the XML is not well-formed."""
    fmt = fmt or detect_format(data)
    if not data.strip():
        raise FeedError("file is empty")
    if fmt is FeedFormat.WPDUMP:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FeedError(f"not UTF-8 text (byte {exc.start})") from exc
        articles, problems = parse_dump(text)
        warnings: list[str] = []
    else:
        xml = parse_xml(data)
        articles, problems, warnings = xml.articles, xml.problems, xml.warnings
        if not articles:
            raise FeedError(f"no feed items could be read ({xml.malformed})" if xml.malformed else "feed has no items")
        if xml.malformed and strict:
            raise FeedError(f"XML is not well-formed ({xml.malformed}); --strict refuses the feed")
    if not articles and not problems:
        raise FeedError("no feed items found")
    return FeedRead(articles=articles, problems=problems, warnings=warnings)


def read_feed_chunks(path: Path, fmt: FeedFormat | None = None, *, strict: bool = False) -> Iterator[FeedRead]:
    """A feed in bounded chunks: large XML files are streamed (ingest.stream), the rest read whole."""
    size = Path(path).stat().st_size if Path(path).is_file() else 0
    if fmt is FeedFormat.WPDUMP or size <= STREAM_BYTES:
        yield read_feed(path, fmt, strict=strict)
        return
    given = 0
    try:
        for batch in stream_xml(Path(path)):
            given += len(batch.articles) + len(batch.problems)
            yield FeedRead(batch.articles, batch.problems, batch.warnings)
        return
    except StreamFailed as exc:
        skip = exc.items_read
    whole = read_feed(path, fmt, strict=strict)  # feedparser recovers what it can from what the stream could not read
    yield FeedRead(whole.articles[skip:], whole.problems, whole.warnings)


def read_feed(path: Path, fmt: FeedFormat | None = None, *, strict: bool = False) -> FeedRead:
    try:
        data = read_bounded(Path(path), MAX_FEED_BYTES)
    except OSError as exc:
        raise FeedError(exc.strerror or str(exc), path=path) from exc
    if data is None:
        raise FeedError(
            f"more than {MAX_FEED_BYTES >> 20} MiB, the most a feed is read whole (well-formed XML files are streamed "
            "at any size; split a larger dump into parts)",
            path=path,
        )
    try:
        return read_feed_bytes(data, fmt, strict=strict)
    except FeedError as exc:
        exc.path = path
        raise
