#!/usr/bin/env python3
"""Build the unseen evaluation sets' ``articles.jsonl`` from the annotated sources in their ``src/``.

Two sets share this format and this script: the development set ``dev-unseen/`` (ids ``dev-NN-slug``) and
the held-out test set ``test-unseen/`` (ids ``test-NN-slug``). Each source file ``src/NN-slug.md`` holds a
small header (``key: value`` lines ended by ``---``), then the title and the paragraphs, separated by blank
lines, with inline entity markup ``[[surface text|LABEL]]``.
This script strips the markup, computes character offsets (Python ``str`` indices, end exclusive) into
``text = title + "\\n\\n" + "\\n\\n".join(paragraphs)``, validates every span and writes one JSON object per
article, sorted by id.

Usage, from the repository root::

    python tests/data/build_unseen.py                      # (re)write both sets' articles.jsonl
    python tests/data/build_unseen.py test-unseen          # one set
    python tests/data/build_unseen.py --check              # exit 1 when an articles.jsonl is stale

Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypedDict

HERE = Path(__file__).resolve().parent
SETS = {"dev-unseen": "dev", "test-unseen": "test"}  # folder → id prefix
# The label set's single source of truth; checked against LABELS below when it is where we expect it.
LABELS_YAML = HERE.parents[1] / "schemas" / "labels.yaml"

LABELS: tuple[str, ...] = (
    "PERSON",
    "NORP",
    "ORG",
    "ARMED_GROUP",
    "GPE",
    "LOC",
    "FAC",
    "DATE",
    "EVENT",
)
COUNTRIES = frozenset({"ML", "BF", "NE"})
STYLES = frozenset({"wire", "analysis", "report", "brief"})
HEADER_KEYS = ("id", "country", "style", "event_date", "reference")

MARKUP = re.compile(r"\[\[([^\[\]|\n]+)\|([A-Za-z_]+)\]\]")
# Span-boundary rules of schemas/guidelines.md that can be checked mechanically.
LEADING_ARTICLE = re.compile(r"^(the|The|THE)\s")
BAD_FIRST_CHARS = "\"'‘’“”([{"
BAD_LAST_CHARS = ",;:!?\"'‘’“”)]}"
POSSESSIVE = re.compile(r"['’]s$")


class Entity(TypedDict):
    start: int
    end: int
    label: str
    text: str


class Article(TypedDict):
    id: str
    country: list[str]
    style: str
    event_date: str
    reference: str
    title: str
    text: str
    entities: list[Entity]


class UnseenSetError(Exception):
    """A source file is malformed or one of its spans breaks a rule; the message names file and span."""


def _fail(path: Path, what: str) -> UnseenSetError:
    return UnseenSetError(f"{path.name}: {what}")


def parse_header(path: Path, lines: Sequence[str]) -> dict[str, str]:
    """Parse the ``key: value`` lines before the ``---`` separator."""
    header: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise _fail(path, f"header line {number} is not 'key: value': {line!r}")
        if key not in HEADER_KEYS:
            raise _fail(path, f"unknown header key {key!r} (expected {', '.join(HEADER_KEYS)})")
        if key in header:
            raise _fail(path, f"header key {key!r} given twice")
        header[key] = value
    missing = [key for key in HEADER_KEYS if key not in header]
    if missing:
        raise _fail(path, f"header lacks {', '.join(missing)}")
    return header


def split_blocks(lines: Iterable[str]) -> list[str]:
    """Blocks separated by blank lines; the lines of one block are stripped and joined by a space."""
    blocks: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def strip_markup(path: Path, block: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    """Plain text of one block and its spans (start, end, label, surface), offsets local to the block."""
    plain: list[str] = []
    spans: list[tuple[int, int, str, str]] = []
    length = 0
    position = 0
    for match in MARKUP.finditer(block):
        before = block[position : match.start()]
        plain.append(before)
        length += len(before)
        surface, label = match.group(1), match.group(2)
        spans.append((length, length + len(surface), label, surface))
        plain.append(surface)
        length += len(surface)
        position = match.end()
    plain.append(block[position:])
    text = "".join(plain)
    for token in ("[[", "]]"):
        if token in text:
            where = text.index(token)
            raise _fail(path, f"unbalanced or malformed markup near {text[max(0, where - 30) : where + 30]!r}")
    return text, spans


def check_span(path: Path, text: str, entity: Entity) -> None:
    """Validate one span against the text and the mechanically checkable guideline rules."""
    start, end, label, surface = entity["start"], entity["end"], entity["label"], entity["text"]
    name = f"span {surface!r} [{start}:{end}] {label}"
    if label not in LABELS:
        raise _fail(path, f"{name}: label not among {', '.join(LABELS)}")
    if not surface or surface != surface.strip():
        raise _fail(path, f"{name}: empty or with leading/trailing whitespace")
    if text[start:end] != surface:
        raise _fail(path, f"{name}: text[{start}:{end}] is {text[start:end]!r}")
    if LEADING_ARTICLE.match(surface):
        raise _fail(path, f"{name}: leading 'the' belongs outside the span")
    if surface[0] in BAD_FIRST_CHARS or surface[-1] in BAD_LAST_CHARS:
        raise _fail(path, f"{name}: quotation mark, bracket or punctuation at the edge of the span")
    if surface.endswith(".") and "." not in surface[:-1]:
        raise _fail(path, f"{name}: trailing full stop (only abbreviations such as 'U.N.' keep theirs)")
    if POSSESSIVE.search(surface):
        raise _fail(path, f"{name}: possessive 's belongs outside the span")
    if (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
        raise _fail(path, f"{name}: span cuts through a word")


def parse_source(path: Path, prefix: str) -> Article:
    """Read one ``src/*.md`` file into an article with validated entity offsets."""
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        separator = lines.index("---")
    except ValueError:
        raise _fail(path, "no '---' line after the header") from None
    header = parse_header(path, lines[:separator])

    expected_id = f"{prefix}-{path.stem}"
    if header["id"] != expected_id:
        raise _fail(path, f"id {header['id']!r} does not match the file name (expected {expected_id!r})")
    countries = [code.strip() for code in header["country"].split(",")]
    if not countries or any(code not in COUNTRIES for code in countries) or len(set(countries)) != len(countries):
        raise _fail(path, f"country {header['country']!r}: expected distinct codes among {sorted(COUNTRIES)}")
    if header["style"] not in STYLES:
        raise _fail(path, f"style {header['style']!r} not among {sorted(STYLES)}")
    try:
        dt.date.fromisoformat(header["event_date"])
    except ValueError:
        raise _fail(path, f"event_date {header['event_date']!r} is not YYYY-MM-DD") from None
    if not header["reference"].startswith(("https://", "http://")):
        raise _fail(path, f"reference {header['reference']!r} is not a URL")

    blocks = split_blocks(lines[separator + 1 :])
    if len(blocks) < 2:
        raise _fail(path, "needs a title and at least one paragraph, separated by blank lines")

    pieces: list[str] = []
    entities: list[Entity] = []
    offset = 0
    for index, block in enumerate(blocks):
        if index:
            pieces.append("\n\n")
            offset += 2
        plain, spans = strip_markup(path, block)
        if plain != plain.strip():
            raise _fail(path, f"block {index} starts or ends with whitespace after markup removal")
        pieces.append(plain)
        entities.extend(
            Entity(start=offset + start, end=offset + end, label=label, text=surface)
            for start, end, label, surface in spans
        )
        offset += len(plain)
    text = "".join(pieces)
    title = strip_markup(path, blocks[0])[0]

    entities.sort(key=lambda entity: (entity["start"], entity["end"]))
    previous: Entity | None = None
    for entity in entities:
        check_span(path, text, entity)
        if previous is not None and entity["start"] < previous["end"]:
            raise _fail(
                path,
                f"span {entity['text']!r} [{entity['start']}:{entity['end']}] overlaps "
                f"{previous['text']!r} [{previous['start']}:{previous['end']}]",
            )
        previous = entity

    return Article(
        id=header["id"],
        country=countries,
        style=header["style"],
        event_date=header["event_date"],
        reference=header["reference"],
        title=title,
        text=text,
        entities=entities,
    )


def check_label_set(labels_yaml: Path = LABELS_YAML) -> None:
    """Fail when schemas/labels.yaml (if present) names other labels than LABELS, in another order."""
    if not labels_yaml.is_file():
        return
    names = re.findall(r"^\s*-\s*name:\s*([A-Z_]+)\s*$", labels_yaml.read_text(encoding="utf-8"), re.MULTILINE)
    if tuple(names) != LABELS:
        raise UnseenSetError(f"{labels_yaml}: labels {names} differ from this script's {list(LABELS)}")


def load_articles(folder: Path) -> list[Article]:
    """Parse and validate every source file of one set (a folder named in SETS), sorted by id."""
    check_label_set()
    src_dir = folder / "src"
    paths = sorted(src_dir.glob("*.md"))
    if not paths:
        raise UnseenSetError(f"{src_dir}: no source files")
    prefix = SETS[folder.name]
    articles = sorted((parse_source(path, prefix) for path in paths), key=lambda article: article["id"])
    seen = Counter(article["id"] for article in articles)
    duplicates = [article_id for article_id, count in seen.items() if count > 1]
    if duplicates:
        raise UnseenSetError(f"duplicate ids: {', '.join(duplicates)}")
    return articles


def render_jsonl(articles: Iterable[Article]) -> str:
    """One JSON object per line (non-ASCII kept, keys sorted), newline-terminated."""
    return "".join(json.dumps(article, ensure_ascii=False, sort_keys=True) + "\n" for article in articles)


def label_counts(articles: Iterable[Article]) -> Counter[str]:
    """Number of entities per label over all articles."""
    return Counter(entity["label"] for article in articles for entity in article["entities"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", metavar="SET", help=f"{' or '.join(SETS)} [default: both]")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if articles.jsonl differs from what the sources give"
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.sets if name not in SETS]
    if unknown:
        parser.error(f"unknown set {', '.join(unknown)} (the sets are {', '.join(SETS)})")
    return max(build(HERE / name, check=args.check) for name in args.sets or SETS)


def build(folder: Path, *, check: bool) -> int:
    """Write (or with check, compare) one set's articles.jsonl; the exit code."""
    out_file = folder / "articles.jsonl"
    try:
        articles = load_articles(folder)
    except UnseenSetError as error:
        print(f"error: {folder.name}: {error}", file=sys.stderr)
        return 1
    rendered = render_jsonl(articles)
    if check:
        current = out_file.read_text(encoding="utf-8") if out_file.is_file() else None
        if current != rendered:
            state = "missing" if current is None else "out of date"
            print(f"error: {out_file} is {state}; run {Path(__file__).name} without --check", file=sys.stderr)
            return 1
        print(f"{folder.name}/{out_file.name} is up to date ({len(articles)} articles)")
        return 0
    out_file.write_text(rendered, encoding="utf-8")
    counts = label_counts(articles)
    summary = ", ".join(f"{label} {counts[label]}" for label in LABELS)
    print(f"wrote {folder.name}/{out_file.name}: {len(articles)} articles, {sum(counts.values())} entities ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
