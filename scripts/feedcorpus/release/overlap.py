"""How much held-out data leaks from train: word 8-grams and entity mentions shared across splits.

For each held-out split (validation, test) against train: the share of its word 8-grams that also occur in
train (overall and for the worst document), and the share of its entity mentions whose (text, label) occurs
in train — "seen" against "unseen" entities, as WNUT-17 separates them. Pure logic over release rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from feedcorpus.nearcopies import words

NGRAM = 8
LEAK_LIMIT = 0.05  # a held-out document sharing more of its 8-grams with train is reported


def ngrams(text: str, size: int = NGRAM) -> set[str]:
    tokens = words(text)
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def mentions(rows: Iterable[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(e["text"], e["label"]) for row in rows for e in row["entities"]}


@dataclass(frozen=True)
class SplitOverlap:
    split: str  # validation or test, against train
    documents: int
    ngram_share: float  # of the split's 8-grams, the share found in train
    worst_document: str | None
    worst_share: float
    mentions: int
    seen_mentions: int  # entity mentions whose (text, label) occurs in train

    @property
    def seen_share(self) -> float:
        return self.seen_mentions / self.mentions if self.mentions else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "split": self.split,
            "against": "train",
            "documents": self.documents,
            "ngram": NGRAM,
            "ngram_share": round(self.ngram_share, 4),
            "worst_document": self.worst_document,
            "worst_document_share": round(self.worst_share, 4),
            "mentions": self.mentions,
            "seen_mentions": self.seen_mentions,
            "unseen_mentions": self.mentions - self.seen_mentions,
        }


def overlap(rows: list[dict[str, Any]]) -> list[SplitOverlap]:
    train = [r for r in rows if r["split"] == "train"]
    train_grams = set().union(*(ngrams(r["text"]) for r in train)) if train else set()
    train_mentions = mentions(train)
    found = []
    for split in ("validation", "test"):
        held = [r for r in rows if r["split"] == split]
        if not held:
            continue
        total = shared = 0
        worst_share, worst_id = 0.0, None
        for row in held:
            grams = ngrams(row["text"])
            common = len(grams & train_grams)
            total, shared = total + len(grams), shared + common
            share = common / len(grams) if grams else 0.0
            if worst_id is None or share > worst_share:
                worst_share, worst_id = share, row["id"]
        held_mentions = [(e["text"], e["label"]) for r in held for e in r["entities"]]
        seen = sum(1 for m in held_mentions if m in train_mentions)
        found.append(
            SplitOverlap(
                split, len(held), shared / total if total else 0.0, worst_id, worst_share, len(held_mentions), seen
            )
        )
    return found


def leaks(parts: list[SplitOverlap]) -> list[str]:
    return [
        f"{p.worst_document} ({p.split}) shares {p.worst_share:.1%} of its word {NGRAM}-grams with train"
        for p in parts
        if p.worst_document is not None and p.worst_share > LEAK_LIMIT
    ]
