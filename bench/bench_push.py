"""Benchmark `push`: 10,000 synthetic tasks with predictions into a real local Label Studio, in one run.

Reports tasks/s for `feedcorpus push` (validation against the labeling config, project lookup, batched
imports without SDK retries, the doc_id index) and for one raw SDK `projects.import_tasks` call with the
same payload into a fresh project. Goal: push/raw ≥ 0.8. The server is started here, on a free port, in a
temporary data dir, and stopped at the end.
Usage: python bench/bench_push.py [--tasks N] [--batch-size N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import synthetic
from bench_preannotate import documents_from
from feedcorpus.labels import label_config_xml, load_label_schema
from feedcorpus.paths import ProjectPaths
from feedcorpus.spans import Span
from feedcorpus.stores.predictions import PredictionRecord, PredictionStore
from feedcorpus.studio import push as stage
from feedcorpus.studio.client import Studio
from feedcorpus.studio.connection import Connection
from feedcorpus.studio.local_server import LocalStudio
from measure import save, table


def seed_lexicon() -> dict[str, str]:
    """Entity text → label, from the seed's own pre-annotations, to give synthetic tasks realistic spans."""
    (path,) = sorted((synthetic.REPO / "corpus" / "predictions").glob("*.jsonl"))[:1]
    records = PredictionStore(path.parent).read(path.stem)
    return {span.text: span.label for record in records.values() for span in record.spans}


def predictions_for(docs: list, model_version: str) -> dict[str, PredictionRecord]:
    lexicon = seed_lexicon()
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(lexicon, key=len, reverse=True))) + r")\b")
    records = {}
    for doc in docs:
        spans = tuple(Span(m.start(), m.end(), lexicon[m.group()], m.group()) for m in pattern.finditer(doc.text))
        records[doc.id] = PredictionRecord(doc.id, doc.sha256, model_version, spans)
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    paths = ProjectPaths(synthetic.REPO)
    schema = load_label_schema(paths.schema("labels.yaml"))
    config = label_config_xml(schema)
    docs = documents_from(synthetic.articles(args.tasks))
    predictions = predictions_for(docs, "bench-lexicon-1")
    spans = sum(len(r["spans"]) for r in predictions.values())
    print(f"{len(docs):,} tasks, {spans:,} predicted spans ({spans / len(docs):.0f} per task)", flush=True)

    venv = Path(os.environ.get("FEEDCORPUS_STUDIO_VENV") or synthetic.REPO / ".venv-studio")
    tmp = Path(tempfile.mkdtemp(prefix="bench-push-"))
    local = LocalStudio(tmp / ".studio", venv)
    try:
        started = time.perf_counter()
        status = local.start(0)
        print(f"Label Studio {status.url} healthy after {time.perf_counter() - started:.1f} s", flush=True)
        studio = Studio(Connection(status.url, status.credentials.token, local=True))

        start = time.perf_counter()
        report = stage.push(studio, docs, predictions, schema, config, title="bench push", batch_size=args.batch_size)
        ours = time.perf_counter() - start
        assert report.pushed == len(docs), report

        payload = list(stage.build_payloads(docs, predictions, schema, config).values())
        project = studio.create_project("bench raw import", config)
        start = time.perf_counter()
        studio.client.projects.import_tasks(project.id, request=payload, return_task_ids=True)
        raw = time.perf_counter() - start
        assert len(studio.task_index(project.id)) == len(docs)

        start = time.perf_counter()
        again = stage.push(studio, docs, predictions, schema, config, title="bench push", batch_size=args.batch_size)
        rerun = time.perf_counter() - start
        assert again.pushed == 0 and again.already_present == len(docs)
    finally:
        local.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    rows = [
        ["raw SDK import_tasks (one call)", f"{raw:.1f}", f"{len(docs) / raw:,.0f}", ""],
        [
            f"feedcorpus push (batches of {args.batch_size})",
            f"{ours:.1f}",
            f"{len(docs) / ours:,.0f}",
            f"{raw / ours:.2f}",
        ],
        ["feedcorpus push again (nothing to do)", f"{rerun:.1f}", "", ""],
    ]
    print(table(rows, ["step", "seconds", "tasks/s", "push/raw"]))
    result = {"tasks": len(docs), "spans": spans, "raw_s": raw, "push_s": ours, "rerun_s": rerun}
    save("push", result)


if __name__ == "__main__":
    main()
