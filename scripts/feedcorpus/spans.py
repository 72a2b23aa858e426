"""Character spans: the only place with offset logic (validation, trimming, overlap).

Offsets are Python str indices (code points) into the document text exactly as stored, end exclusive:
`text[start:end] == span.text` holds for every span this toolkit writes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
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
    """A labelled character span: the one shape of gold entities, predictions, metrics and diffs.

    A NamedTuple: immutable, hashable, cheap to build (an export makes hundreds of thousands). `source` says
    who produced it (model, pattern, rule, annotation); `provenance` what an annotator did with the
    prediction it came from (gold only); `kb_id` the registry id of the entity it names, when known.
    """

    start: int
    end: int
    label: str
    text: str
    source: str = "model"
    provenance: str | None = None
    kb_id: str | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        """What two annotations must share to be the same entity: bounds and label."""
        return (self.start, self.end, self.label)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": self.text,
            "source": self.source,
        }
        if self.provenance is not None:
            data["provenance"] = self.provenance
        if self.kb_id is not None:
            data["kb_id"] = self.kb_id
        return data

    @classmethod
    def from_json(cls, data: Any) -> Span:
        """A span from its JSON form; raises SpanError naming the field when a value has the wrong type."""
        if not isinstance(data, dict):
            raise SpanError(f"not a valid span {data!r} (not a JSON object)")
        try:
            start, end = data["start"], data["end"]
            if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int | str):
                raise TypeError("start/end must be integers")
            return cls(
                int(start),
                int(end),
                str(data["label"]),
                str(data["text"]),
                str(data.get("source", "model")),
                data.get("provenance"),
                data.get("kb_id"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SpanError(f"not a valid span {data!r} ({type(exc).__name__}: {exc})") from exc


def span_problem(
    text: str, span: Span, *, labels: Collection[str] | None = None, check_text: bool = True
) -> str | None:
    """What is wrong with a span's offsets, label or text, or None: the one place these rules live."""
    if not (0 <= span.start < span.end <= len(text)):
        return f"outside the text (length {len(text)})"
    if labels is not None and span.label not in labels:
        return f"label {span.label!r} is not in the label schema"
    if check_text and text[span.start : span.end] != span.text:
        return f"does not match the text {text[span.start : span.end]!r}"
    return None


def describe(span: Span) -> str:
    return f"span {span.text!r} [{span.start}:{span.end})"


def check_span(text: str, span: Span, *, labels: Iterable[str] | None = None, record: str | None = None) -> None:
    """Raise SpanError when the span's offsets, text or label are wrong."""
    problem = span_problem(text, span, labels=None if labels is None else set(labels))
    if problem is not None:
        raise SpanError(f"{describe(span)}: {problem}", record=record)


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
    return span._replace(start=start, end=end, text=text[start:end])


def find_overlaps(spans: Iterable[Span]) -> list[tuple[Span, Span]]:
    """Pairs of spans that share at least one character (spans sorted by start)."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    pairs = []
    for previous, current in pairwise(ordered):
        if current.start < previous.end:
            pairs.append((previous, current))
    return pairs
