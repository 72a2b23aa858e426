"""What an annotator did with each predicted span: accepted, relabeled, resized, added or rejected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feedcorpus.errors import SpanError
from feedcorpus.regions import region_to_span
from feedcorpus.release.snapshot import Annotation
from feedcorpus.spans import Span

PROVENANCE = ("accepted", "relabeled", "resized", "added")


def provenance(gold: list[Span], predicted: list[Span]) -> tuple[list[Span], int]:
    """Label each gold span against the prediction it was corrected from; count deleted predictions.

    accepted = same bounds and label; relabeled = same bounds, other label; resized = overlaps a
    prediction with other bounds; added = no prediction there. Each prediction is matched at most once.
    """
    unmatched = set(predicted)
    exact = {p.key: p for p in predicted}
    bounds: dict[tuple[int, int], list[Span]] = {}
    for p in predicted:
        bounds.setdefault((p.start, p.end), []).append(p)
    kinds: dict[Span, str] = {}
    for span in gold:  # same bounds and label
        match = exact.get(span.key)
        if match is not None and match in unmatched:
            kinds[span] = "accepted"
            unmatched.discard(match)
    for span in gold:  # same bounds, another label
        if span not in kinds:
            match = next((p for p in bounds.get((span.start, span.end), []) if p in unmatched), None)
            if match is not None:
                kinds[span] = "relabeled"
                unmatched.discard(match)
    for span in gold:  # overlapping, other bounds
        if span not in kinds:
            overlapping = [p for p in unmatched if span.start < p.end and p.start < span.end]
            match = min(overlapping, key=lambda p: (p.start, p.end, p.label), default=None)
            if match is not None:
                kinds[span] = "resized"
                unmatched.discard(match)
    return [s._replace(provenance=kinds.get(s, "added")) for s in gold], len(unmatched)


def prediction_spans(regions: list[dict[str, Any]], text: str) -> list[Span]:
    """The labels regions of a prediction that lie inside the text, sorted (malformed ones are left out:
    predictions are never gold, they only measure what annotators changed)."""
    spans = []
    for region in regions:
        try:
            span = region_to_span(region)
        except SpanError:
            continue
        if span is not None and 0 <= span.start < span.end <= len(text):
            spans.append(span)
    return sorted(spans, key=lambda s: s.key)


def parent_spans(annotation: Annotation, predicted_by_id: Mapping[int | None, list[Span]], text: str) -> list[Span]:
    """Spans of the prediction the annotation was corrected from: the task's own (already read), else the
    copy Label Studio embeds in the annotation, else none."""
    embedded = annotation.prediction
    if embedded is not None and embedded.result:
        known = predicted_by_id.get(embedded.id)
        return known if known is not None else prediction_spans(embedded.result, text)
    return predicted_by_id.get(annotation.parent_prediction, [])
