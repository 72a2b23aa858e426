"""What a release build produces, typed: the export report, the dataset's figures and the built files.

`card` renders these, `manifest` serialises them, the CLI prints them; none of them passes dicts around.
The JSON forms (`to_json`) are the manifest's layout, unchanged since v1.0.0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from feedcorpus.metrics import Score
from feedcorpus.release.actors import ActorCount
from feedcorpus.release.overlap import SplitOverlap

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class ReleaseReport:
    """How the gold was resolved and what was left out or adjusted."""

    tasks: int
    released: int
    unannotated: list[str]
    disputed: list[str]
    policy: str
    resolved_by: dict[str, int]
    cancelled_annotations: int
    ignored_results: int
    trimmed_spans: list[str]
    expanded_spans: list[str]
    tag_conflicts: list[str]
    split_moves: list[str]
    copies: list[str] = field(default_factory=list)  # near-copy clusters ("3 documents repeat wire copy of …")
    unmatched_actors: list[str] = field(default_factory=list)  # ARMED_GROUP mentions with no registry id
    leaks: list[str] = field(default_factory=list)  # held-out documents sharing > 5 % of 8-grams with train
    emptied: list[str] = field(default_factory=list)  # gold with 0 entities where predictions held some (warned)

    def to_json(self) -> dict[str, Any]:
        extra = {"copies": self.copies, "unmatched_actors": self.unmatched_actors, "leaks": self.leaks}
        return {
            "tasks": self.tasks,
            "released": self.released,
            "unannotated": len(self.unannotated),
            "unannotated_documents": self.unannotated,
            "disputed": self.disputed,
            "policy": self.policy,
            "resolved_by": self.resolved_by,
            "cancelled_annotations": self.cancelled_annotations,
            "ignored_results": self.ignored_results,
            "trimmed_spans": self.trimmed_spans,
            "expanded_spans": self.expanded_spans,
            "tag_conflicts": self.tag_conflicts,
            "split_moves": self.split_moves,
            **{key: value for key, value in extra.items() if value},
        }


@dataclass(frozen=True)
class Agreement:
    """Entity-level agreement between the first two annotation passes (before adjudication)."""

    between: tuple[str, str]
    documents: int
    scores: dict[str, Score]

    def to_json(self) -> dict[str, Any]:
        return {
            "between": list(self.between),
            "documents": self.documents,
            "scores": {name: s.to_json() for name, s in self.scores.items()},
        }


@dataclass(frozen=True)
class Quality:
    """Pre-annotation quality of each prediction set against the gold, and inter-annotator agreement."""

    predictions: dict[str, dict[str, Score]]  # model version → "overall"/label → score
    agreement: Agreement | None

    def to_json(self) -> dict[str, Any]:
        return {
            "predictions": {v: {n: s.to_json() for n, s in scores.items()} for v, scores in self.predictions.items()},
            "agreement": self.agreement.to_json() if self.agreement else None,
        }


@dataclass(frozen=True)
class ReleaseStats:
    """The dataset's figures, every one computed from the rows."""

    documents: dict[str, int]  # split → documents
    entities: dict[str, dict[str, int]]  # split → label → entities
    tokens: int
    provenance: dict[str, int]
    quality: Quality
    sources: list[str]
    split_bytes: dict[str, int]
    overlap: list[SplitOverlap] = field(default_factory=list)
    actors: list[ActorCount] = field(default_factory=list)
    sentences: dict[str, int] = field(default_factory=dict)  # split → sentences (format 3)
    split_tokens: dict[str, int] = field(default_factory=dict)  # split → tokens (format 3)
    sentence_bytes: dict[str, int] = field(default_factory=dict)  # split → Arrow bytes of its sentence rows
    folds: int = 0  # cross-validation folds over clusters (format 3)

    @property
    def total_documents(self) -> int:
        return sum(self.documents.values())

    @property
    def total_entities(self) -> int:
        return sum(sum(per_label.values()) for per_label in self.entities.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "entities": self.entities,
            "tokens": self.tokens,
            "provenance": self.provenance,
            "quality": self.quality.to_json(),
            "sources": self.sources,
            "split_bytes": self.split_bytes,
            **({"overlap": [o.to_json() for o in self.overlap]} if self.overlap else {}),
            **({"actors": [a.__dict__ for a in self.actors]} if self.actors else {}),
            **({"sentences": self.sentences, "split_tokens": self.split_tokens} if self.sentences else {}),
            **({"folds": self.folds} if self.folds else {}),
        }


@dataclass(frozen=True)
class CardInputs:
    """The sha256 of what the card was written from besides the data, so a rebuild knows when to compare it."""

    guidelines_sha256: str
    card_settings_sha256: str
    card_template_sha256: str
    policy: str

    def to_json(self) -> dict[str, str]:
        return {
            "guidelines_sha256": self.guidelines_sha256,
            "card_settings_sha256": self.card_settings_sha256,
            "card_template_sha256": self.card_template_sha256,
            "policy": self.policy,
        }


@dataclass
class Built:
    """Everything a release holds, before it is written."""

    version: str
    rows: list[dict[str, Any]]
    report: ReleaseReport
    stats: ReleaseStats
    inputs: CardInputs
    files: dict[str, bytes] = field(default_factory=dict)  # relative path → content
    release_format: int = 1
    sentence_rows: list[dict[str, Any]] = field(default_factory=list)  # format 3
