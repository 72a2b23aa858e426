"""RSS 0.9x/1.0/2.0 and Atom feeds, through feedparser; HTML bodies become clean paragraphs via html-text."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime
from typing import Any

import feedparser
import html_text

from feedcorpus.documents import Article
from feedcorpus.ingest.boilerplate import appeared_first, author_from_bio, is_boilerplate

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_BLANK_LINES = re.compile(r"\n\s*\n")


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


def parse_xml(data: bytes) -> tuple[list[Article], list[str], str | None]:
    """Articles from feed bytes, problems (one line each), and a bozo warning when the XML was not well-formed."""
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    bozo = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        bozo = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip(": ")
    feed_title = _detail_text(parsed.feed.get("title", ""), parsed.feed.get("title_detail")).strip() or None
    articles: list[Article] = []
    problems: list[str] = []
    for number, entry in enumerate(parsed.entries, 1):
        guid = entry.get("id") or None
        record = f"item {number}" + (f" (guid {guid})" if guid else "")
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
        summary = " ".join(p for p in html_to_paragraphs(entry.get("summary", "")) if is_boilerplate(p) is None)
        articles.append(
            Article(
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
        )
    return articles, problems, bozo
