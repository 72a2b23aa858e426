"""One round of `select`, streaming: every scored document passes once and only a bounded pool is kept.

Predictions are read one record at a time; each becomes Features (no text needed). Two bounded sets are kept:
the POOL best by novelty and disagreement, and a seeded uniform sample for the random share. Only their
texts (and those of gold and earlier selections, which a pick must not copy) are then read and clustered
for near-copies (nearcopies): clustering the whole of a million-article archive would need tens of GB.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from feedcorpus.documents import has_text
from feedcorpus.nearcopies import cluster_documents
from feedcorpus.selection.choose import choose, rank
from feedcorpus.selection.features import Features, features
from feedcorpus.selections import Chosen
from feedcorpus.spans import Span


@dataclass(frozen=True)
class Record:
    """One document's predictions, as select reads them (stores.predictions gives these fields)."""

    doc_id: str
    doc_sha256: str | None
    spans: tuple[Span, ...]


@dataclass
class Round:
    chosen: list[Chosen]
    counts: Counter[str] = field(default_factory=Counter)


def pool_size(n: int) -> int:
    return max(20 * n, 1000)


def select_round(
    records: Iterable[Record],
    *,
    current: Mapping[str, bytes],  # id → fingerprint of every document in the store
    excluded: set[str],  # gold and earlier selections: never chosen
    known: frozenset[str],
    compare: Mapping[str, bytes] | None,  # id → span_keys of the second prediction set
    compare_name: str | None,
    texts: Callable[[set[str]], dict[str, tuple[str, int]]],  # ids → (text, body offset), for clustering
    taken_texts: Mapping[str, tuple[str, int]],  # texts of gold and earlier selections
    n: int,
    seed: int,
    random_share: float,
    pool: int | None = None,
) -> Round:
    counts: Counter[str] = Counter()
    random_count = round(n * random_share)
    best: list[tuple[int, int, str, Features]] = []  # min-heap of the POOL best
    sample: list[tuple[int, str, Features]] = []  # max-heap (negated rank) of the lowest ranks
    keep, draw = pool or pool_size(n), max(5 * random_count + 50, 2 * random_count)
    for record in records:
        stored = current.get(record.doc_id)
        if stored is None:
            counts["predictions for documents not in the store"] += 1
            continue
        if not has_text(stored, record.doc_sha256):
            counts["stale predictions (the text changed since)"] += 1
            continue
        if record.doc_id in excluded:
            counts["already gold or selected"] += 1
            continue
        counts["eligible"] += 1
        other = compare.get(record.doc_id, b"") if compare is not None else None
        item = features(record.doc_id, record.doc_sha256, record.spans, known, other)
        tie = rank(seed, item.doc_id)
        heapq.heappush(best, (item.base_score, -tie, item.doc_id, item))
        if len(best) > keep:
            heapq.heappop(best)
        heapq.heappush(sample, (-tie, item.doc_id, item))
        if len(sample) > draw:
            heapq.heappop(sample)
    candidates = {f.doc_id: f for f in [b[3] for b in best] + [s[2] for s in sample]}
    counts["pool"] = len(candidates)
    found = texts(set(candidates))
    clustering = cluster_documents(
        [(doc_id, text, offset) for doc_id, (text, offset) in {**taken_texts, **found}.items()]
    )
    group_of = dict(clustering.cluster_of)
    for a, b in clustering.exact_copies():  # exact copies are one group here: the same text twice
        group_of[b] = group_of[a]
    sizes = Counter(group_of.values())
    taken = {group_of.get(doc_id, doc_id) for doc_id in taken_texts}
    chosen = choose(
        [b[3] for b in best],
        [s[2] for s in sample],
        n,
        seed=seed,
        random_count=random_count,
        group_of=group_of,
        group_sizes=sizes,
        taken_groups=taken,
        compare=compare_name,
    )
    counts["near-copy groups"] = sum(1 for size in sizes.values() if size > 1)
    return Round(chosen, counts)
