"""The `preannotate` stage: documents → spans predicted by the pipeline, stored as predictions.

Long documents are cut at paragraph breaks into chunks below nlp.max_length, and offsets are shifted back
onto the full text. Spans from the statistical model are trimmed by the guidelines' boundary rules;
pattern spans are kept as the patterns say.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedcorpus.annotate.pipeline import Pipeline
from feedcorpus.annotate.rules import apply_rules
from feedcorpus.documents import PARAGRAPH_SEPARATOR, Document
from feedcorpus.labels import LabelSchema
from feedcorpus.spans import Span, check_span, trimmed
from feedcorpus.stores.predictions import PredictionRecord, PredictionStore

CHUNK_CHARS = 100_000  # spaCy needs ~1 GB per 100k characters for NER; longer texts are cut at paragraphs
# nlp.pipe holds a whole batch of texts at once, so memory follows characters per batch, not documents: a
# long document is cut into chunks small enough that a full batch stays under this many characters.
BATCH_CHARS = 320_000
MIN_CHUNK = 2_000


def chunk_limit(batch_size: int, max_length: int) -> int:
    """The longest text piece given to nlp.pipe: one batch of them stays under BATCH_CHARS."""
    return max(MIN_CHUNK, min(CHUNK_CHARS, max_length, BATCH_CHARS // max(batch_size, 1)))


@dataclass
class PreannotateReport:
    model_version: str
    path: Path
    annotated: int = 0
    reused: int = 0
    removed: int = 0
    spans: int = 0
    written: bool = False
    by_label: dict[str, int] = field(default_factory=dict)


def chunk_text(text: str, limit: int = CHUNK_CHARS) -> list[tuple[str, int]]:
    """Cut text at paragraph breaks into (chunk, offset) pieces no longer than limit (a single longer
    paragraph is cut at its last whitespace before the limit)."""
    if len(text) <= limit:
        return [(text, 0)]
    chunks: list[tuple[str, int]] = []
    start = 0
    while start < len(text):
        if len(text) - start <= limit:
            chunks.append((text[start:], start))
            break
        window_end = start + limit
        cut = text.rfind(PARAGRAPH_SEPARATOR, start + 1, window_end)
        if cut == -1:
            cut = max(text.rfind(" ", start + 1, window_end), text.rfind("\n", start + 1, window_end))
        if cut <= start:
            cut = window_end
        chunks.append((text[start:cut], start))
        start = cut
    return chunks


def doc_spans(doc: Any, offset: int, full_text: str, schema: LabelSchema) -> list[Span]:
    """Spans of one processed chunk, mapped to the corpus labels, trimmed, shifted onto the full text."""
    spans = []
    for ent in doc.ents:
        label = schema.map_spacy_label(ent.label_)
        if label is None:
            continue
        source = "pattern" if ent.ent_id_ else "model"
        start, end = ent.start_char + offset, ent.end_char + offset
        kb_id = ent.ent_id_ if label == "ARMED_GROUP" and ent.ent_id_ else None  # the actor's registry id
        span = Span(start, end, label, full_text[start:end], source, kb_id=kb_id)
        span = trimmed(full_text, span) if source == "model" else span
        check_span(full_text, span)
        spans.append(span)
    return spans


def _checked(document: Document, span: Span) -> bool:
    check_span(document.text, span)
    return True


def annotate(
    pipeline: Pipeline,
    documents: list[Document],
    schema: LabelSchema,
    *,
    batch_size: int = 32,
    n_process: int = 1,
    on_document: Callable[[Document], None] | None = None,
) -> Iterator[tuple[Document, list[Span]]]:
    """Yield (document, spans) in input order; nlp.pipe does the batching and the worker processes."""

    # Plain texts go to nlp.pipe, their (document, offset, chunks left) wait in a queue: with as_tuples=True
    # spaCy tokenizes in the main process and ships Doc objects to the workers, which costs ~15 % with
    # n_process=2 on two cores. nlp.pipe keeps the input order, so the queue stays aligned.
    pending_context: deque[tuple[int, int, int]] = deque()
    limit = chunk_limit(batch_size, pipeline.nlp.max_length)

    def texts() -> Iterator[str]:
        for index, document in enumerate(documents):
            chunks = chunk_text(document.text, limit)
            for number, (chunk, offset) in enumerate(chunks):
                pending_context.append((index, offset, len(chunks) - number - 1))
                yield chunk

    pending: list[Span] = []
    for doc in pipeline.nlp.pipe(texts(), batch_size=batch_size, n_process=n_process):
        index, offset, remaining = pending_context.popleft()
        document = documents[index]
        pending += doc_spans(doc, offset, document.text, schema)
        if remaining == 0:
            if on_document:
                on_document(document)
            if pipeline.rules:
                pending = [s for s in apply_rules(document.text, pending, pipeline.rules) if _checked(document, s)]
            yield document, sorted(pending, key=lambda s: (s.start, s.end, s.label))
            pending = []


def preannotate(
    documents: list[Document],
    store: PredictionStore,
    pipeline: Pipeline,
    schema: LabelSchema,
    *,
    batch_size: int = 32,
    n_process: int = 1,
    dry_run: bool = False,
    on_document: Callable[[Document], None] | None = None,
) -> PreannotateReport:
    """Annotate the documents that have no up-to-date prediction and rewrite the file only if anything changed."""
    version = pipeline.model_version
    existing = store.read(version)
    report = PreannotateReport(model_version=version, path=store.path(version))
    todo = [d for d in documents if (old := existing.get(d.id)) is None or old.doc_sha256 != d.sha256]
    report.removed = len(set(existing) - {d.id for d in documents})
    report.reused = len(documents) - len(todo)
    fresh = {}
    for document, spans in annotate(
        pipeline, todo, schema, batch_size=batch_size, n_process=n_process, on_document=on_document
    ):
        fresh[document.id] = PredictionRecord(document.id, document.sha256, version, tuple(spans))
        report.annotated += 1
    records = [fresh.get(d.id) or existing[d.id] for d in documents]
    for record in records:
        report.spans += len(record.spans)
        for span in record.spans:
            report.by_label[span.label] = report.by_label.get(span.label, 0) + 1
    if (fresh or report.removed or not report.path.exists()) and not dry_run:
        store.write(version, records)
        report.written = True
    return report
