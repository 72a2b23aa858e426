"""Benchmark `split`: a synthetic feed of N articles (default 100,000) from the seed's paragraphs.

Reports articles/s and peak memory for `split` on the WordPress dump, RSS 2.0 and Atom, and for the XML
formats the ratio to bare `feedparser.parse` of the same file (split's speed ÷ feedparser's speed).
`split --dry-run` (everything but writing the files) separates parsing from the atomic, fsynced writes.
Each step runs in a fresh process. Usage: python bench/bench_split.py [--articles N]
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
from measure import in_subprocess, peak_mb, save, table


def worker(kind: str, feed: str, out: str) -> None:
    start = time.perf_counter()
    if kind == "feedparser":
        import feedparser

        count = len(feedparser.parse(Path(feed).read_bytes()).entries)
    else:
        from feedcorpus.ingest.split import split_feeds
        from feedcorpus.paths import ProjectPaths
        from feedcorpus.stores.documents import DocumentSchema, JsonDocumentStore

        schema = DocumentSchema(ProjectPaths(synthetic.REPO).schema("document.schema.json"))
        report = split_feeds([Path(feed)], JsonDocumentStore(Path(out), schema), dry_run=kind == "split-dry-run")
        assert not report.failed_files and not report.skipped, (report.failed_files, report.skipped[:3])
        count = report.documents
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "items": count, "peak_mb": peak_mb()}))


def row(step: str, size_mb: float, rate: float, peak: float, ratio: str) -> list[str]:
    return [step, f"{size_mb:.0f}", f"{rate:,.0f}", f"{peak:,.0f}", ratio]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-split-"))
    try:
        items = list(synthetic.articles(args.articles))
        print(f"synthetic corpus: {len(items):,} articles, {synthetic.word_count(items):,} words", flush=True)
        rows, results = [], {}
        for fmt, writer in synthetic.WRITERS.items():
            feed = tmp / f"feed.{fmt}"
            writer(items, feed)
            size_mb = feed.stat().st_size / 1e6
            out = tmp / f"docs-{fmt}"
            split = in_subprocess(Path(__file__), "split", str(feed), str(out))
            assert split["items"] == len(items), split
            split_rate = split["items"] / split["seconds"]
            result = {"file_mb": size_mb, "split": split}
            ratio, bare_rate = "", 0.0
            if fmt != "dump":
                bare = in_subprocess(Path(__file__), "feedparser", str(feed), "")
                assert bare["items"] == len(items), bare
                result["feedparser"] = bare
                bare_rate = bare["items"] / bare["seconds"]
                ratio = f"{split_rate / bare_rate:.2f}"
                rows.append(row(f"feedparser.parse {fmt}", size_mb, bare_rate, bare["peak_mb"], ""))
            rows.append(row(f"feedcorpus split {fmt}", size_mb, split_rate, split["peak_mb"], ratio))
            dry = in_subprocess(Path(__file__), "split-dry-run", str(feed), str(tmp / "never-written"))
            result["split_dry_run"] = dry
            dry_rate = dry["items"] / dry["seconds"]
            dry_ratio = f"{dry_rate / bare_rate:.2f}" if fmt != "dump" else ""
            rows.append(row(f"  split --dry-run {fmt} (no files)", size_mb, dry_rate, dry["peak_mb"], dry_ratio))
            results[fmt] = result
            shutil.rmtree(out)
        print(table(rows, ["step", "file MB", "articles/s", "peak MB", "split/bare"]))
        save("split", {"articles": len(items), "results": results})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:])
    else:
        main()
