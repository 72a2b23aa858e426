"""Tokens and IOB2 tags derived from character spans (the spans stay the truth).

spaCy's English tokenizer splits the text; `Doc.char_span` aligns each span, expanding one that does not
fall on token boundaries (e.g. a name inside "Volleys") to whole tokens. The IOB2 tags are then set on the
aligned token ranges directly, in the one pass over the tokens that collects their texts (the tests check
them against spaCy's `offsets_to_biluo_tags` + `biluo_to_iob`, which walk the tokens three more times).
Whitespace tokens are left out of `tokens`/`ner_tags`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from typing import Any

from feedcorpus.spans import Span


@dataclass
class Tagged:
    tokens: list[str]
    tags: list[str]
    expanded: list[Span] = field(default_factory=list)
    conflicts: list[Span] = field(default_factory=list)  # spans whose expansion collided with another


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """spaCy's rule-based English tokenizer alone (no model needed)."""
    import spacy

    return spacy.blank("en")


def tag(text: str, spans: Iterable[Span], nlp: Any | None = None) -> Tagged:
    doc = (nlp or tokenizer()).make_doc(text)
    tags = ["O"] * len(doc)
    taken: set[int] = set()
    result = Tagged([], [])
    for span in sorted(spans):
        aligned = doc.char_span(span.start, span.end, label=span.label)
        if aligned is None:
            aligned = doc.char_span(span.start, span.end, label=span.label, alignment_mode="expand")
            result.expanded.append(span)
        tokens = set(range(aligned.start, aligned.end)) if aligned is not None else set()
        if not tokens or tokens & taken:
            result.conflicts.append(span)
            continue
        taken |= tokens
        tags[aligned.start] = f"B-{span.label}"
        tags[aligned.start + 1 : aligned.end] = [f"I-{span.label}"] * (aligned.end - aligned.start - 1)
    # Token texts by slicing the text at the tokens' offsets: the same strings as token.text, without
    # building a Python Token object per token (the bulk of the time on long corpora).
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    if len(doc):
        table = doc.to_array([IDX, LENGTH, IS_SPACE])
        keep = (table[:, 2] == 0).tolist()
        starts = table[:, 0].tolist()
        ends = (table[:, 0] + table[:, 1]).tolist()
        result.tokens = [text[a:b] for a, b in compress(zip(starts, ends, strict=True), keep)]
        result.tags = list(compress(tags, keep))
    return result
