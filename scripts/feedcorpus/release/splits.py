"""Deterministic train/validation/test splits (≈ 80/10/10) from a hash: of the document id (format 1,
v1.0.0) or of its near-copy cluster (format 2, so wire copy never straddles train and test).

A document keeps the split it had in an earlier release; a new document gets the split its hash gives.
With few documents a split can come out empty: then the document whose hash lies nearest to that split's
range is moved into it, and the move is recorded (later releases keep it, so nothing ever changes split).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from feedcorpus.folds import position

SPLITS = ("train", "validation", "test")
BOUNDS = {"train": (0.0, 0.8), "validation": (0.8, 0.9), "test": (0.9, 1.0)}


def by_hash(doc_id: str) -> str:
    value = position(doc_id)
    return next(name for name, (low, high) in BOUNDS.items() if low <= value < high)


def _distance(value: float, split: str) -> float:
    low, high = BOUNDS[split]
    return 0.0 if low <= value < high else min(abs(value - low), abs(value - high))


def assign(doc_ids: Iterable[str], previous: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """doc id → split, and the moves made to fill empty splits (as readable notes)."""
    previous = previous or {}
    ids = sorted(set(doc_ids))
    result = {d: previous.get(d) or by_hash(d) for d in ids}
    moves = []
    if len(ids) >= len(SPLITS):
        for split in SPLITS:
            if split in result.values():
                continue
            counts = {s: sum(1 for v in result.values() if v == s) for s in SPLITS}
            movable = [d for d in ids if d not in previous and counts[result[d]] > 1]
            if not movable:
                continue
            chosen = min(movable, key=lambda d: (_distance(position(d), split), d))
            moves.append(f"{chosen}: {result[chosen]} → {split} (split was empty)")
            result[chosen] = split
    return result, moves


def assign_clusters(
    clusters: Mapping[str, str], previous: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """doc id → split with whole near-copy clusters in one split (format 2), and the moves made.

    A document keeps its split from an earlier release of the same MAJOR version; the other documents of
    its cluster join that split. A new cluster takes the split its id's hash gives. With few clusters a split
    can come out empty: the new cluster nearest to that split's range, smallest first, is moved into it.
    """
    previous = previous or {}
    members: dict[str, list[str]] = {}
    for doc_id, cluster in sorted(clusters.items()):
        members.setdefault(cluster, []).append(doc_id)
    result: dict[str, str] = {}
    fresh: list[str] = []
    for cluster, docs in sorted(members.items()):
        earlier = [previous[d] for d in docs if d in previous]
        if earlier:
            result.update({d: previous.get(d, min(earlier)) for d in docs})
        else:
            fresh.append(cluster)
            result.update({d: by_hash(cluster) for d in docs})
    moves = []
    if len(members) >= len(SPLITS):
        for split in SPLITS:
            if split in result.values():
                continue
            counts = {s: sum(1 for v in result.values() if v == s) for s in SPLITS}
            movable = [c for c in fresh if counts[result[members[c][0]]] > len(members[c])]
            if not movable:
                continue
            chosen = min(movable, key=lambda c: (_distance(position(c), split), len(members[c]), c))
            size, origin = len(members[chosen]), result[members[chosen][0]]
            moves.append(f"cluster {chosen} ({size} documents): {origin} → {split} (split was empty)")
            result.update({d: split for d in members[chosen]})
            fresh.remove(chosen)
    return result, moves
