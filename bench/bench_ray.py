"""Benchmark the Ray engine against the local engine and bare `nlp.pipe`, on the same archive, in one run.

A synthetic archive (≥ 150k words) is split into Parquet shards; then, with the same pipeline (ner + the
domain entity ruler + rules):
  bare   nlp.pipe(texts, n_process=2) over the archive's texts (read beforehand, not timed);
  local  `preannotate` (local engine, n_process=2): reads the archive, aligns and checks spans, writes JSONL;
  ray    `preannotate --engine ray` on a local Ray instance with as many CPUs as this machine, 2 actors:
         reads the shards, annotates in actors, writes prediction shards. Ray's start-up (ray.init) is
         timed apart: on a cluster it is already running.
Goals: local/bare ≥ 0.9 and ray/local ≥ 0.85; both engines must produce the same spans.
Usage: python bench/bench_ray.py [--words N] [--concurrency N] [--shard-rows N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import synthetic
from feedcorpus.annotate import preannotate as stage
from feedcorpus.annotate.pipeline import DEFAULT_MODEL
from feedcorpus.annotate.preannotator import build_preannotator, reference_patterns
from feedcorpus.labels import load_label_schema
from feedcorpus.paths import ProjectPaths
from feedcorpus.stores.archive import ArchiveStore
from feedcorpus.stores.predictions import PredictionStore, read_shards
from measure import save, table


def build_archive(folder: Path, words: int, shard_rows: int) -> int:
    """A Parquet archive of synthetic articles with at least `words` words; returns the article count."""
    from bench_preannotate import documents

    store = ArchiveStore(folder, shard_rows=shard_rows)
    docs = documents(words)
    for doc in docs:
        store.put(doc)
    store.close()
    return len(docs)


def main() -> None:
    import ray

    from feedcorpus.engines.ray import preannotate_ray

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--concurrency", type=int, default=2, help="Ray actors and local worker processes")
    parser.add_argument("--shard-rows", type=int, default=1000, help="articles per archive shard")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    paths = ProjectPaths(synthetic.REPO)
    schema = load_label_schema(paths.schema("labels.yaml"))
    pipeline = build_preannotator(paths, schema, model=DEFAULT_MODEL)
    patterns = reference_patterns(paths, schema).patterns
    n = args.concurrency
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        articles = build_archive(archive, args.words, args.shard_rows)
        docs = ArchiveStore(archive).documents()
        texts = [d.text for d in docs]
        words = sum(len(t.split()) for t in texts)
        shards = len(ArchiveStore(archive).shards())
        print(f"{articles:,} articles, {words:,} words in {shards} shards; {os.cpu_count()} CPUs")

        start = time.perf_counter()
        entities = sum(len(doc.ents) for doc in pipeline.nlp.pipe(texts, batch_size=args.batch_size, n_process=n))
        bare = time.perf_counter() - start

        local_store = PredictionStore(Path(tmp) / "local")
        start = time.perf_counter()
        local_report = stage.preannotate(
            ArchiveStore(archive).documents(), local_store, pipeline, schema, batch_size=32, n_process=n
        )
        local = time.perf_counter() - start

        start = time.perf_counter()
        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        ray_start = time.perf_counter() - start
        ray_store = PredictionStore(Path(tmp) / "ray")
        start = time.perf_counter()
        ray_report = preannotate_ray(
            archive,
            ray_store,
            model=DEFAULT_MODEL,
            model_version=pipeline.model_version,
            patterns=patterns,
            rules=True,
            schema=schema,
            concurrency=n,
            batch_size=args.batch_size,
        )
        on_ray = time.perf_counter() - start
        ray.shutdown()

        same = local_store.read(pipeline.model_version) == {
            r.doc_id: r for r in read_shards(ray_store.shard_folder(pipeline.model_version))
        }
    rows = [
        [f"bare nlp.pipe n_process={n}", f"{words / bare:,.0f}", f"{entities:,}", ""],
        [f"local engine n_process={n}", f"{words / local:,.0f}", f"{local_report.spans:,}", f"{bare / local:.2f}"],
        [f"ray engine {n} actors", f"{words / on_ray:,.0f}", f"{ray_report.spans:,}", f"{local / on_ray:.2f}"],
        ["ray incl. ray.init", f"{words / (on_ray + ray_start):,.0f}", "", f"{local / (on_ray + ray_start):.2f}"],
    ]
    print(table(rows, ["step", "words/s", "entities/spans", "ratio"]))
    print("ratios: local/bare (goal ≥ 0.9), ray/local (goal ≥ 0.85)")
    print(f"ray spans identical to local spans: {same}")
    per_core = words / local / n
    print(
        f"per core {per_core:,.0f} words/s: 1M articles of 500 words = {5e8 / per_core / 3600:,.1f} core-hours, "
        f"{5e8 / per_core / 3600 / 32:,.1f} h of wall time on 4 nodes × 8 cores"
    )
    save(
        "ray",
        {
            "words": words,
            "articles": articles,
            "cpus": os.cpu_count(),
            "seconds": {"bare": bare, "local": local, "ray": on_ray, "ray_init": ray_start},
            "identical": same,
        },
    )
    if not same:
        raise SystemExit("the Ray engine's spans differ from the local engine's")


if __name__ == "__main__":
    main()
