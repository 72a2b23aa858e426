"""Character spans: the only place with offset logic (validation, trimming, overlap).

Offsets are Python str indices (code points) into the document text exactly as stored, end exclusive:
`text[start:end] == span.text` holds for every span this toolkit writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise
from typing import Any, NamedTuple

from feedcorpus.errors import SpanError

_LEADING_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
_TRAILING_PUNCT = ".,;:!?)]}\"'”’"
_LEADING_PUNCT = "([{\"'“‘”’"
_PAIRS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", '"': '"'}
_OPENER = {")": "(", "]": "[", "}": "{"}


class Span(NamedTuple):
    """A labelled character span. A NamedTuple: immutable, hashable, ordered by (start, end, label, …), and
    cheap to build, which matters when an export makes hundreds of thousands of them."""

    start: int
    end: int
    label: str
    text: str
    source: str = "model"

    def to_json(self) -> dict[str, Any]:
        return self._asdict()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Span:
        return cls(
            int(data["start"]),
            int(data["end"]),
            str(data["label"]),
            str(data["text"]),
            str(data.get("source", "model")),
        )


def check_span(text: str, span: Span, *, labels: Iterable[str] | None = None, record: str | None = None) -> None:
    """Raise SpanError when the span's offsets, text or label are wrong."""
    where = f"span {span.text!r} [{span.start}:{span.end})"
    if not (0 <= span.start < span.end <= len(text)):
        raise SpanError(f"{where} is outside the text (length {len(text)})", record=record)
    if text[span.start : span.end] != span.text:
        raise SpanError(f"{where} does not match the text {text[span.start : span.end]!r}", record=record)
    if labels is not None and span.label not in set(labels):
        raise SpanError(f"{where} has label {span.label!r}, not in the label schema", record=record)


def trim_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) per the guidelines: no whitespace, leading "the", trailing punctuation or 's.

    Returns the bounds unchanged when trimming would leave nothing.
    """
    new_start, new_end = start, end
    changed = True
    while changed and new_start < new_end:
        changed = False
        piece = text[new_start:new_end]
        stripped = piece.strip()
        if stripped != piece:
            offset = len(piece) - len(piece.lstrip())
            new_start, new_end = new_start + offset, new_start + offset + len(stripped)
            changed = True
            continue
        if (m := _LEADING_ARTICLE.match(piece)) and m.end() < len(piece):
            new_start += m.end()
            changed = True
            continue
        if (m := _TRAILING_POSSESSIVE.search(piece)) and m.start() > 0:
            new_end -= 2 if piece[-2:] in ("'s", "’s") else 1
            changed = True
            continue
        if len(piece) > 2 and _PAIRS.get(piece[0]) == piece[-1]:
            new_start, new_end = new_start + 1, new_end - 1
            changed = True
            continue
        closer = piece[-1]
        balanced = closer in ")]}" and piece.count(closer) <= piece.count(_OPENER[closer])
        if len(piece) > 1 and closer in _TRAILING_PUNCT and not balanced and not _is_abbreviation(piece):
            new_end -= 1
            changed = True
            continue
        if len(piece) > 1 and piece[0] in _LEADING_PUNCT:
            new_start += 1
            changed = True
    if new_start >= new_end:
        return start, end
    return new_start, new_end


def _is_abbreviation(piece: str) -> bool:
    """ "U.N." and "Jr." keep their full stop."""
    return piece.endswith(".") and bool(re.search(r"(?:\b[A-Z]\.){2,}$|\b(?:Jr|Sr|St|Co|Inc|Ltd)\.$", piece))


def trimmed(text: str, span: Span) -> Span:
    start, end = trim_bounds(text, span.start, span.end)
    return Span(start, end, span.label, text[start:end], span.source)


def find_overlaps(spans: Iterable[Span]) -> list[tuple[Span, Span]]:
    """Pairs of spans that share at least one character (spans sorted by start)."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    pairs = []
    for previous, current in pairwise(ordered):
        if current.start < previous.end:
            pairs.append((previous, current))
    return pairs
