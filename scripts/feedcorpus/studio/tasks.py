"""Pure conversions between documents/spans and Label Studio task, prediction and annotation JSON."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from feedcorpus.documents import Document
from feedcorpus.regions import span_to_region
from feedcorpus.spans import Span, check_span


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
