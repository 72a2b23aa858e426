"""What makes a document worth a human's time, computed from its predictions alone (no text needed).

Novelty: predicted mentions whose surface form is in neither the gold release nor the reference lists (actor
registry, gazetteers, pycountry) — names the corpus has not met yet. DATE mentions never count: no list
names dates. Disagreement: spans one prediction set has and the other lacks (the trained model against the
patterns and stock model, say), where at least one of them must be wrong.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from feedcorpus.spans import Span

NOT_NOVEL_LABELS = frozenset({"DATE"})
KEY_BYTES = 8
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_SPACE = re.compile(r"\s+")


def normalise(name: str) -> str:
    """The form names are compared in: NFKC, case-folded, straight quotes and dashes, single spaces."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name).translate(_QUOTES)).strip().casefold()


def known_names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(normalise(n) for n in names if n.strip())


@dataclass(frozen=True)
class Features:
    """One document's case for annotation."""

    doc_id: str
    sha256: str | None
    novel: tuple[tuple[str, str], ...]  # (surface form as predicted, label), first occurrence each, sorted
    disagreements: int  # spans in exactly one of the two prediction sets
    spans: int  # spans in the main set (for the reason's "5 of 21")

    @property
    def novel_keys(self) -> frozenset[str]:
        return frozenset(normalise(text) for text, _ in self.novel)

    @property
    def base_score(self) -> int:
        return len(self.novel) + self.disagreements


def span_keys(spans: Iterable[Span]) -> bytes:
    """A document's spans as sorted 8-byte digests of (start, end, label), packed: about 8 bytes a span.

    `select --compare` holds these for every document of the second set; tuples in frozensets would take
    some 100 bytes a span (gigabytes for an archive of a million articles).
    """
    digests = {hashlib.blake2b(f"{s.start}:{s.end}:{s.label}".encode(), digest_size=KEY_BYTES).digest() for s in spans}
    return b"".join(sorted(digests))


def _unpack(keys: bytes) -> set[bytes]:
    return {keys[i : i + KEY_BYTES] for i in range(0, len(keys), KEY_BYTES)}


def features(
    doc_id: str,
    sha256: str | None,
    spans: Iterable[Span],
    known: frozenset[str],
    other: bytes | None = None,
) -> Features:
    spans = list(spans)
    novel: dict[str, tuple[str, str]] = {}
    for span in spans:
        key = normalise(span.text)
        if span.label not in NOT_NOVEL_LABELS and key not in known and key not in novel:
            novel[key] = (span.text, span.label)
    disagreements = len(_unpack(span_keys(spans)) ^ _unpack(other)) if other is not None else 0
    return Features(doc_id, sha256, tuple(sorted(novel.values())), disagreements, len(spans))
