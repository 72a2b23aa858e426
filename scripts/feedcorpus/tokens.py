"""Tokens and IOB2 tags derived from character spans (the spans stay the truth).

spaCy's English tokenizer splits the text; `Doc.char_span` aligns each span, expanding one that does not
fall on token boundaries (e.g. a name inside "anonymity.Volleys") to whole tokens; `offsets_to_biluo_tags`
and `biluo_to_iob` make the tags. Whitespace tokens are left out of `tokens`/`ner_tags`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
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
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags

    doc = (nlp or tokenizer()).make_doc(text)
    offsets: list[tuple[int, int, str]] = []
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
        offsets.append((aligned.start_char, aligned.end_char, span.label))
    tags = biluo_to_iob(offsets_to_biluo_tags(doc, offsets))
    for token, token_tag in zip(doc, tags, strict=True):
        if not token.is_space:
            result.tokens.append(token.text)
            result.tags.append(token_tag)
    return result
