"""The selection file (corpus/selections/selection-NNN.json): what `select` chose and why, what `push
--selection` sends. Documents are named by id and by the sha256 of the text the choice was made on, so a
document changed since is noticed instead of pushed unseen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from feedcorpus.errors import FeedcorpusError

FORMAT = 1


@dataclass(frozen=True)
class Chosen:
    doc_id: str
    sha256: str | None
    kind: str  # "greedy" or "random"
    score: int  # what it added when picked (0 for a random draw)
    reasons: tuple[str, ...]
    group: str | None


@dataclass(frozen=True)
class Selection:
    documents: tuple[Chosen, ...]
    seed: int
    asked: int
    predictions: str  # the model version whose predictions were scored (and are pushed by default)
    compare: str | None = None
    gold: str | None = None  # the release whose labels count as known
    store: str = "json"
    counts: dict[str, int] = field(default_factory=dict)  # eligible, pool, excluded…

    @property
    def ids(self) -> list[str]:
        return [c.doc_id for c in self.documents]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "made_by": "feedcorpus select",
            "asked": self.asked,
            "seed": self.seed,
            "predictions": self.predictions,
            "compare": self.compare,
            "gold": self.gold,
            "store": self.store,
            "counts": dict(sorted(self.counts.items())),
            "documents": [
                {
                    "id": c.doc_id,
                    "sha256": c.sha256,
                    "kind": c.kind,
                    "score": c.score,
                    "group": c.group,
                    "reasons": list(c.reasons),
                }
                for c in self.documents
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> Selection:
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("documents"), list):
            raise FeedcorpusError(f"not a selection file of format {FORMAT} (made by `feedcorpus select`)")
        chosen = []
        for number, item in enumerate(data["documents"], 1):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise FeedcorpusError(f"document {number}: needs an id")
            reasons = tuple(str(r) for r in item.get("reasons") or ())
            chosen.append(Chosen(item["id"], item.get("sha256"), str(item.get("kind", "")), int(item.get("score", 0)),
                                 reasons, item.get("group")))  # fmt: skip
        return cls(
            tuple(chosen),
            int(data.get("seed", 0)),
            int(data.get("asked", len(chosen))),
            str(data.get("predictions") or ""),
            data.get("compare"),
            data.get("gold"),
            str(data.get("store", "json")),
            {str(k): int(v) for k, v in (data.get("counts") or {}).items()},
        )
