"""The choice: a greedy pick for coverage of new names and disagreements, one document per near-copy group,
plus a seeded uniform draw. Pure: features and groups in, chosen documents with their reasons out.

Each pick takes the document that adds most: novel names not yet covered by an earlier pick (so ten articles
naming the same new group do not all get chosen) plus its disagreements. A document whose near-copy group
(nearcopies: shared wire copy) already has a pick, or holds a gold document, is passed over: annotating the
same copy twice teaches little and leaks between splits. A share of the batch is drawn uniformly at random
(ranked by a seeded hash of the id, so the draw does not depend on the order documents are read in): the
greedy picks are by design unrepresentative, the random ones give an unbiased estimate of how good the
pre-annotations are.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable, Mapping

from feedcorpus.selection.features import Features, normalise
from feedcorpus.selections import Chosen

SHOWN_NAMES = 4


def rank(seed: int, doc_id: str) -> int:
    """A seeded, order-independent random rank: ties and the uniform draw follow it."""
    return int.from_bytes(hashlib.blake2b(f"{seed}:{doc_id}".encode(), digest_size=8).digest(), "big")


def choose(
    pool: Iterable[Features],
    sample: Iterable[Features],
    n: int,
    *,
    seed: int,
    random_count: int,
    group_of: Mapping[str, str],
    group_sizes: Mapping[str, int],
    taken_groups: Iterable[str] = (),
    compare: str | None = None,
) -> list[Chosen]:
    taken = set(taken_groups)
    covered: set[str] = set()
    chosen: list[Chosen] = []
    heap = [(-f.base_score, rank(seed, f.doc_id), f.doc_id, f) for f in pool]
    heapq.heapify(heap)
    while heap and len(chosen) < n - random_count:
        _, tie, doc_id, item = heapq.heappop(heap)
        group = group_of.get(doc_id, doc_id)
        if group in taken:
            continue
        new = [(text, label) for text, label in item.novel if normalise(text) not in covered]
        gain = len(new) + item.disagreements
        if heap and gain < -heap[0][0]:  # lazy greedy: its gain fell since it was queued; queue it again
            heapq.heappush(heap, (-gain, tie, doc_id, item))
            continue
        if gain == 0:
            break  # nothing left that adds anything: the rest of the batch is drawn at random
        covered |= item.novel_keys
        taken.add(group)
        reasons = _reasons(item, new, compare) + _copies(group, group_sizes)
        chosen.append(Chosen(doc_id, item.sha256, "greedy", gain, reasons, group_of.get(doc_id)))
    picked = {c.doc_id for c in chosen}
    for item in sorted(sample, key=lambda f: rank(seed, f.doc_id)):
        if len(chosen) >= n:
            break
        group = group_of.get(item.doc_id, item.doc_id)
        if item.doc_id in picked or group in taken:
            continue
        taken.add(group)
        reason = f"random: a uniform draw (seed {seed}), for an unbiased estimate of pre-annotation quality"
        chosen.append(Chosen(item.doc_id, item.sha256, "random", 0, (reason, *_copies(group, group_sizes)),
                             group_of.get(item.doc_id)))  # fmt: skip
    return chosen


def _reasons(item: Features, new: list[tuple[str, str]], compare: str | None) -> tuple[str, ...]:
    reasons = []
    if new:
        names = ", ".join(f"“{text}” ({label})" for text, label in new[:SHOWN_NAMES])
        more = f" and {len(new) - SHOWN_NAMES} more" if len(new) > SHOWN_NAMES else ""
        reasons.append(f"novel: {names}{more} in no gold label, registry or gazetteer")
    if item.disagreements:
        reasons.append(f"disagreement: {item.disagreements} spans differ from {compare} ({item.spans} predicted)")
    return tuple(reasons)


def _copies(group: str, sizes: Mapping[str, int]) -> tuple[str, ...]:
    others = sizes.get(group, 1) - 1
    if others <= 0:
        return ()
    return (f"near-copies: {others} other document{'s' if others > 1 else ''} of group {group} left out",)
