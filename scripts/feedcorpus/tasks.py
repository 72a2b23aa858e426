"""Pure conversions between documents/spans and Label Studio task, prediction and annotation JSON."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from feedcorpus.documents import Document
from feedcorpus.labels import FROM_NAME, TO_NAME
from feedcorpus.spans import Span, check_span

TASK_DATA_KEYS = ("text", "doc_id", "title", "url", "published", "source")


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


def task_data(document: Document) -> dict[str, Any]:
    return {
        "text": document.text,
        "doc_id": document.id,
        "title": document.title,
        "url": document.url,
        "published": document.published,
        "source": document.source,
    }


def prediction(document: Document, spans: Iterable[Span], model_version: str, labels: Iterable[str]) -> dict[str, Any]:
    """A Label Studio prediction; every span is checked against the text and the label set first."""
    label_set = set(labels)
    result = []
    for span in spans:
        check_span(document.text, span, labels=label_set, record=document.id)
        result.append(span_to_region(span))
    return {"model_version": model_version, "result": result}


def task(
    document: Document, spans: Iterable[Span] | None, model_version: str | None, labels: Iterable[str]
) -> dict[str, Any]:
    """An import task: the document's data and, when there are predictions, one prediction."""
    payload: dict[str, Any] = {"data": task_data(document)}
    if spans is not None and model_version:
        payload["predictions"] = [prediction(document, spans, model_version, labels)]
    return payload


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


def annotation_result(spans: Iterable[Span]) -> list[dict[str, Any]]:
    """An annotation's result list (as an annotator would submit it) for the given spans."""
    return [{**span_to_region(span), "origin": "manual"} for span in spans]
