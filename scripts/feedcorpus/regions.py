"""Label Studio's region JSON and Span: the one translation, used by push (predictions) and export (annotations)."""

from __future__ import annotations

import hashlib
from typing import Any

from feedcorpus.labels import FROM_NAME, TO_NAME
from feedcorpus.spans import Span


def region_id(span: Span) -> str:
    """A short stable region id, so the same span gets the same id in every push."""
    return hashlib.sha1(f"{span.start}:{span.end}:{span.label}".encode()).hexdigest()[:10]


def span_to_region(span: Span) -> dict[str, Any]:
    return {
        "id": region_id(span),
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "origin": "prediction",
        "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [span.label]},
    }


def region_to_span(region: dict[str, Any]) -> Span | None:
    """A labels region back to a span; None for results that are not text labels (relations, choices…)."""
    if region.get("type") != "labels" or "value" not in region:
        return None
    value = region["value"]
    if "start" not in value or "end" not in value or not value.get("labels"):
        return None
    return Span(
        int(value["start"]), int(value["end"]), str(value["labels"][0]), str(value.get("text", "")), "annotation"
    )
