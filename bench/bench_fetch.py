"""Benchmark `fetch` against bare httpx download + `split` of the same feed, both served on loopback, in one run.

A synthetic RSS feed (bench/synthetic.py) is served by a static HTTP server in this process; every measured
step runs in its own process (its peak memory is its own). `fetch` (robots.txt, pacing with no delay, the
streamed body hashed and counted into a snapshot, the fetch log, then the split into the Parquet archive) is
compared with `httpx` streaming the body to a file and `split_feeds` into the same kind of store. Memory:
`fetch --no-split` of a LARGE response against the same at a tenth of its size (flat: the body is streamed
to disk, never held), with `httpx.get` holding the whole body for reference.
Speed is the best of --repeat runs taking turns, in wall-clock and in the worker's CPU time (on a shared
machine the wall clock mostly measures the neighbours).
Goals (issue 20): fetch/bare ≥ 0.9 on 20,000 items; peak memory at LARGE within 1.2× of the peak at LARGE/10.
Usage: python bench/bench_fetch.py [--items N] [--large-mb M] [--repeat R]
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import synthetic
from measure import in_subprocess, peak_mb, save, table

CONTACT = "https://example.org/feedcorpus-benchmark"


def worker(kind: str, url: str, out: str) -> None:
    if kind == "write":  # url is "ITEMS:SEED": the feed is made here, so the parent never holds it
        count, seed = (int(v) for v in url.split(":"))
        synthetic.write_rss(list(synthetic.articles(count, seed=seed)), Path(out))
        print(json.dumps({"seconds": 0, "cpu_seconds": 0, "items": count, "peak_mb": peak_mb()}))
        return
    import httpx

    from feedcorpus.ingest.fetch import FetchRun
    from feedcorpus.ingest.http import Policy, PoliteClient
    from feedcorpus.ingest.sources import Source
    from feedcorpus.ingest.split import split_feeds
    from feedcorpus.stores.archive import ArchiveStore

    folder = Path(out)
    start, cpu_start = time.perf_counter(), time.process_time()
    items = 0
    if kind == "bare":
        feed = folder / "feed.xml"
        folder.mkdir(parents=True, exist_ok=True)
        with httpx.Client() as client, client.stream("GET", url) as response, feed.open("wb") as sink:
            response.raise_for_status()
            for chunk in response.iter_bytes(65_536):
                sink.write(chunk)
        report = split_feeds([feed], ArchiveStore(folder / "archive"))
        assert not report.failed_files, report.failed_files
        items = report.documents
    elif kind == "httpx-get":
        items = len(httpx.get(url, timeout=600).content)  # the whole body in memory, for reference
    else:
        client = PoliteClient(Policy(CONTACT, delay=0.0, timeout=600, max_bytes=2**31))
        store = ArchiveStore(folder / "archive") if kind == "fetch" else None
        fetched = FetchRun(client, folder / "feeds", store, store_kind="parquet").run([Source("bench", url)])
        client.close()
        assert not fetched.failed, fetched.failed
        items = fetched.split.documents if fetched.split else sum(1 for o in fetched.outcomes if o.result == "new")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "items": items, "peak_mb": peak_mb()}))


def serve(folder: Path) -> ThreadingHTTPServer:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def best(urls: dict[str, str], tmp: Path, repeat: int) -> dict[str, dict]:
    """Each step `repeat` times, the steps taking turns (a machine's load changes); the fastest run of each."""
    runs: dict[str, list[dict]] = {kind: [] for kind in urls}
    for n in range(repeat):
        for kind, url in urls.items():
            out = tmp / f"{kind}-{n}"
            runs[kind].append(in_subprocess(Path(__file__), kind, url, str(out)))
            shutil.rmtree(out, ignore_errors=True)
    return {
        kind: {**min(found, key=lambda r: r["seconds"]), "cpu_seconds": min(r["cpu_seconds"] for r in found)}
        for kind, found in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--large-mb", type=float, default=200.0)
    parser.add_argument("--repeat", type=int, default=4)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
    www = tmp / "www"
    www.mkdir()
    try:
        write = Path(__file__), "write"
        in_subprocess(*write, f"{args.items}:7", str(www / "feed.xml"))
        size_mb = (www / "feed.xml").stat().st_size / 1e6
        large = max(int(args.large_mb * 1e6 / ((www / "feed.xml").stat().st_size / args.items)), 10)
        in_subprocess(*write, f"{large}:11", str(www / "large.xml"))
        in_subprocess(*write, f"{max(large // 10, 1)}:11", str(www / "tenth.xml"))
        large_mb = (www / "large.xml").stat().st_size / 1e6
        print(f"feed: {args.items:,} items, {size_mb:.1f} MB; large response {large_mb:.0f} MB", flush=True)
        server = serve(www)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        results = best({"bare": f"{base}/feed.xml", "fetch": f"{base}/feed.xml"}, tmp, args.repeat)
        for name, path in (("large", "large.xml"), ("tenth", "tenth.xml")):
            results[f"fetch-no-split-{name}"] = best({"fetch-no-split": f"{base}/{path}"}, tmp, 1)["fetch-no-split"]
        results["httpx-get-large"] = best({"httpx-get": f"{base}/large.xml"}, tmp, 1)["httpx-get"]
        server.shutdown()
        bare, fetch = results["bare"], results["fetch"]
        assert bare["items"] == fetch["items"] == args.items, (bare, fetch)
        ratio = bare["seconds"] / fetch["seconds"]
        cpu_ratio = bare["cpu_seconds"] / fetch["cpu_seconds"]
        flat = results["fetch-no-split-large"]["peak_mb"] / results["fetch-no-split-tenth"]["peak_mb"]
        rows = [
            ["httpx download + split (parquet)", f"{size_mb:.1f}", f"{bare['items'] / bare['seconds']:,.0f}",
             f"{bare['peak_mb']:,.0f}", ""],
            ["fetch (parquet)", f"{size_mb:.1f}", f"{fetch['items'] / fetch['seconds']:,.0f}",
             f"{fetch['peak_mb']:,.0f}", f"{ratio:.2f}"],
            ["fetch --no-split, large", f"{large_mb:.0f}", "", f"{results['fetch-no-split-large']['peak_mb']:,.0f}",
             f"peak ×{flat:.2f}"],
            ["  same, a tenth", f"{large_mb / 10:.0f}", "", f"{results['fetch-no-split-tenth']['peak_mb']:,.0f}", ""],
            ["httpx.get, large (body in memory)", f"{large_mb:.0f}", "",
             f"{results['httpx-get-large']['peak_mb']:,.0f}", ""],
        ]  # fmt: skip
        print(table(rows, ["step", "MB", "items/s", "peak MB", "fetch/bare"]))
        print(
            f"fetch/bare in CPU time (the worker's own, so the load of a shared machine does not count): "
            f"{cpu_ratio:.2f} (fetch {fetch['cpu_seconds']:.1f} s, bare {bare['cpu_seconds']:.1f} s)"
        )
        figures = {"fetch/bare": ratio, "fetch/bare_cpu": cpu_ratio, "peak_large/peak_tenth": flat}
        save("fetch", {"items": args.items, "feed_mb": size_mb, "large_mb": large_mb, **figures, "results": results})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:])
    else:
        main()
