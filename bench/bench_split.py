"""Benchmark `split` into the Parquet archive against bare `feedparser.parse` of the same files, in one run.

Synthetic RSS 2.0 and Atom feeds (bench/synthetic.py); every step runs in its own process so its peak
memory is its own. The archive split streams large feeds in bounded batches: its peak memory at the full
size is compared with the same split at a tenth of it. The JSON store (one file per article, plus near-copy
clustering over the store) is measured at the smaller size, for reference.
Single-line feeds (the whole feed on one line, as some CMSs write it) are measured too: a clean one at S and
S/4 articles (peak memory), and one with a single malformed item, which the stream cannot read, so split
falls back to feedparser on the whole file and locates the damaged item (issue 19: that was quadratic).
Goals (issues 14, 19): split/bare ≥ 0.8; peak at N within 1.2× of the peak at N/10, and at S within 1.2× of S/4.
Usage: python bench/bench_split.py [--articles N] [--single-line S]
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
        from feedcorpus.ingest.split import Store, split_feeds
        from feedcorpus.paths import ProjectPaths
        from feedcorpus.stores.archive import ArchiveStore
        from feedcorpus.stores.documents import DocumentSchema, JsonDocumentStore

        store: Store
        if kind.startswith("split-parquet"):
            store = ArchiveStore(Path(out))
        else:
            store = JsonDocumentStore(
                Path(out), DocumentSchema(ProjectPaths(synthetic.REPO).schema("document.schema.json"))
            )
        report = split_feeds([Path(feed)], store)
        damaged = kind == "split-parquet-damaged"
        assert not report.failed_files and len(report.skipped) <= damaged, (report.failed_files, report.skipped[:3])
        count = report.documents
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "items": count, "peak_mb": peak_mb()}))


def row(step: str, size_mb: float, result: dict, ratio: str) -> list[str]:
    return [step, f"{size_mb:.0f}", f"{result['items'] / result['seconds']:,.0f}", f"{result['peak_mb']:,.0f}", ratio]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--single-line", type=int, default=20_000, help="articles in the single-line feeds")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-split-"))
    small = max(args.articles // 10, 1)
    try:
        items = list(synthetic.articles(args.articles))
        print(f"synthetic corpus: {len(items):,} articles, {synthetic.word_count(items):,} words", flush=True)
        rows, results = [], {}
        for fmt in ("rss", "atom"):
            feed, small_feed = tmp / f"feed.{fmt}", tmp / f"small.{fmt}"
            synthetic.WRITERS[fmt](items, feed)
            synthetic.WRITERS[fmt](items[:small], small_feed)
            size_mb = feed.stat().st_size / 1e6
            bare = in_subprocess(Path(__file__), "feedparser", str(feed), "")
            full = in_subprocess(Path(__file__), "split-parquet", str(feed), str(tmp / f"archive-{fmt}"))
            tenth = in_subprocess(Path(__file__), "split-parquet", str(small_feed), str(tmp / f"archive-small-{fmt}"))
            assert full["items"] == bare["items"] == len(items), (full, bare)
            ratio = (full["items"] / full["seconds"]) / (bare["items"] / bare["seconds"])
            memory = full["peak_mb"] / tenth["peak_mb"]
            rows.append(row(f"feedparser.parse {fmt}", size_mb, bare, ""))
            rows.append(row(f"split --store parquet {fmt}", size_mb, full, f"{ratio:.2f}"))
            rows.append(row(f"  same, {small:,} articles", size_mb / 10, tenth, f"peak ×{memory:.2f}"))
            results[fmt] = {"file_mb": size_mb, "feedparser": bare, "split_parquet": full, "split_parquet_tenth": tenth}
        json_store = in_subprocess(Path(__file__), "split-json", str(tmp / "small.rss"), str(tmp / "docs"))
        rows.append(row(f"split (JSON store + clusters) rss, {small:,}", 0, json_store, ""))
        results["json_store_small"] = json_store
        results["single_line"] = single_line(items[: args.single_line], tmp, rows)
        print(table(rows, ["step", "file MB", "articles/s", "peak MB", "split/bare"]))
        save("split", {"articles": len(items), "results": results})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def single_line(items: list[synthetic.SyntheticArticle], tmp: Path, rows: list[list[str]]) -> dict:
    """The feed on one line: clean at S and S/4 articles (peak ratio), and with one malformed item in the middle."""
    feed, quarter, damaged = tmp / "line.rss", tmp / "line-quarter.rss", tmp / "line-damaged.rss"
    for path, part in ((feed, items), (quarter, items[: max(len(items) // 4, 1)])):
        synthetic.write_rss(part, path)
        path.write_text(path.read_text("utf-8").replace("\n", ""), "utf-8")
    text = feed.read_text("utf-8")
    middle = text.index("</title>", text.index("<item>", len(text) // 2))
    damaged.write_text(text[:middle] + "</titl>" + text[middle + len("</title>") :], "utf-8")  # mismatched tag
    size_mb = feed.stat().st_size / 1e6
    full = in_subprocess(Path(__file__), "split-parquet", str(feed), str(tmp / "archive-line"))
    small = in_subprocess(Path(__file__), "split-parquet", str(quarter), str(tmp / "archive-line-quarter"))
    bare = in_subprocess(Path(__file__), "feedparser", str(damaged), "")
    hurt = in_subprocess(Path(__file__), "split-parquet-damaged", str(damaged), str(tmp / "archive-line-damaged"))
    ratio = (hurt["items"] / hurt["seconds"]) / (bare["items"] / bare["seconds"])
    rows.append(row(f"split --store parquet, one line, {len(items):,}", size_mb, full, ""))
    rows.append(
        row(
            f"  same, {small['items']:,} articles",
            size_mb / 4,
            small,
            f"peak ×{full['peak_mb'] / small['peak_mb']:.2f}",
        )
    )
    rows.append(row("feedparser.parse, one line, one bad item", size_mb, bare, ""))
    rows.append(row("split --store parquet, same file", size_mb, hurt, f"{ratio:.2f}"))
    return {
        "file_mb": size_mb,
        "clean": full,
        "clean_quarter": small,
        "damaged_feedparser": bare,
        "damaged_split": hurt,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:])
    else:
        main()
