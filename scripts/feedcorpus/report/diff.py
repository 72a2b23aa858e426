"""A prediction set against gold, span by span: what a reviewer needs to see, not only the scores.

Each predicted span is compared with the gold spans of its document:

- correct: a gold span has the same bounds and label;
- wrong label: a gold span has the same bounds, with another label;
- wrong boundary: it overlaps a gold span whose bounds differ;
- spurious: it overlaps no gold span.

A gold span that no predicted span overlaps is missed. (A gold span overlapped by a wrong-boundary
prediction is not also counted as missed: the prediction's row names it.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from feedcorpus.report.model import ReportData, ReportDocument
from feedcorpus.spans import Span

CORRECT, WRONG_LABEL, WRONG_BOUNDARY, SPURIOUS, MISSED = (
    "correct",
    "wrong label",
    "wrong boundary",
    "spurious",
    "missed",
)
ERRORS = (MISSED, SPURIOUS, WRONG_LABEL, WRONG_BOUNDARY)
KINDS = (CORRECT, *ERRORS)
KIND_COLORS = {
    CORRECT: "#d9ead3",
    MISSED: "#f4a7a7",
    SPURIOUS: "#ffd27f",
    WRONG_LABEL: "#c9b3f2",
    WRONG_BOUNDARY: "#9fd3f0",
}
KIND_HELP = {
    CORRECT: "same bounds and label as a gold span",
    MISSED: "a gold span no prediction overlaps",
    SPURIOUS: "a prediction that overlaps no gold span",
    WRONG_LABEL: "same bounds as a gold span, another label",
    WRONG_BOUNDARY: "overlaps a gold span with other bounds",
}


@dataclass(frozen=True)
class DiffItem:
    kind: str
    predicted: Span | None  # None for a missed gold span
    gold: tuple[Span, ...]  # the gold span(s) it was compared with; empty for a spurious prediction

    @property
    def shown(self) -> Span:
        """The span the diff view marks: the prediction, or the gold span it missed."""
        if self.predicted is not None:
            return self.predicted
        return self.gold[0]

    @property
    def mark(self) -> str:
        """The short tag on the mark: the kind and the label (predicted, then gold when they differ)."""
        if self.kind == WRONG_LABEL and self.predicted is not None:
            return f"{self.kind} {self.predicted.label} (gold {self.gold[0].label})"
        return f"{self.kind} {self.shown.label}"


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def diff(gold: Iterable[Span], predicted: Iterable[Span]) -> list[DiffItem]:
    """Every predicted span classified against gold, plus the missed gold spans, in text order."""
    gold_spans = sorted({g.key: g for g in gold}.values())
    predicted_spans = sorted({p.key: p for p in predicted}.values())
    exact = {g.key: g for g in gold_spans}
    same_bounds = {(g.start, g.end): g for g in gold_spans}
    items = []
    for span in predicted_spans:
        if span.key in exact:
            items.append(DiffItem(CORRECT, span, (exact[span.key],)))
        elif (span.start, span.end) in same_bounds:
            items.append(DiffItem(WRONG_LABEL, span, (same_bounds[(span.start, span.end)],)))
        else:
            overlapping = tuple(g for g in gold_spans if _overlaps(g, span))
            items.append(DiffItem(WRONG_BOUNDARY if overlapping else SPURIOUS, span, overlapping))
    for span in gold_spans:
        if not any(_overlaps(span, p) for p in predicted_spans):
            items.append(DiffItem(MISSED, None, (span,)))
    return sorted(items, key=lambda item: (item.shown.start, item.shown.end, KINDS.index(item.kind)))


def counts(items: Iterable[DiffItem]) -> Counter[str]:
    """Items per kind, every kind present (zero when none)."""
    found = Counter(item.kind for item in items)
    return Counter({kind: found.get(kind, 0) for kind in KINDS})


def error_count(items: Iterable[DiffItem]) -> int:
    return sum(1 for item in items if item.kind in ERRORS)


@dataclass(frozen=True)
class DocumentErrors:
    """A document with the diff of the chosen prediction set against its gold (empty without a set)."""

    document: ReportDocument
    kinds: Counter[str]
    scored: bool  # the chosen set has predictions for this document

    @property
    def errors(self) -> int:
        return sum(self.kinds[kind] for kind in ERRORS)


def by_errors(data: ReportData) -> list[DocumentErrors]:
    """Documents, most errors of the chosen (first) prediction set first: the order of the index and of
    the previous/next links."""
    primary = data.primary
    found = []
    for document in data.documents:
        predicted = primary.spans.get(document.id) if primary else None
        kinds = counts(diff(document.entities, predicted)) if predicted is not None else Counter()
        found.append(DocumentErrors(document, kinds, predicted is not None))
    return sorted(found, key=lambda d: (-d.errors, d.document.id))
