"""Cross-validation folds grouped by near-copy cluster: a document and its wire-copy siblings share a fold.

Folds over documents leak when two copies of one AFP story land in different folds (one trains, the other
tests). Here whole clusters are dealt to k folds, the largest cluster first, each to the fold with the fewest
documents so far (ties: the lower fold number); clusters of equal size go in the order of their id's hash.
Deterministic: the same clusters always give the same folds. Release format 3 stores the fold of every
document, and `feedcorpus train` cross-validates with exactly these folds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

FOLDS = 5


def position(cluster: str) -> float:
    """An id's place in [0, 1): the first 8 bytes of its sha256 (what splits and folds order by)."""
    return int.from_bytes(hashlib.sha256(cluster.encode("utf-8")).digest()[:8], "big") / 2**64


def fold_count(clusters: Mapping[str, str], k: int = FOLDS) -> int:
    """k, or the number of clusters when there are fewer (every fold holds at least one cluster)."""
    return max(1, min(k, len(set(clusters.values()))))


def grouped_folds(clusters: Mapping[str, str], k: int = FOLDS) -> dict[str, int]:
    """doc id → fold number in [0, k), whole clusters in one fold, fold sizes as even as clusters allow."""
    members: dict[str, list[str]] = {}
    for doc_id, cluster in clusters.items():
        members.setdefault(cluster, []).append(doc_id)
    k = fold_count(clusters, k)
    sizes = [0] * k
    folds: dict[str, int] = {}
    for cluster in sorted(members, key=lambda c: (-len(members[c]), position(c), c)):
        fold = min(range(k), key=lambda f: (sizes[f], f))
        sizes[fold] += len(members[cluster])
        folds.update({doc_id: fold for doc_id in members[cluster]})
    return dict(sorted(folds.items()))
