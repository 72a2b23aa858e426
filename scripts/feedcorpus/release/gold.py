"""Gold resolution: which annotation of a Label Studio task is the gold one, and is it valid.

Pure logic over the tasks of an export (`snapshot.read_snapshot`), so it is tested on crafted exports.

Policy (also in the dataset card):
1. cancelled/skipped annotations (`was_cancelled`) are ignored; a task without any other annotation is
   not released (counted as unannotated). Predictions are never gold.
2. one annotation marked ground truth wins (several ground truths must agree, else the task is disputed);
3. else a single annotation is gold; several identical annotations (same spans and labels) agree;
4. else the task is disputed: `exclude` leaves it out (listed in the report), `latest` takes the most
   recently updated annotation, `fail` stops the export.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from feedcorpus.errors import ReleaseError, SpanError
from feedcorpus.regions import region_to_span
from feedcorpus.release.provenance import PROVENANCE, parent_spans, prediction_spans, provenance
from feedcorpus.release.snapshot import Annotation, Prediction, Snapshot, Task
from feedcorpus.spans import Span, describe, find_overlaps, span_problem

POLICIES = ("exclude", "latest", "fail")


@dataclass
class GoldDocument:
    doc_id: str
    task_id: int
    data: dict[str, Any]
    entities: list[Span]  # source 'annotation', provenance set
    annotators: list[str]
    annotated_at: str | None
    resolved_by: str
    rejected: int = 0  # predictions the annotator deleted

    @property
    def text(self) -> str:
        return str(self.data["text"])


@dataclass
class Resolution:
    """The gold documents of a snapshot and everything the export report counts."""

    documents: list[GoldDocument] = field(default_factory=list)
    tasks: int = 0
    unannotated: list[str] = field(default_factory=list)
    disputed: list[str] = field(default_factory=list)
    cancelled_annotations: int = 0
    ignored_results: int = 0
    resolved_by: Counter[str] = field(default_factory=Counter)
    trimmed: list[str] = field(default_factory=list)
    emptied: list[str] = field(default_factory=list)  # gold with no entity where the predictions had some
    errors: list[str] = field(default_factory=list)
    predictions: dict[str, dict[str, list[Span]]] = field(default_factory=dict)  # model_version → doc → spans
    passes: dict[str, dict[str, list[Span]]] = field(default_factory=dict)  # annotator → doc → spans (non-GT)

    def provenance(self) -> Counter[str]:
        counts: Counter[str] = Counter(e.provenance or "added" for d in self.documents for e in d.entities)
        counts["rejected"] = sum(d.rejected for d in self.documents)
        return Counter({k: counts.get(k, 0) for k in (*PROVENANCE, "rejected")})


def _normalise(value: str) -> str:
    """Label Studio's value.text collapses whitespace runs and may escape newlines as a literal \\n."""
    return re.sub(r"\s+", " ", value.replace("\\n", " ")).strip()


def annotation_spans(
    annotation: Annotation, text: str, labels: set[str], *, where: str, resolution: Resolution
) -> list[Span]:
    """The annotation's labels regions as checked spans; problems go to resolution.errors."""
    spans = []
    for region in annotation.result:
        try:
            span = region_to_span(region)
        except SpanError as exc:
            resolution.errors.append(f"{where}: {exc}")
            continue
        if span is None:
            resolution.ignored_results += 1
            continue
        name = f"{where}: {describe(span)} {span.label}"
        problem = span_problem(text, span, labels=labels, check_text=False)
        if problem is not None:
            resolution.errors.append(f"{name}: {problem}")
            continue
        covered = text[span.start : span.end]
        if span.text and span.text != covered and _normalise(span.text) != _normalise(covered):
            resolution.errors.append(f"{name}: Label Studio's text differs from the document's {covered!r}")
            continue
        stripped = covered.strip()
        if not stripped:
            resolution.errors.append(f"{name}: covers only whitespace")
            continue
        if stripped != covered:
            start = span.start + len(covered) - len(covered.lstrip())
            span = Span(start, start + len(stripped), span.label, stripped, "annotation")
            resolution.trimmed.append(f"{name}: whitespace trimmed to [{span.start}:{span.end})")
        spans.append(Span(span.start, span.end, span.label, text[span.start : span.end], "annotation"))
    spans.sort()
    for first, second in find_overlaps(spans):
        resolution.errors.append(
            f"{where}: spans {first.text!r} [{first.start}:{first.end}) {first.label} and "
            f"{second.text!r} [{second.start}:{second.end}) {second.label} overlap"
        )
    return spans


def _keys(spans: Iterable[Span]) -> frozenset[tuple[int, int, str]]:
    return frozenset(s.key for s in spans)


def _latest(items: list[tuple[Annotation, list[Span]]]) -> tuple[Annotation, list[Span]]:
    return max(items, key=lambda pair: (pair[0].updated_at or "", pair[0].id or 0))


def _predictions(task: Task) -> list[Prediction]:
    """The task's predictions; when the export lists only their ids, the copies embedded in annotations."""
    if task.predictions:
        return task.predictions
    embedded = {a.prediction.id: a.prediction for a in task.annotations if a.prediction is not None}
    return [embedded[key] for key in sorted(embedded, key=lambda k: (k is None, k or 0))]


def resolve(snapshot: Snapshot, labels: Iterable[str], *, policy: str = "exclude") -> Resolution:
    """Apply the gold policy to every task of a Label Studio export; validation problems are collected."""
    if policy not in POLICIES:
        raise ValueError(f"unknown disagreement policy {policy!r}; one of {', '.join(POLICIES)}")
    label_set = set(labels)
    resolution = Resolution(tasks=snapshot.items, errors=list(snapshot.problems))
    seen: dict[str, int] = {}
    for task in snapshot.tasks:
        doc_id, text = task.data.get("doc_id"), task.data.get("text")
        where = f"task {task.id} ({doc_id})"
        if not isinstance(doc_id, str) or not isinstance(text, str):
            resolution.errors.append(f"task {task.id}: data has no doc_id/text; was it pushed by feedcorpus?")
            continue
        if doc_id in seen:
            resolution.errors.append(f"{where}: the same document is also task {seen[doc_id]}")
            continue
        seen[doc_id] = task.id
        predicted_by_id = {}
        for prediction in _predictions(task):
            spans_of_prediction = prediction_spans(prediction.result, text)
            resolution.predictions.setdefault(prediction.model_version, {})[doc_id] = spans_of_prediction
            predicted_by_id[prediction.id] = spans_of_prediction

        submitted = []
        for annotation in task.annotations:
            if annotation.was_cancelled:
                resolution.cancelled_annotations += 1
                continue
            name = f"{where} annotation {annotation.id}"
            spans = annotation_spans(annotation, text, label_set, where=name, resolution=resolution)
            submitted.append((annotation, spans))
            if not annotation.ground_truth:
                resolution.passes.setdefault(annotation.annotator, {})[doc_id] = spans
        if not submitted:
            resolution.unannotated.append(doc_id)
            continue

        truths = [item for item in submitted if item[0].ground_truth]
        chosen = None
        if truths and len({_keys(s) for _, s in truths}) == 1:
            chosen, how = _latest(truths), "ground_truth"
        elif not truths and len({_keys(s) for _, s in submitted}) == 1:
            chosen, how = _latest(submitted), "single" if len(submitted) == 1 else "agreement"
        elif policy == "latest":
            chosen, how = _latest(truths or submitted), "latest"
        elif policy == "fail":
            count = len(truths or submitted)
            resolution.errors.append(f"{where}: {count} annotations disagree (--on-disagreement fail)")
            continue
        else:
            resolution.disputed.append(doc_id)
            continue
        annotation, spans = chosen
        predicted = max((len(p) for p in predicted_by_id.values()), default=0)
        if not spans and predicted:
            resolution.emptied.append(
                f"{where}: gold has 0 entities: annotation {annotation.id} by {annotation.annotator} has an empty "
                f"result though its predictions held {predicted} (submitted empty by mistake?)"
            )
        entities, rejected = provenance(spans, parent_spans(annotation, predicted_by_id, text))
        annotators = sorted({a.annotator for a, _ in submitted})
        resolution.resolved_by[how] += 1
        resolution.documents.append(
            GoldDocument(doc_id, task.id, task.data, entities, annotators, annotation.updated_at, how, rejected)
        )
    resolution.documents.sort(key=lambda d: d.doc_id)
    return resolution


def check(resolution: Resolution) -> None:
    """Stop the export when any span is invalid: nothing may be written from a bad snapshot."""
    if resolution.errors:
        errors = resolution.errors
        more = f" (and {len(errors) - 1} more; --verbose lists them)" if len(errors) > 1 else ""
        raise ReleaseError(
            f"{len(errors)} problem(s) in the annotations, nothing written: {errors[0]}{more}", details=errors
        )
