"""Deterministic train/validation/test splits (≈ 80/10/10) from a hash of the document id.

A document keeps the split it had in an earlier release; a new document gets the split its hash gives.
With few documents a split can come out empty: then the document whose hash lies nearest to that split's
range is moved into it, and the move is recorded (later releases keep it, so nothing ever changes split).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

SPLITS = ("train", "validation", "test")
BOUNDS = {"train": (0.0, 0.8), "validation": (0.8, 0.9), "test": (0.9, 1.0)}


def position(doc_id: str) -> float:
    """The document's place in [0, 1): the first 8 bytes of sha256(id)."""
    return int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:8], "big") / 2**64


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
