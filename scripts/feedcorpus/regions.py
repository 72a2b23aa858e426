"""Label Studio's region JSON and Span: the one translation, used by push (predictions) and export (annotations)."""

from __future__ import annotations

import hashlib
from typing import Any

from feedcorpus.errors import SpanError
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
    """A labels region back to a span; None for results that are not text labels (relations, choices…).

    Raises SpanError for a labels region whose values are malformed ("start": "abc", labels not a list).
    """
    if region.get("type") != "labels" or "value" not in region:
        return None
    value = region["value"]
    if not isinstance(value, dict):
        raise SpanError(f"region {region.get('id')!r}: value must be an object")
    if "start" not in value or "end" not in value or not value.get("labels"):
        return None
    labels = value["labels"]
    if not isinstance(labels, list) or not isinstance(labels[0], str):
        raise SpanError(f"region {region.get('id')!r}: labels must be a list of names, got {labels!r}")
    data = {"start": value["start"], "end": value["end"], "label": labels[0], "text": value.get("text") or ""}
    return Span.from_json({**data, "source": "annotation"})
