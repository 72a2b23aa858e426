"""Parser for a tag-stripped dump of a WordPress RSS feed (the seed's format).

When the tags of a WordPress RSS feed are stripped, only the text nodes remain: the channel's fields run into
the first item's header line, each item's header is one line `<title> <link> <RFC-822 date> <guid> <summary>`,
and the only reliable field separator left is the `]]>` that closed each CDATA section. So the dump is cut at
`]]>` lines into (header, body) pairs; the "The post … appeared first on …" footer that WordPress appends to
the description gives the exact title, which separates it from the channel's fields on the first line.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from feedcorpus.documents import Article
from feedcorpus.ingest.boilerplate import appeared_first, author_from_bio, is_boilerplate

CDATA_END = "]]>"
_DATE = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|[A-Z]{1,5})"
HEADER = re.compile(rf"^(?P<title>.*?) ?(?P<link>https?://\S+) (?P<date>{_DATE}) (?P<guid>\S+)(?: (?P<summary>.*))?$")
# The channel fields that precede the first item when there is no footer to find its title by:
# title link description lastBuildDate language updatePeriod updateFrequency generator [image url title link w h]
CHANNEL = re.compile(
    rf"^.*? https?://\S+ .*?{_DATE} [A-Za-z-]+ \w+ \d+ https?://wordpress\.org/\S*"
    r"(?: https?://\S+ .+? https?://\S+ \d+ \d+)? "
)


def looks_like_dump(text: str) -> bool:
    """True when the text has the dump's shape: `]]>` lines and at least one item header."""
    lines = text.splitlines()
    return any(line.strip() == CDATA_END for line in lines) and any(HEADER.match(line) for line in lines[:50])


def _chunks(text: str) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip() == CDATA_END:
            chunks.append([])
        else:
            chunks[-1].append(line)
    if not any(line.strip() for line in chunks[-1]):
        chunks.pop()
    return chunks


def _parse_date(raw: str) -> datetime | None:
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None


def parse_dump(text: str) -> tuple[list[Article], list[str]]:
    """Articles from a dump, plus problems (one line each) for items that could not be read."""
    articles: list[Article] = []
    problems: list[str] = []
    chunks = _chunks(text)
    for index in range(0, len(chunks), 2):
        number = index // 2 + 1
        header_lines = [line for line in chunks[index] if line.strip()]
        body_lines = [line.strip() for line in chunks[index + 1]] if index + 1 < len(chunks) else []
        if not header_lines:
            problems.append(f"item {number}: no header line before the body")
            continue
        match = HEADER.match(header_lines[0])
        if match is None:
            problems.append(f"item {number}: header line has no '<link> <RFC-822 date> <guid>' fields")
            continue
        footer = next((found for line in header_lines[1:] if (found := appeared_first(line))), None)
        title = match.group("title")
        if footer and title.endswith(footer[0]):
            title = footer[0]
        elif number == 1:
            title = CHANNEL.sub("", title, count=1)
        summary_lines = [match.group("summary") or ""]
        summary_lines += [line for line in header_lines[1:] if not is_boilerplate(line.strip())]
        paragraphs: list[str] = []
        authors: list[str] = []
        for line in body_lines:
            if not line:
                continue
            rule = is_boilerplate(line)
            if rule is None:
                paragraphs.append(line)
            elif (author := author_from_bio(line)) is not None:
                authors.append(author)
        guid = match.group("guid")
        articles.append(
            Article(
                record=f"item {number} (guid {guid})",
                title=title.strip(),
                paragraphs=tuple(paragraphs),
                link=match.group("link"),
                guid=guid,
                published=_parse_date(match.group("date")),
                published_raw=match.group("date"),
                summary=" ".join(s.strip() for s in summary_lines if s.strip()),
                authors=tuple(authors),
                source=footer[1] if footer else None,
            )
        )
    return articles, problems
