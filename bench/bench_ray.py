"""Benchmark the Ray engine against the local engine and bare `nlp.pipe`, on the same archive, in one run.

At each size (150k and 1M words by default), a synthetic archive is split into Parquet shards; then, with
the same pipeline (ner + the domain entity ruler + rules):
  bare   nlp.pipe(texts, n_process=2) over the archive's texts (read beforehand, not timed);
  local  `preannotate` (local engine, n_process=2) on the same documents (read beforehand, not timed):
         aligns and checks every span, writes JSONL;
  ray    `preannotate --engine ray` on a local Ray instance with as many CPUs as this machine, 2 actors:
         reads the shards, annotates in actors, writes prediction shards. Ray's start-up (ray.init) is
         timed apart: on a cluster it is already running.
Goals: local/bare ≥ 0.9 and ray/local ≥ 0.85; both engines must produce the same spans. Ray pays a fixed
start-up per run (its actors start, import spaCy and build the pipeline); the fit of the two sizes says how
much, and from which size on it no longer matters.
Usage: python bench/bench_ray.py [--words N,N…] [--concurrency N] [--shard-rows N]
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


def measure(words_asked: int, args: argparse.Namespace, pipeline, schema, patterns) -> dict:
    """One size: bare, local and Ray on the same archive; returns the figures."""
    import ray

    from feedcorpus.engines.ray import preannotate_ray

    n = args.concurrency
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        articles = build_archive(archive, words_asked, args.shard_rows)
        documents = ArchiveStore(archive).documents()  # read before timing, for bare and local alike
        texts = [d.text for d in documents]
        words = sum(len(t.split()) for t in texts)

        start = time.perf_counter()
        entities = sum(len(doc.ents) for doc in pipeline.nlp.pipe(texts, batch_size=args.batch_size, n_process=n))
        bare = time.perf_counter() - start

        local_store = PredictionStore(Path(tmp) / "local")
        start = time.perf_counter()
        local_report = stage.preannotate(
            documents, local_store, pipeline, schema, batch_size=args.batch_size, n_process=n
        )
        local = time.perf_counter() - start

        ray_store = PredictionStore(Path(tmp) / "ray")
        start = time.perf_counter()  # Ray starts only now: its idle processes would slow the other two down
        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        ray_start = time.perf_counter() - start
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
    return {
        "articles": articles,
        "shards": -(-articles // args.shard_rows),
        "words": words,
        "entities": entities,
        "spans": local_report.spans,
        "ray_spans": ray_report.spans,
        "seconds": {"bare": bare, "local": local, "ray": on_ray, "ray_init": ray_start},
        "identical": same,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", default="150000,1000000", help="sizes to measure, comma-separated")
    parser.add_argument("--concurrency", type=int, default=2, help="Ray actors and local worker processes")
    parser.add_argument("--shard-rows", type=int, default=1000, help="articles per archive shard")
    parser.add_argument("--batch-size", type=int, default=32, help="nlp.pipe batch size, on every side")
    args = parser.parse_args()
    paths = ProjectPaths(synthetic.REPO)
    schema = load_label_schema(paths.schema("labels.yaml"))
    pipeline = build_preannotator(paths, schema, model=DEFAULT_MODEL)
    patterns = reference_patterns(paths, schema).patterns
    n = args.concurrency
    print(f"{os.cpu_count()} CPUs")
    rows, results = [], []
    for size in (int(w) for w in args.words.split(",")):
        r = measure(size, args, pipeline, schema, patterns)
        results.append(r)
        t, words = r["seconds"], r["words"]
        label = f"{words:,} words"
        rows += [
            [f"{label}: bare nlp.pipe n_process={n}", f"{words / t['bare']:,.0f}", f"{r['entities']:,}", ""],
            [f"{label}: local engine n_process={n}", f"{words / t['local']:,.0f}", f"{r['spans']:,}",
             f"{t['bare'] / t['local']:.2f}"],
            [f"{label}: ray engine, {n} actors", f"{words / t['ray']:,.0f}", f"{r['ray_spans']:,}",
             f"{t['local'] / t['ray']:.2f}"],
        ]  # fmt: skip
    print(table(rows, ["step", "words/s", "entities/spans", "ratio"]))
    print("ratios: local/bare (goal ≥ 0.9), ray/local (goal ≥ 0.85)")
    fit = {}
    if len(results) >= 2:  # ray seconds = fixed + words / rate, from the smallest and largest sizes
        (w1, t1), (w2, t2) = ((r["words"], r["seconds"]["ray"]) for r in (results[0], results[-1]))
        rate = (w2 - w1) / (t2 - t1)
        fit = {"fixed_s": t1 - w1 / rate, "words_per_s": rate}
        print(
            f"ray engine ≈ {fit['fixed_s']:.1f} s fixed (actors start: worker processes, spaCy import, pipeline "
            f"build) + {rate:,.0f} words/s"
        )
    print("ray spans identical to local spans: " + ", ".join(str(r["identical"]) for r in results))
    largest = results[-1]
    per_core = largest["words"] / largest["seconds"]["local"] / n
    print(f"per core (local engine, largest size): {per_core:,.0f} words/s")
    print(
        f"1M articles × 500 words = 5e8 words: {5e8 / per_core / 3600:,.1f} core-hours; "
        f"{5e8 / per_core / 3600 / 32:,.1f} h on a 4-node × 8-CPU Ray cluster at the same per-core speed"
    )
    init = ", ".join(f"{r['seconds']['ray_init']:.1f}" for r in results)
    print(f"ray.init, not counted above (a local instance; a cluster is already up): {init} s")
    save("ray", {"cpus": os.cpu_count(), "sizes": results, "fit": fit})
    if not all(r["identical"] for r in results):
        raise SystemExit("the Ray engine's spans differ from the local engine's")


if __name__ == "__main__":
    main()
