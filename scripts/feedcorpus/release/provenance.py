"""What an annotator did with each predicted span: accepted, relabeled, resized, added or rejected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feedcorpus.regions import region_to_span
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


def prediction_spans(prediction: Any, text: str) -> list[Span]:
    """The labels regions of a prediction object that lie inside the text, sorted."""
    if not isinstance(prediction, dict):
        return []
    regions = prediction.get("result")
    spans = [region_to_span(r) for r in regions if isinstance(r, dict)] if isinstance(regions, list) else []
    return sorted((s for s in spans if s is not None and 0 <= s.start < s.end <= len(text)), key=lambda s: s.key)


def parent_spans(annotation: dict[str, Any], predicted_by_id: Mapping[Any, list[Span]], text: str) -> list[Span]:
    """Spans of the prediction the annotation was corrected from: the task's own (already read), else the
    copy Label Studio embeds in the annotation, else none."""
    embedded = annotation.get("prediction")
    if isinstance(embedded, dict) and embedded.get("result"):
        known = predicted_by_id.get(embedded.get("id"))
        return known if known is not None else prediction_spans(embedded, text)
    return predicted_by_id.get(annotation.get("parent_prediction"), [])
