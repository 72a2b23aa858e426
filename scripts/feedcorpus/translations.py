"""Translations across languages: an English article and its French version share no word 5-grams, so MinHash
over shingles never links them, yet one in train and the other in test is the same leak as wire copy.

What a translation keeps is its anchors: numbers (casualty counts, years, days of the month) and names (written
the same in both languages: Goïta, Bamako, JNIM, Wagner). Two documents in different languages are linked when
each has at least MIN_ANCHORS anchors and the Jaccard similarity of their anchor sets is at least THRESHOLD.
Articles about the same event in two languages can be linked too; for splits that errs on the safe side.
Pure logic: texts in, links out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations

THRESHOLD = 0.5
MIN_ANCHORS = 6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w’'-]*[\w]", re.MULTILINE)  # capitalised, not sentence-initial


def anchors(text: str) -> frozenset[str]:
    """Numbers (separators removed) and capitalised words that do not open a sentence or a line."""
    numbers = {re.sub(r"[.,]", "", n) for n in _NUMBER.findall(text)}
    names = {m.group(0).casefold() for m in _NAME.finditer(text)}
    return frozenset(numbers | names)


def translation_links(documents: Iterable[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(id, id) pairs of documents in different languages that look like translations of each other, from
    (doc id, language, text) triples; sorted, each pair once.

    Candidates come from an inverted index of anchors, so only pairs that share one are compared (a corpus
    in one language compares nothing)."""
    documents = list(documents)
    if len({language for _, language, _ in documents}) < 2:
        return []
    found = {doc_id: (language, anchors(text)) for doc_id, language, text in documents}
    index: dict[str, list[str]] = defaultdict(list)
    for doc_id, (_, kept) in sorted(found.items()):
        if len(kept) >= MIN_ANCHORS:
            for anchor in kept:
                index[anchor].append(doc_id)
    shared: Counter[tuple[str, str]] = Counter()
    for holders in index.values():
        for a, b in combinations(holders, 2):
            if found[a][0] != found[b][0]:
                shared[(a, b)] += 1
    links = []
    for (a, b), common in sorted(shared.items()):
        if common / len(found[a][1] | found[b][1]) >= THRESHOLD:
            links.append((a, b))
    return links
