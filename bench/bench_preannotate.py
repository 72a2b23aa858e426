"""Benchmark `preannotate` against bare `nlp.pipe` with the same components, n_process 1 and 2, in one run.

The corpus is ≥ 150k words of synthetic articles built from the seed's paragraphs. Both sides use the same
loaded pipeline (ner + the domain entity ruler, as `preannotate` loads it); `preannotate` also chunks,
aligns and checks every span and writes the JSONL file. Goal: preannotate/bare ≥ 0.9.
Usage: python bench/bench_preannotate.py [--words N] [--model NAME] [--batch-size N] [--repeat N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import synthetic
from feedcorpus.annotate import preannotate as stage
from feedcorpus.annotate.pipeline import DEFAULT_MODEL, Pipeline
from feedcorpus.annotate.preannotator import build_preannotator
from feedcorpus.documents import Article, Document, make_document
from feedcorpus.labels import load_label_schema
from feedcorpus.paths import ProjectPaths
from feedcorpus.stores.predictions import PredictionStore
from measure import peak_mb, save, table


def documents_from(items: Iterable[synthetic.SyntheticArticle]) -> list[Document]:
    """Synthetic articles as documents, exactly as `split` would make them."""
    return [
        make_document(
            Article(f"item {a.number}", a.title, tuple(a.paragraphs), a.link, a.guid, a.published), feed="synthetic"
        )
        for a in items
    ]


def documents(words: int) -> list[Document]:
    docs: list[Document] = []
    total = 0
    for doc in documents_from(synthetic.articles(words // 50)):
        docs.append(doc)
        total += len(doc.text.split())
        if total >= words:
            return docs
    raise AssertionError("fewer words than asked for")


def quality_against_gold(paths: ProjectPaths, pipeline: Pipeline, schema) -> None:
    """Entity P/R/F1 per label of this pipeline's pre-annotations against the latest gold release."""
    from feedcorpus import metrics
    from feedcorpus.release.compare import entity_spans
    from feedcorpus.release.store import ReleaseStore
    from feedcorpus.stores.documents import JsonDocumentStore

    found = ReleaseStore(paths.annotations).releases()
    if not found:
        print("no gold release yet: no P/R/F1")
        return
    gold = entity_spans(found[-1][1])
    docs = [d for d in JsonDocumentStore(paths.documents).documents() if d.id in gold]
    predicted = {d.id: spans for d, spans in stage.annotate(pipeline, docs, schema)}
    print(f"pre-annotations of {pipeline.model_version} against {found[-1][1].name} gold ({len(docs)} documents):")
    print(metrics.table(metrics.compare(gold, predicted, schema.names)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=150_000)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side; the best is reported")
    args = parser.parse_args()
    paths = ProjectPaths(synthetic.REPO)
    schema = load_label_schema(paths.schema("labels.yaml"))
    pipeline = build_preannotator(paths, schema, model=args.model)
    docs = documents(args.words)
    words = sum(len(d.text.split()) for d in docs)
    print(f"{len(docs):,} documents, {words:,} words; pipeline components: {', '.join(pipeline.nlp.pipe_names)}")
    texts = [d.text for d in docs]
    rows, results = [], {}
    size = args.batch_size
    for n_process in (1, 2):
        bare_times, our_times = [], []
        for _ in range(args.repeat):  # alternate the two, keep the best of each: less noise from the machine
            start = time.perf_counter()
            docs_out = pipeline.nlp.pipe(texts, batch_size=size, n_process=n_process)
            entities = sum(len(doc.ents) for doc in docs_out)
            bare_times.append(time.perf_counter() - start)
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                report = stage.preannotate(
                    docs, PredictionStore(Path(out)), pipeline, schema, batch_size=size, n_process=n_process
                )
                our_times.append(time.perf_counter() - start)
        bare, ours = min(bare_times), min(our_times)
        assert report.annotated == len(docs)
        ratio = bare / ours
        results[n_process] = {"bare_s": bare_times, "preannotate_s": our_times, "spans": report.spans}
        rows.append([f"bare nlp.pipe n_process={n_process}", f"{words / bare:,.0f}", f"{entities:,}", ""])
        spans = report.spans
        rows.append([f"preannotate  n_process={n_process}", f"{words / ours:,.0f}", f"{spans:,}", f"{ratio:.2f}"])
    print(table(rows, ["step", "words/s", "entities/spans", "ratio"]))
    print(f"peak memory of this process: {peak_mb():,.0f} MB")
    quality_against_gold(paths, pipeline, schema)
    save("preannotate", {"words": words, "results": results})


if __name__ == "__main__":
    main()
