"""RSS 0.9x/1.0/2.0 and Atom feeds, through feedparser; HTML bodies become clean paragraphs via html-text."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import feedparser
import html_text

from feedcorpus.documents import Article
from feedcorpus.ingest.boilerplate import appeared_first, author_from_bio, is_boilerplate

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_BLANK_LINES = re.compile(r"\n\s*\n")
_MARKUP = re.compile(r"[<&]")  # text with neither needs no HTML parser


def html_to_paragraphs(html: str) -> list[str]:
    """Visible text of an HTML fragment, one string per block; entities decoded, scripts and styles dropped."""
    if not html or not html.strip():
        return []
    text = html_text.extract_text(html, guess_layout=True)
    return [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]


def _detail_text(value: str, detail: Any) -> str:
    """A title or summary as plain text: html-typed fields (Atom type="html") are converted, text is kept."""
    kind = (detail or {}).get("type", "text/plain")
    if kind in _HTML_TYPES or "<" in value or "&" in value:
        return " ".join(html_to_paragraphs(value))
    return value


def _published(entry: Any) -> tuple[datetime | None, str | None]:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC), raw
        if raw:
            return None, raw
    return None, None


def _authors(entry: Any) -> list[str]:
    names = [a.get("name", "") for a in entry.get("authors", []) if isinstance(a, dict)]
    if not any(names) and entry.get("author"):
        names = [entry["author"]]
    return [n for n in names if n]


def _link(entry: Any) -> str | None:
    """The article's real URL: FeedBurner's origLink beats its redirect; a non-permalink guid is no link."""
    for key in ("feedburner_origlink", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value
    return None


def _body(entry: Any) -> list[str]:
    contents = entry.get("content") or []
    html = max((c.get("value", "") for c in contents), key=len, default="")
    if not html.strip():
        html = entry.get("summary", "")
    return html_to_paragraphs(html)


_LEGACY_8BIT = re.compile(
    rb"^\s*<\?xml[^>]*encoding=[\"'](windows-125\d|cp125\d|koi8-[ru]|iso-8859-\d+|latin-?1)[\"']", re.I
)
_ITEM_OPEN = re.compile(r"<(?:[\w-]+:)?(?:item|entry)(?=[\s>/])")
_ITEM_CLOSE = re.compile(r"</(?:[\w-]+:)?(?:item|entry)\s*>")
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*?>")  # as feedparser finds it (feedparser.encodings)
_FEEDPARSER_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"


def _misdeclared_utf8(data: bytes) -> str | None:
    """The legacy 8-bit encoding a file declares although its bytes are UTF-8 (read as declared, every
    accented letter would turn into two wrong ones), or None."""
    declared = _LEGACY_8BIT.match(data[:300])
    if declared is None or data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return declared.group(1).decode("ascii")


def cut_items(text: str, error_line: int, error_column: int | None = None) -> dict[int, int]:
    """Which items (0-based, in document order) a parse error falls inside, with the line each opened on:
    such an item may have lost text (a cut in content:encoded leaves the summary). The error is at
    error_line (1-based) and error_column (0-based; without it, anywhere on the line): with a column, one bad
    item of a feed written on a single line does not take the others with it. One pass over the text."""
    start = _line_start(text, error_line)
    lo, hi = (start + error_column,) * 2 if error_column is not None else (start, _line_end(text, start))
    opens = [m.start() for m in _ITEM_OPEN.finditer(text)]
    closes = [m.end() for m in _ITEM_CLOSE.finditer(text)]
    hit = [i for i, opened in enumerate(opens) if opened <= hi and (i >= len(closes) or lo <= closes[i])]
    return dict(zip(hit, _line_numbers(text, [opens[i] for i in hit]), strict=True))


def _line_start(text: str, line: int) -> int:
    position = 0
    for _ in range(line - 1):
        found = text.find("\n", position)
        if found < 0:
            return len(text)
        position = found + 1
    return position


def _line_end(text: str, start: int) -> int:
    found = text.find("\n", start)
    return len(text) if found < 0 else found


def _line_numbers(text: str, positions: Iterable[int]) -> list[int]:
    """1-based line numbers of ascending positions, counting newlines from the previous position only: one
    pass over the text however many items (counting from the start for each made a 20k-item feed quadratic)."""
    numbers, line, last = [], 1, 0
    for position in positions:
        line += text.count("\n", last, position)
        last = position
        numbers.append(line)
    return numbers


def _error_place(text: str, exc: Any) -> tuple[int, int | None]:
    """Where feedparser's parse error is in the file's own text: feedparser parses it with its XML declaration
    replaced by its own, or with its own declaration and a newline put in front when there was none."""
    line = int(exc.getLineNumber())
    column = int(exc.getColumnNumber()) if hasattr(exc, "getColumnNumber") else None
    declared = _XML_DECLARATION.match(text)
    if declared is None:
        return max(line - 1, 1), column
    if line == 1 and column is not None:
        column = max(column + declared.end() - len(_FEEDPARSER_DECLARATION), 0)
    return line, column


def _record(entry: Any, number: int) -> str:
    guid = entry.get("id") or None
    return f"item {number}" + (f" (guid {guid})" if guid else "")


def _article(entry: Any, number: int, feed_title: str | None) -> Article:
    guid = entry.get("id") or None
    record = _record(entry, number)
    title = _detail_text(entry.get("title", ""), entry.get("title_detail"))
    published, raw = _published(entry)
    paragraphs: list[str] = []
    authors = _authors(entry)
    site = None
    for paragraph in _body(entry):
        if (footer := appeared_first(paragraph)) is not None:
            site = footer[1]
        if is_boilerplate(paragraph) is None:
            paragraphs.append(paragraph)
        elif (author := author_from_bio(paragraph)) is not None:
            authors.append(author)
    raw_summary = entry.get("summary", "")
    parts = html_to_paragraphs(raw_summary) if _MARKUP.search(raw_summary) else [" ".join(raw_summary.split())]
    summary = " ".join(p for p in parts if p and is_boilerplate(p) is None)
    return Article(
        record=record,
        title=title,
        paragraphs=tuple(paragraphs),
        link=_link(entry),
        guid=guid,
        published=published,
        published_raw=raw,
        summary=summary,
        authors=tuple(authors),
        source=site or feed_title,
    )


@dataclass
class XmlRead:
    """What feedparser recovered from one file."""

    articles: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # single items that could not be read, one line each
    warnings: list[str] = field(default_factory=list)  # about the whole file
    malformed: str | None = None  # feedparser's bozo exception, described, when the XML is not well-formed


def parse_xml(data: bytes) -> XmlRead:
    """Articles from feed bytes; items that malformed XML may have cut short are marked `cut_off`."""
    read = XmlRead()
    headers = {}
    if (declared := _misdeclared_utf8(data)) is not None:
        headers = {"content-type": "application/xml; charset=utf-8"}  # RFC 3023: the transport's charset wins
        read.warnings.append(f"declares {declared} but its bytes are UTF-8; read as UTF-8")
    # No sanitising: html_text keeps visible text only (scripts, styles and comments go), the same result for
    # a sixth of the time feedparser spends sanitising HTML we never output.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False, response_headers=headers)
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    cut: dict[int, int] = {}
    if exc is not None:
        read.malformed = _describe(exc)
        read.warnings.append(f"XML is not well-formed ({read.malformed}); read what could be recovered")
        if hasattr(exc, "getLineNumber"):
            text = data.decode(parsed.get("encoding") or "utf-8", errors="replace").removeprefix("\ufeff")
            cut = cut_items(text, *_error_place(text, exc))
    feed_title = _detail_text(parsed.feed.get("title", ""), parsed.feed.get("title_detail")).strip() or None
    for number, entry in enumerate(parsed.entries, 1):
        try:
            article = _article(entry, number, feed_title)
        except (ValueError, TypeError, OverflowError, KeyError, AttributeError) as error:
            read.problems.append(f"{_record(entry, number)}: cannot be read ({type(error).__name__}: {error})")
            continue
        if number - 1 in cut:
            reason = f"malformed XML inside it ({read.malformed}, item opened on line {cut[number - 1]})"
            article = replace(article, cut_off=reason)
        read.articles.append(article)
    return read


def _describe(exc: Any) -> str:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first}".strip(": ")
