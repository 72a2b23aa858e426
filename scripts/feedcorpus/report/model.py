"""What the report shows, typed: gathered once by `load`, rendered by the page modules without re-reading."""

from __future__ import annotations

from dataclasses import dataclass, field

from feedcorpus.errors import FeedcorpusError
from feedcorpus.spans import Span

SNAPSHOT_ORIGIN = "snapshot"
STORE_ORIGIN = "corpus/predictions"


@dataclass(frozen=True)
class ReportDocument:
    """A released document: its gold entities, and the Label Studio task it came from when known."""

    id: str
    title: str
    text: str
    split: str
    source: str | None
    url: str | None
    tokens: int
    entities: tuple[Span, ...]
    task_id: int | None = None
    project_id: int | None = None


@dataclass(frozen=True)
class PredictionSet:
    """One model version's spans on the release's documents.

    `stale` lists documents whose predictions were made for another version of the text (their offsets
    would point at the wrong words, so they are left out); `dropped` counts spans outside the text.
    """

    name: str
    origin: str  # SNAPSHOT_ORIGIN or STORE_ORIGIN
    spans: dict[str, tuple[Span, ...]]
    stale: tuple[str, ...] = ()
    dropped: int = 0

    @property
    def title(self) -> str:
        return self.name if self.origin == SNAPSHOT_ORIGIN else f"{self.name} ({self.origin})"


@dataclass(frozen=True)
class AnnotationPass:
    """One submitted annotation of a task (cancelled ones are not passes)."""

    annotator: str
    annotation_id: int | None
    ground_truth: bool
    spans: tuple[Span, ...]

    @property
    def heading(self) -> str:
        return f"{self.annotator} (ground truth)" if self.ground_truth else self.annotator


@dataclass(frozen=True)
class Disagreement:
    """A task whose annotations do not all have the same spans, and what the release made of it.

    `decision` is how gold resolution settled it ("ground_truth", "latest", …) or "excluded"; `gold` is
    the released entities (None when the task was left out).
    """

    doc_id: str
    task_id: int
    project_id: int | None
    title: str
    text: str
    annotations: tuple[AnnotationPass, ...]
    decision: str
    gold: tuple[Span, ...] | None


@dataclass(frozen=True)
class Overlap:
    """Held-out mentions whose (text, label) also occurs in train (manifest `counts.overlap`, format 2)."""

    split: str
    mentions: int
    seen: int
    unseen: int
    ngram_share: float


@dataclass(frozen=True)
class ReleaseFigures:
    """The release's own figures from its manifest: what the rows alone cannot tell."""

    name: str  # "v2.0.0"
    created_at: str
    release_format: int
    policy: str
    provenance: dict[str, int]
    overlap: tuple[Overlap, ...]
    disputed: tuple[str, ...]  # documents left out of the release because annotators disagreed
    snapshot_tasks: int


@dataclass(frozen=True)
class ReportData:
    """Everything the pages show. The first prediction set is the one diffs and error counts use."""

    release: ReleaseFigures
    labels: tuple[str, ...]
    colors: dict[str, str]  # label → #rrggbb from schemas/labels.yaml
    documents: tuple[ReportDocument, ...]
    predictions: tuple[PredictionSet, ...]
    passes: dict[str, dict[str, tuple[Span, ...]]]  # annotator → doc id → spans (ground truth excluded)
    disagreements: tuple[Disagreement, ...]
    studio_url: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # what could not be shown, and why

    @property
    def primary(self) -> PredictionSet | None:
        return self.predictions[0] if self.predictions else None


class ReportError(FeedcorpusError):
    """A report that cannot be made: a prediction set that fits none of the release's documents, a bad URL."""
