"""One spaCy pass per document for release format 3: tokens, IOB2 tags, sentences and the Doc every writer uses.

The tokenizer is spaCy's blank pipeline for the document's language with three rules added so that gold spans
fall on token boundaries (the guidelines keep quotation marks and slashes outside names): a slash opens a token
("/Xinhua"), double quotation marks are infixes ("airport.”Bamako"), and a sentence-final mark before such a
quote is one too. Sentences come from spaCy's rule-based `sentencizer`, plus a break at every line break (the
title and each paragraph are never joined), with an opening quotation mark moved to the sentence it opens; a
sentence boundary that would cut through an entity is dropped (the two sentences are merged). Parquet rows,
sentence rows, CoNLL and DocBin are all written from this one analysis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from feedcorpus.spans import Span

QUOTE_INFIXES = (r"(?<=\w)[.!?,;:](?=[”“\"«»„])", r"[”“\"«»„]")
OPENERS = frozenset("“«„‘([{")


@dataclass
class Analysis:
    tokens: list[str]  # non-whitespace tokens
    tags: list[str]  # IOB2, one per token
    offsets: list[tuple[int, int]]  # character range of each token
    sentences: list[tuple[int, int]]  # token ranges [first, end) into `tokens`
    doc: Any  # spaCy Doc: entities with kb_id, sentence starts
    expanded: list[Span] = field(default_factory=list)
    conflicts: list[Span] = field(default_factory=list)

    def sentence_chars(self) -> list[tuple[int, int]]:
        """Each sentence's character range: from its first token's start to its last token's end."""
        return [(self.offsets[a][0], self.offsets[b - 1][1]) for a, b in self.sentences]


@lru_cache(maxsize=8)
def pipeline(language: str) -> Any:
    """spaCy's blank tokenizer for `language` with the span-boundary rules above, and its sentencizer."""
    import spacy
    from spacy.util import compile_infix_regex, compile_prefix_regex

    nlp: Any = spacy.blank(language)
    defaults: Any = nlp.Defaults
    nlp.tokenizer.prefix_search = compile_prefix_regex([*defaults.prefixes, "/"]).search
    nlp.tokenizer.infix_finditer = compile_infix_regex([*defaults.infixes, *QUOTE_INFIXES]).finditer
    nlp.add_pipe("sentencizer")
    return nlp


def analyse(text: str, spans: Iterable[Span], language: str = "en") -> Analysis:
    """Tokenize once, align the spans (strictly; a span needing expansion is recorded), find sentences."""
    import numpy as np
    from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START
    from spacy.tokens import Span as SpacySpan

    nlp = pipeline(language)
    doc = nlp.make_doc(text)
    nlp.get_pipe("sentencizer")(doc)
    table = doc.to_array([IDX, LENGTH, IS_SPACE, SENT_START]).astype(np.int64)  # SENT_START: 1, -1 or 0
    tags = ["O"] * len(doc)
    taken = bytearray(len(doc))
    ents = []
    result = Analysis([], [], [], [], doc)
    for span in sorted(spans):
        aligned = doc.char_span(span.start, span.end)
        if aligned is None:
            aligned = doc.char_span(span.start, span.end, alignment_mode="expand")
            result.expanded.append(span)
        if aligned is None or not len(aligned) or any(taken[aligned.start : aligned.end]):
            result.conflicts.append(span)
            continue
        a, b = aligned.start, aligned.end
        taken[a:b] = b"\x01" * (b - a)
        tags[a] = f"B-{span.label}"
        tags[a + 1 : b] = [f"I-{span.label}"] * (b - a - 1)
        ents.append(SpacySpan(doc, a, b, label=span.label, kb_id=span.kb_id or ""))
    doc.ents = ents
    space = table[:, 2].astype(bool)
    starts = _sentence_starts(text, table, space, ents)
    kept = np.flatnonzero(~space)
    first, last = table[kept, 0].tolist(), (table[kept, 0] + table[kept, 1]).tolist()
    result.offsets = list(zip(first, last, strict=True))
    result.tokens = [text[a:b] for a, b in result.offsets]
    result.tags = [tags[i] for i in kept.tolist()]
    result.sentences = _group(kept, starts)
    if len(doc):
        marks = np.where(starts, 1, -1).astype("uint64")
        marks[0] = 1
        doc.from_array([SENT_START], marks.reshape(-1, 1))
    return result


def _sentence_starts(text: str, table: Any, space: Any, ents: list[Any]) -> Any:
    """Which tokens open a sentence: the sentencizer's, after every line break, an opening quotation mark
    moved to the sentence it opens, none inside an entity."""
    import numpy as np

    starts = table[:, 3] == 1
    for i in np.flatnonzero(space[:-1]).tolist():
        if "\n" in text[table[i, 0] : table[i, 0] + table[i, 1]]:
            starts[i + 1] = True  # the title and each paragraph end a sentence
    for i in (np.flatnonzero(starts[2:]) + 1).tolist():
        idx, length = int(table[i, 0]), int(table[i, 1])
        if starts[i + 1] and text[idx : idx + length] in OPENERS and table[i - 1, 0] + table[i - 1, 1] < idx:
            starts[i], starts[i + 1] = True, False  # “ after "said. " opens the next sentence
    for ent in ents:
        starts[ent.start + 1 : ent.end] = False  # never cut through a name: merge the two sentences instead
    return starts


def _group(kept: Any, starts: Any) -> list[tuple[int, int]]:
    """Sentences as ranges over the non-whitespace tokens; a break on a whitespace token moves to the next."""
    import numpy as np

    if not len(kept):
        return []
    opened = np.cumsum(starts)[kept]  # sentence starts seen up to each kept token
    begins = [0, *(np.flatnonzero(np.diff(opened) > 0) + 1).tolist()]
    return list(zip(begins, [*begins[1:], len(kept)], strict=True))
