"""Benchmark near-copy clustering: synthetic articles with injected near-copies, in one run.

Reports, each step in its own process: clustering alone (datasketch MinHash LSH, paragraph and document
level) — time, peak memory, recall of the injected copy pairs and the links it made that no injection
explains — and `feedcorpus split` of the same articles from an RSS feed (which clusters the store after
writing), so the cost of clustering is seen relative to splitting.
Usage: python bench/bench_clusters.py [--articles N] [--copies SHARE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import synthetic
from feedcorpus.documents import Article, make_document
from measure import in_subprocess, peak_mb, save, table


def items(count: int, copies: float) -> list[synthetic.SyntheticArticle]:
    return list(synthetic.articles(count, copies=copies))


def worker(kind: str, count: str, copies: str, feed: str, out: str) -> None:
    start = time.perf_counter()
    if kind == "cluster":
        from feedcorpus.nearcopies import cluster_documents

        made = items(int(count), float(copies))
        docs = [
            make_document(
                Article(f"item {a.number}", a.title, tuple(a.paragraphs), a.link, a.guid, a.published), feed="b"
            )
            for a in made
        ]
        start = time.perf_counter()
        clustering = cluster_documents((d.id, d.text, d.body_offset) for d in docs)
        seconds = time.perf_counter() - start
        cluster = clustering.cluster_of
        ids = {a.number: d.id for a, d in zip(made, docs, strict=True)}
        injected = [(ids[a.number], ids[a.copy_of]) for a in made if a.copy_of is not None]
        found = sum(1 for a, b in injected if cluster[a] == cluster[b])
        root = {}
        for a in made:  # the injected copy graph's own components: what a perfect clustering would give
            root[a.number] = root[a.copy_of] if a.copy_of is not None else a.number
        expected = {ids[n]: r for n, r in root.items()}
        extra = sum(1 for d, c in cluster.items() if expected[d] != expected[c])
        result = {"seconds": seconds, "items": len(docs), "peak_mb": peak_mb(), "injected": len(injected)}
        print(json.dumps({**result, "recalled": found, "unexplained": extra, "links": len(clustering.links)}))
        return
    from feedcorpus.ingest.split import split_feeds
    from feedcorpus.paths import ProjectPaths
    from feedcorpus.stores.documents import DocumentSchema, JsonDocumentStore

    schema = DocumentSchema(ProjectPaths(synthetic.REPO).schema("document.schema.json"))
    report = split_feeds([Path(feed)], JsonDocumentStore(Path(out), schema))
    print(json.dumps({"seconds": time.perf_counter() - start, "items": report.documents, "peak_mb": peak_mb()}))


def row(step: str, result: dict) -> list[str]:
    rate = result["items"] / result["seconds"]
    return [step, f"{result['seconds']:.1f}", f"{rate:,.0f}", f"{result['peak_mb']:,.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--copies", type=float, default=0.05)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-clusters-"))
    try:
        made = items(args.articles, args.copies)
        feed = tmp / "feed.xml"
        synthetic.WRITERS["rss"](made, feed)
        print(f"{len(made):,} articles, {sum(a.copy_of is not None for a in made):,} injected near-copies", flush=True)
        cluster = in_subprocess(Path(__file__), "cluster", str(args.articles), str(args.copies), "", "")
        split = in_subprocess(
            Path(__file__), "split", str(args.articles), str(args.copies), str(feed), str(tmp / "docs")
        )
        recall = cluster["recalled"] / cluster["injected"] if cluster["injected"] else 1.0
        rows = [row("clustering alone", cluster), row("split (RSS → JSON store, clustering included)", split)]
        print(table(rows, ["step", "seconds", "articles/s", "peak MB"]))
        print(
            f"recall of injected copy pairs: {recall:.3f} ({cluster['recalled']:,} of {cluster['injected']:,}); "
            f"documents clustered with a document no injection links them to: {cluster['unexplained']:,}; "
            f"clustering/split time ratio {cluster['seconds'] / split['seconds']:.2f}"
        )
        save("clusters", {"articles": args.articles, "copies": args.copies, "cluster": cluster, "split": split})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:])
    else:
        main()
