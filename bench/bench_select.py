"""Benchmark `feedcorpus select` on archives of growing size: time and peak memory, in one run.

At each size a synthetic archive (seed paragraphs reshuffled, 5% near-copies) is split into Parquet shards
and given two prediction sets: the reference patterns (a blank English pipeline with the domain
EntityRuler: fast, so the archive can be large) and, as the set to --compare, the same spans with every
fifth one dropped. Then `select 200 --compare` runs in a fresh process: it streams the predictions once,
keeps a bounded pool, clusters only that pool with gold, and holds the store's fingerprints and the compared
spans (8 bytes each) for every document. Both sizes exceed the pool (max(20 × N, 1000)), so the growth of
peak memory and time between them is what each further document costs; it says what a 1,000,000-article
archive needs.
Usage: python bench/bench_select.py [--articles N,N…] [--count N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import synthetic
from measure import in_subprocess, peak_mb, save, table

MAIN, OTHER = "patterns-1", "patterns-fewer-1"


def build(project: Path, count: int) -> dict[str, int]:
    """A project folder with the real schemas and releases, a Parquet archive and two prediction sets."""
    import spacy

    from feedcorpus.cli import cli
    from feedcorpus.labels import load_label_schema
    from feedcorpus.paths import ProjectPaths
    from feedcorpus.spans import Span
    from feedcorpus.stores.archive import ArchiveStore
    from feedcorpus.stores.predictions import PredictionRecord, PredictionStore

    (project / "schemas").symlink_to(synthetic.REPO / "schemas", target_is_directory=True)
    (project / "annotations").symlink_to(synthetic.REPO / "annotations", target_is_directory=True)
    feed = project / "archive.xml"
    synthetic.write_rss(list(synthetic.articles(count, seed=5, copies=0.05)), feed)
    cli.main(["split", "-q", "--store", "parquet", str(feed), "--project-dir", str(project)], standalone_mode=False)
    feed.unlink()
    paths = ProjectPaths(project)
    from feedcorpus.annotate.preannotator import reference_patterns

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(
        reference_patterns(paths, load_label_schema(paths.schema("labels.yaml"))).patterns
    )
    documents = list(ArchiveStore(paths.archive).documents())
    main, other, spans = [], [], 0
    for document, doc in zip(documents, nlp.pipe(d.text for d in documents), strict=True):
        found = tuple(Span(e.start_char, e.end_char, e.label_, e.text, "pattern") for e in doc.ents)
        spans += len(found)
        main.append(PredictionRecord(document.id, document.sha256, MAIN, found))
        fewer = tuple(span for i, span in enumerate(found) if i % 5)
        other.append(PredictionRecord(document.id, document.sha256, OTHER, fewer))
    store = PredictionStore(paths.predictions)
    store.write(MAIN, main)
    store.write(OTHER, other)
    return {"documents": len(documents), "spans": spans}


def worker(mode: str, project: str, count: str) -> None:
    """`held`: the RSS growth of what select holds per document (the store's fingerprints, the compared
    spans); `select`: the whole command, its time and peak."""
    if mode == "held":
        from feedcorpus.paths import ProjectPaths
        from feedcorpus.selection.features import span_keys
        from feedcorpus.stores.archive import ArchiveStore
        from feedcorpus.stores.predictions import PredictionStore

        paths = ProjectPaths(Path(project))
        before = current_mb()
        fingerprints = ArchiveStore(paths.archive).fingerprints()
        other = {r.doc_id: span_keys(r.spans) for r in PredictionStore(paths.predictions).records(OTHER)}
        print(json.dumps({"held_mb": current_mb() - before, "held": len(fingerprints) + len(other)}))
        return
    from feedcorpus.cli import cli

    start = time.perf_counter()
    args = ["select", count, "--predictions", MAIN, "--compare", OTHER, "--dry-run", "--project-dir", project]
    with open(os.devnull, "w") as quiet:
        stdout, sys.stdout = sys.stdout, quiet
        try:
            cli.main(args, standalone_mode=False)
        finally:
            sys.stdout = stdout
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}))


def current_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="10000,40000", help="archive sizes, comma-separated")
    parser.add_argument("--count", type=int, default=200, help="documents to select")
    args = parser.parse_args()
    results = []
    for size in (int(a) for a in args.articles.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            made = build(Path(tmp), size)
            held = in_subprocess(Path(__file__), "held", tmp, str(args.count))
            measured = in_subprocess(Path(__file__), "select", tmp, str(args.count))
        results.append({**made, **held, **measured})
    rows = [
        [
            f"{r['documents']:,}",
            f"{r['spans']:,}",
            f"{r['seconds']:.1f}",
            f"{r['peak_mb']:,.0f}",
            f"{r['held_mb']:,.0f}",
        ]
        for r in results
    ]
    print(f"{os.cpu_count()} CPUs; select {args.count} --compare, in a fresh process")
    print(table(rows, ["documents", "spans", "seconds", "peak MB", "held for all documents, MB"]))
    fit = {}
    if len(results) >= 2:
        a, b = results[0], results[-1]
        docs = b["documents"] - a["documents"]
        held_per_doc = (b["held_mb"] - a["held_mb"]) * 2**20 / docs
        seconds_per_doc = (b["seconds"] - a["seconds"]) / docs
        spans_per_doc = b["spans"] / b["documents"]
        scale = 500 / 154  # the synthetic articles average ~154 words; the estimate is for ~500-word articles
        held_at_500 = held_per_doc + 8 * spans_per_doc * (scale - 1)  # 8 bytes per further compared span
        bounded_mb = b["peak_mb"] - b["held_mb"]  # imports, gold, the pool and its clustering: not per document
        fit = {"held_bytes_per_document": held_per_doc, "seconds_per_document": seconds_per_doc}
        print(
            f"per document: {held_per_doc:,.0f} bytes held ({spans_per_doc:.0f} compared spans each), "
            f"{seconds_per_doc * 1e6:,.0f} µs; the rest of the peak ({bounded_mb:,.0f} MB: the pool of "
            f"{max(20 * args.count, 1000):,} and its clustering) is bounded by the pool"
        )
        print(
            f"1M articles of ~500 words (≈{spans_per_doc * scale:.0f} spans each): ≈"
            f"{(bounded_mb * 2**20 + held_at_500 * 1e6) / 2**30:.1f} GB peak, "
            f"≈{seconds_per_doc * scale * 1e6 / 60:.0f} min (time scaled by {scale:.1f}, an upper bound)"
        )
    save("select", {"cpus": os.cpu_count(), "count": args.count, "sizes": results, "fit": fit})


if __name__ == "__main__":
    main()
