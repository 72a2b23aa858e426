"""`feedcorpus train`: fine-tune the default pipeline's ner on a gold release with spaCy's own training.

The release's documents become DocBin files (train/dev/test, as spaCy reads them), the config comes from
`training_config`, and `spacy.training` initialises and trains it. The result is a pipeline folder under
models/, named with the release and a config hash; its meta says what it was trained from. Quality is
measured on data the model did not see: the release's test split, and k-fold cross-validation over
whole near-copy clusters (releases are small; folds over documents leak wire copy), with the fold of every
document written to training/folds.json so the figure can be audited. Deterministic for a given seed.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedcorpus import metrics
from feedcorpus.annotate import training_config
from feedcorpus.annotate.pipeline import DEFAULT_MODEL, load_pipeline
from feedcorpus.annotate.preannotate import annotate
from feedcorpus.documents import Document
from feedcorpus.errors import ModelError
from feedcorpus.fileio import sha256_text, write_json
from feedcorpus.labels import LabelSchema
from feedcorpus.spans import Span


@dataclass(frozen=True)
class GoldDoc:
    id: str
    text: str
    spans: tuple[Span, ...]
    split: str
    cluster: str = ""  # near-copy cluster (release format ≥ 2); "" = the document alone
    fold: int | None = None  # the release's grouped fold (format 3)


@dataclass(frozen=True)
class TrainSettings:
    base: str = DEFAULT_MODEL
    seed: int = 0
    epochs: int = 30
    folds: int | None = None  # None: the release's own folds (format 3), else 5 grouped by cluster
    rehearsal: bool = True


@dataclass
class TrainReport:
    name: str
    path: Path
    model_version: str
    held_out: dict[str, metrics.Score] = field(default_factory=dict)
    held_out_documents: int = 0
    cross_validated: dict[str, metrics.Score] = field(default_factory=dict)
    folds: int = 0
    fold_of: dict[str, int] = field(default_factory=dict)  # the fold each document was held out in
    seconds: float = 0.0
    reused: bool = False


def docbin(docs: list[GoldDoc]) -> Any:
    """Gold documents as a spaCy DocBin; spans are aligned to tokens (expanded) as in the release's tags."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    bin_ = DocBin(store_user_data=False)
    for item in docs:
        doc = nlp.make_doc(item.text)
        ents = [doc.char_span(s.start, s.end, s.label, alignment_mode="expand") for s in item.spans]
        doc.ents = spacy.util.filter_spans([e for e in ents if e is not None])
        bin_.add(doc)
    return bin_


def folds_of(docs: list[GoldDoc], k: int | None) -> list[tuple[list[GoldDoc], list[GoldDoc]]]:
    """(train, held-out) pairs over whole near-copy clusters: the release's `fold` column when it has one and
    no other k is asked for, else `folds.grouped_folds` over the clusters (a document without a
    cluster is its own). Two copies of one story are never on both sides."""
    from feedcorpus.folds import FOLDS, grouped_folds

    if k is None and docs and all(d.fold is not None for d in docs):
        fold = {d.id: int(d.fold or 0) for d in docs}
    else:
        fold = grouped_folds({d.id: d.cluster or d.id for d in docs}, k or FOLDS)
    numbers = sorted(set(fold.values()))
    return [([d for d in docs if fold[d.id] != f], [d for d in docs if fold[d.id] == f]) for f in numbers]


def general_texts() -> list[str]:
    """General-domain English sentences shipped with spaCy: rehearsal text when a project has no other."""
    from spacy.lang.en.examples import sentences

    return list(sentences)


def silver_docs(texts: list[str], schema: LabelSchema, base: str) -> list[GoldDoc]:
    """Pseudo-rehearsal: the base model's own predictions on raw text, mapped to the label set, as training
    documents; mixed with the gold they keep the fine-tuned weights close to what the base model knew."""
    if not texts:
        return []
    pipeline = load_pipeline(base, patterns=[], pattern_paths=[], schema=schema)
    documents = [_document(f"silver-{i}", t) for i, t in enumerate(texts)]
    return [GoldDoc(doc.id, doc.text, tuple(spans), "train") for doc, spans in annotate(pipeline, documents, schema)]


def _document(doc_id: str, text: str) -> Document:
    return Document(doc_id, "", None, None, "", "", None, None, [], text, 0, sha256_text(text), "")


def fit(
    train: list[GoldDoc], dev: list[GoldDoc], workdir: Path, settings: TrainSettings, silver: list[GoldDoc]
) -> Path:
    """Train once in workdir with spaCy's loop; returns the last model's folder (fixed epochs, no selection)."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as spacy_train
    from spacy.util import load_config

    training_config.register()
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    docbin(train + silver).to_disk(corpus / "train.spacy")
    docbin(dev or train).to_disk(corpus / "dev.spacy")
    text = training_config.training_config(base=settings.base, seed=settings.seed, epochs=settings.epochs)
    (workdir / "config.cfg").write_text(text, "utf-8")
    overrides = {f"paths.{k}": str(corpus / f"{k}.spacy") for k in ("train", "dev")}
    config = load_config(workdir / "config.cfg", overrides=overrides, interpolate=False)
    try:
        nlp = init_nlp(config, use_gpu=-1)
        (workdir / "output").mkdir(exist_ok=True)
        spacy_train(nlp, workdir / "output", use_gpu=-1, stdout=io.StringIO(), stderr=io.StringIO())
    except (OSError, ValueError) as exc:
        raise ModelError(f"training failed: {str(exc).splitlines()[0]}") from exc
    return workdir / "output" / "model-last"


def score(model: Path, docs: list[GoldDoc], schema: LabelSchema) -> dict[str, metrics.Score]:
    """P/R/F1 of a trained pipeline alone (no patterns, no rules) on gold documents."""
    pipeline = load_pipeline(str(model), patterns=[], pattern_paths=[], schema=schema)
    documents = [
        Document(d.id, "", None, None, "", "", None, None, [], d.text, 0, sha256_text(d.text), "") for d in docs
    ]
    predicted = {doc.id: spans for doc, spans in annotate(pipeline, documents, schema)}
    return metrics.compare({d.id: list(d.spans) for d in docs}, predicted, schema.names)


def pooled(parts: list[dict[str, metrics.Score]]) -> dict[str, metrics.Score]:
    keys = parts[0].keys() if parts else []
    return {k: metrics.Score(*(sum(getattr(p[k], f) for p in parts) for f in ("tp", "fp", "fn"))) for k in keys}


def train(
    docs: list[GoldDoc],
    models_dir: Path,
    *,
    release: str,
    schema: LabelSchema,
    settings: TrainSettings,
    rehearsal_texts: list[str] | None = None,
    force: bool = False,
    on_progress: Callable[[str], None] | None = None,
) -> TrainReport:
    """Cross-validate, then train the pipeline on the release's train split and score it on its test split."""
    started = time.perf_counter()
    by_split = {s: [d for d in docs if d.split == s] for s in ("train", "validation", "test")}
    silver = silver_docs((rehearsal_texts or []) + general_texts(), schema, settings.base) if settings.rehearsal else []
    config_text = training_config.training_config(base=settings.base, seed=settings.seed, epochs=settings.epochs)
    name = f"{release}-{training_config.config_hash(config_text + repr(settings), schema.names)}"
    target = Path(models_dir) / name
    if (target / "meta.json").exists() and not force:
        pipeline = load_pipeline(str(target), patterns=[], pattern_paths=[], schema=schema)
        return TrainReport(name, target, pipeline.model_version, reused=True)
    report = TrainReport(name, target, "")
    with tempfile.TemporaryDirectory(prefix="feedcorpus-train-") as tmp:
        fold_scores = []
        for number, (fold_train, held_out) in enumerate(folds_of(docs, settings.folds), 1):
            report.fold_of.update({d.id: number - 1 for d in held_out})
            model = fit(fold_train, [], Path(tmp) / f"fold-{number}", settings, silver)
            fold_scores.append(score(model, held_out, schema))
            if on_progress:
                on_progress(f"fold {number}")
        report.folds, report.cross_validated = len(fold_scores), pooled(fold_scores)
        final = fit(by_split["train"], by_split["validation"], Path(tmp) / "final", settings, silver)
        if by_split["test"]:
            report.held_out, report.held_out_documents = score(final, by_split["test"], schema), len(by_split["test"])
        if on_progress:
            on_progress("final model")
        report.model_version = _publish(final, Path(tmp) / "final", target, release, settings, schema)
    report.seconds = time.perf_counter() - started
    write_json(target / "training" / "report.json", _report_json(report, settings))
    write_json(target / "training" / "folds.json", dict(sorted(report.fold_of.items())))
    return report


def _publish(
    model: Path, workdir: Path, target: Path, release: str, settings: TrainSettings, schema: LabelSchema
) -> str:
    """Name the pipeline after what it was trained from and move it into models/ in one rename."""
    import spacy

    nlp = spacy.load(model)
    base_meta = spacy.load(settings.base, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]).meta
    nlp.meta.update(
        name=f"feedcorpus_{target.name.replace('.', '_').replace('-', '_')}",
        version=base_meta.get("version", "0.0.0"),
        description=f"{settings.base} ner fine-tuned on gold release {release} by feedcorpus train",
        sources=[{"name": settings.base}, {"name": f"feedcorpus release {release}"}],
    )
    staging = target.parent / f".{target.name}.tmp"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    nlp.to_disk(staging)
    shutil.copytree(workdir / "corpus", staging / "training" / "corpus")
    shutil.copy(workdir / "config.cfg", staging / "training" / "config.cfg")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return load_pipeline(str(target), patterns=[], pattern_paths=[], schema=schema).model_version


def _report_json(report: TrainReport, settings: TrainSettings) -> dict[str, Any]:
    return {
        "name": report.name,
        "model_version": report.model_version,
        "settings": settings.__dict__,
        "seconds": round(report.seconds, 1),
        "held_out": {
            "documents": report.held_out_documents,
            "scores": {k: s.to_json() for k, s in report.held_out.items()},
        },
        "cross_validated": {
            "folds": report.folds,
            "grouped_by": "near-copy cluster",
            "fold_of": dict(sorted(report.fold_of.items())),
            "scores": {k: s.to_json() for k, s in report.cross_validated.items()},
        },
    }
