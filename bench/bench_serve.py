"""Benchmark the ML backend: /predict latency for one 600-word article, and batch throughput against
`preannotate` on the same documents, in one run.

The backend runs as `feedcorpus serve` in its own process on a free loopback port (as Label Studio reaches
it); this process is the client. Latency: p50/p95 over --requests calls after --warmup calls. Throughput:
the documents posted in batches of --batch tasks, one request after another, as Label Studio's
`predict_all_tasks` does, against `preannotate` (n_process=1, the backend's setting) on the same documents
in this process. Goal: backend/preannotate ≥ 0.8.
Usage: python bench/bench_serve.py [--words N] [--requests N] [--batch N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import synthetic
from bench_preannotate import documents
from feedcorpus.annotate import preannotate as stage
from feedcorpus.annotate.preannotator import build_preannotator
from feedcorpus.labels import load_label_schema
from feedcorpus.paths import ProjectPaths
from feedcorpus.stores.predictions import PredictionStore
from feedcorpus.studio.local_server import free_port
from measure import save, table


def post(url: str, body: dict) -> dict:
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())


def article_of(words: int, texts: list[str]) -> str:
    """The first `words` words of the synthetic corpus, cut at a paragraph, as one article."""
    paragraphs, count = [], 0
    for text in texts:
        for paragraph in text.split("\n\n"):
            paragraphs.append(paragraph)
            count += len(paragraph.split())
            if count >= words:
                return "\n\n".join(paragraphs)
    return "\n\n".join(paragraphs)


def start_backend(project: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(synthetic.REPO / "scripts"), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "feedcorpus", "serve", "--port", str(port), "--project-dir", str(project)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the backend exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the backend did not start within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=60_000, help="words in the throughput corpus")
    parser.add_argument("--article-words", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100, help="tasks per /predict request")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is reported")
    args = parser.parse_args()
    docs = documents(args.words)
    words = sum(len(d.text.split()) for d in docs)
    article = article_of(args.article_words, [d.text for d in docs])
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(synthetic.REPO / "schemas", project / "schemas")
        process, url = start_backend(project)
        try:
            one = {"tasks": [{"id": 1, "data": {"text": article}}], "project": "1.0"}
            for _ in range(args.warmup):
                post(f"{url}/predict", one)
            latencies = []
            for _ in range(args.requests):
                start = time.perf_counter()
                answer = post(f"{url}/predict", one)
                latencies.append((time.perf_counter() - start) * 1000)
            version = answer["model_version"]
            tasks = [{"id": n, "data": {"text": d.text}} for n, d in enumerate(docs)]
            paths = ProjectPaths(synthetic.REPO)
            schema = load_label_schema(paths.schema("labels.yaml"))
            pipeline = build_preannotator(paths, schema)
            served_times, local_times = [], []
            for number in range(args.repeat):  # alternate the two, keep the best of each: less noise
                start = time.perf_counter()
                regions = 0
                for first in range(0, len(tasks), args.batch):
                    found = post(f"{url}/predict", {"tasks": tasks[first : first + args.batch], "project": "1.0"})
                    regions += sum(len(r["result"]) for r in found["results"])
                served_times.append(time.perf_counter() - start)
                start = time.perf_counter()  # the backend is idle meanwhile: each side has both cores
                store = PredictionStore(Path(tmp) / f"predictions-{number}")
                report = stage.preannotate(docs, store, pipeline, schema)
                local_times.append(time.perf_counter() - start)
        finally:
            process.terminate()
            process.wait(30)
    served, local = min(served_times), min(local_times)
    assert version == pipeline.model_version, (version, pipeline.model_version)
    assert regions == report.spans, (regions, report.spans)  # the same spans, over HTTP
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    ratio = local / served
    print(
        f"{len(docs):,} documents, {words:,} words; one article of {len(article.split())} words; {os.cpu_count()} CPUs"
    )
    print(f"/predict latency, one article, after {args.warmup} warm-up calls: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    rows = [
        ["preannotate (n_process=1)", f"{words / local:,.0f}", f"{report.spans:,}", ""],
        [f"/predict, {args.batch} tasks a request", f"{words / served:,.0f}", f"{regions:,}", f"{ratio:.2f}"],
    ]
    print(table(rows, ["step", "words/s", "spans", "ratio"]))
    save(
        "serve",
        {
            "words": words,
            "latency_ms": {"p50": p50, "p95": p95, "all": latencies},
            "preannotate_s": local_times,
            "serve_s": served_times,
            "ratio": ratio,
        },
    )


if __name__ == "__main__":
    main()
