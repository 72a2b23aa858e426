"""Gold resolution: which annotation of a Label Studio task is the gold one, and is it valid.

Pure logic over the export snapshot's JSON (a list of tasks), so it is tested on crafted exports.

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

from feedcorpus.errors import ReleaseError
from feedcorpus.regions import region_to_span
from feedcorpus.release.provenance import PROVENANCE, parent_spans, prediction_spans, provenance
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
    errors: list[str] = field(default_factory=list)
    predictions: dict[str, dict[str, list[Span]]] = field(default_factory=dict)  # model_version → doc → spans
    passes: dict[str, dict[str, list[Span]]] = field(default_factory=dict)  # annotator → doc → spans (non-GT)

    def provenance(self) -> Counter[str]:
        counts: Counter[str] = Counter(e.provenance or "added" for d in self.documents for e in d.entities)
        counts["rejected"] = sum(d.rejected for d in self.documents)
        return Counter({k: counts.get(k, 0) for k in (*PROVENANCE, "rejected")})


def account(completed_by: Any) -> str:
    """A readable, non-identifying annotator name: the email's local part, else user-<id>."""
    if isinstance(completed_by, dict):
        email = completed_by.get("email") or ""
        if email:
            return email.split("@", 1)[0]
        return f"user-{completed_by.get('id')}"
    return f"user-{completed_by}"


def _normalise(value: str) -> str:
    """Label Studio's value.text collapses whitespace runs and may escape newlines as a literal \\n."""
    return re.sub(r"\s+", " ", value.replace("\\n", " ")).strip()


def annotation_spans(
    annotation: dict[str, Any], text: str, labels: set[str], *, where: str, resolution: Resolution
) -> list[Span]:
    """The annotation's labels regions as checked spans; problems go to resolution.errors."""
    spans = []
    for region in annotation.get("result") or []:
        span = region_to_span(region) if isinstance(region, dict) else None
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


def _latest(items: list[tuple[dict[str, Any], list[Span]]]) -> tuple[dict[str, Any], list[Span]]:
    return max(items, key=lambda pair: (str(pair[0].get("updated_at") or ""), pair[0].get("id") or 0))


def resolve(tasks: list[dict[str, Any]], labels: Iterable[str], *, policy: str = "exclude") -> Resolution:
    """Apply the gold policy to every task of a Label Studio export; validation problems are collected."""
    if policy not in POLICIES:
        raise ValueError(f"unknown disagreement policy {policy!r}; one of {', '.join(POLICIES)}")
    label_set = set(labels)
    resolution = Resolution(tasks=len(tasks))
    seen: dict[str, int] = {}
    for task in tasks:
        data = task.get("data") or {}
        task_id = task.get("id")
        doc_id, text = data.get("doc_id"), data.get("text")
        where = f"task {task_id} ({doc_id})"
        if not isinstance(doc_id, str) or not isinstance(text, str):
            resolution.errors.append(f"task {task_id}: data has no doc_id/text; was it pushed by feedcorpus?")
            continue
        if doc_id in seen:
            resolution.errors.append(f"{where}: the same document is also task {seen[doc_id]}")
            continue
        if not isinstance(task_id, int):
            resolution.errors.append(f"{where}: the task has no integer id")
            continue
        seen[doc_id] = task_id
        predicted_by_id = {}
        for prediction in task.get("predictions") or []:
            version = str(prediction.get("model_version") or "unknown")
            spans_of_prediction = prediction_spans(prediction, text)
            resolution.predictions.setdefault(version, {})[doc_id] = spans_of_prediction
            predicted_by_id[prediction.get("id")] = spans_of_prediction

        submitted = []
        for annotation in task.get("annotations") or task.get("completions") or []:  # completions: LS ≤ 0.9
            if annotation.get("was_cancelled"):
                resolution.cancelled_annotations += 1
                continue
            name = f"{where} annotation {annotation.get('id')}"
            spans = annotation_spans(annotation, text, label_set, where=name, resolution=resolution)
            submitted.append((annotation, spans))
            if not annotation.get("ground_truth"):
                resolution.passes.setdefault(account(annotation.get("completed_by")), {})[doc_id] = spans
        if not submitted:
            resolution.unannotated.append(doc_id)
            continue

        truths = [item for item in submitted if item[0].get("ground_truth")]
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
        entities, rejected = provenance(spans, parent_spans(annotation, predicted_by_id, text))
        annotators = sorted({account(a.get("completed_by")) for a, _ in submitted})
        resolution.resolved_by[how] += 1
        resolution.documents.append(
            GoldDocument(
                doc_id,
                task_id,
                data,
                entities,
                annotators,
                annotation.get("updated_at") or annotation.get("created_at"),
                how,
                rejected,
            )
        )
    resolution.documents.sort(key=lambda d: d.doc_id)
    return resolution


def check(resolution: Resolution) -> None:
    """Stop the export when any span is invalid: nothing may be written from a bad snapshot."""
    if resolution.errors:
        shown = "\n  ".join(resolution.errors[:20])
        more = f"\n  … and {len(resolution.errors) - 20} more" if len(resolution.errors) > 20 else ""
        raise ReleaseError(f"{len(resolution.errors)} problem(s) in the annotations, nothing written:\n  {shown}{more}")
