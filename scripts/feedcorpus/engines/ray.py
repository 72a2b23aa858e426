"""`preannotate --engine ray`: pre-annotation of a Parquet archive on Ray Data.

Each archive shard is read with `ray.data.read_parquet`, mapped with `map_batches` through `Annotator`, a
callable class that loads the spaCy pipeline, its patterns and rules once per actor (spaCy objects do not
pickle: they are never captured, only built inside the actor), and collected by this process, which writes
one prediction shard per archive shard: written whole (temporary file, fsync, rename) or not at all, so an
interrupted run resumes with the shards not yet done. The spans are those of the local engine, byte for
byte: the same pipeline, annotate() and rules run in the actors. RAY_ADDRESS points Ray at a cluster
(whose workers need feedcorpus and the spaCy model installed); without it a local instance is started.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from feedcorpus.annotate.pipeline import load_pipeline
from feedcorpus.annotate.preannotate import annotate
from feedcorpus.annotate.rules import RULES
from feedcorpus.documents import Document
from feedcorpus.errors import FeedcorpusError
from feedcorpus.labels import LabelSchema
from feedcorpus.stores.archive import check_shard, shard_paths, write_shard
from feedcorpus.stores.predictions import ARROW_SCHEMA, PredictionRecord, PredictionStore, shard_rows


def block_bytes(text_bytes: int, concurrency: int) -> int:
    """Ray Data's block size for this run: about 8 blocks per actor, from 64 KiB to 4 MiB.

    Ray's default (128 MiB) makes a 10k-row shard a single block, which only one actor can work on.
    """
    return max(64 << 10, min(4 << 20, text_bytes // (8 * concurrency)))


def actor_cpus(cluster_cpus: float, concurrency: int) -> float:
    """CPUs to reserve per actor so that the actors leave one for Ray Data's own small tasks (listing files).

    Reserving a whole CPU each on a 2-CPU machine with 2 actors deadlocks: the listing task waits forever for
    a CPU the idle actors hold. The reservation is bookkeeping; each actor still runs on a core of its own.
    """
    return max(0.1, min(1.0, (cluster_cpus - 1) / concurrency))


class Annotator:
    """A Ray Data actor: builds the pipeline once, then annotates batch after batch."""

    def __init__(
        self,
        model: str,
        patterns: list[dict[str, Any]],
        rules: bool,
        schema_text: str,
        model_version: str,
        batch_size: int = 32,
    ) -> None:
        from feedcorpus.labels import parse_label_schema

        self.schema = parse_label_schema(schema_text)
        self.pipeline = load_pipeline(
            model, patterns=patterns, pattern_paths=[], schema=self.schema, rules=RULES if rules else ()
        )
        self.batch_size = batch_size
        self.model_version = model_version  # the driver's: it hashes the reference files the actors never see

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        documents = [
            Document(doc_id, "", None, None, "", "", None, None, [], text, 0, sha, "")
            for doc_id, text, sha in zip(batch["id"], batch["text"], batch["sha256"], strict=True)
        ]
        records = [
            PredictionRecord(doc.id, doc.sha256, self.model_version, tuple(spans))
            for doc, spans in annotate(self.pipeline, documents, self.schema, batch_size=self.batch_size)
        ]
        rows = shard_rows(records)
        columns = {key: [row[key] for row in rows] for key in ("doc_id", "doc_sha256", "model_version", "spans")}
        columns["path"] = list(batch["path"])
        return columns


@dataclass
class RayReport:
    model_version: str
    path: Path
    shards_done: int = 0
    shards_skipped: int = 0
    documents: int = 0
    spans: int = 0
    by_label: dict[str, int] = field(default_factory=dict)


def preannotate_ray(
    archive: Path,
    store: PredictionStore,
    *,
    model: str,
    model_version: str,
    patterns: list[dict[str, Any]],
    rules: bool,
    schema: LabelSchema,
    concurrency: int = 2,
    batch_size: int = 32,
    on_shard: Callable[[Path], None] | None = None,
) -> RayReport:
    """Annotate every archive shard that has no prediction shard yet, in one Ray Data pipeline.

    One dataset over all pending shards keeps the actors (and their loaded pipelines) for the whole run;
    rows stream back tagged with their shard's path and a shard is written as soon as all its rows are in,
    so the driver holds at most the shards in flight, never the archive.
    """
    import ray

    out = store.shard_folder(model_version)
    report = RayReport(model_version, out)
    shards = shard_paths(Path(archive))
    todo = [p for p in shards if not (out / p.name).exists()]
    report.shards_skipped = len(shards) - len(todo)
    if not todo:
        return report
    for shard in todo:
        check_shard(shard)
    expected = {p.name: pq.read_metadata(p).num_rows for p in todo}
    if not ray.is_initialized():
        ray.init(
            address=os.environ.get("RAY_ADDRESS") or None,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    out.mkdir(parents=True, exist_ok=True)
    constructor = {
        "model": model,
        "patterns": patterns,
        "rules": rules,
        "schema_text": schema.source_text,
        "model_version": model_version,
        "batch_size": batch_size,
    }
    context = ray.data.DataContext.get_current()
    context.target_max_block_size = block_bytes(sum(_text_bytes(p) for p in todo), concurrency)
    cpus: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
    # reading is light: a read task holding a CPU would starve the actors
    dataset = ray.data.read_parquet([str(p.resolve()) for p in todo], include_paths=True, num_cpus=0)
    annotated = dataset.select_columns(["id", "text", "sha256", "path"]).map_batches(
        Annotator,
        fn_constructor_kwargs=constructor,
        compute=ray.data.ActorPoolStrategy(size=concurrency),
        batch_size=None,  # a whole block per call (block_bytes sizes them): no ragged tail batches
        batch_format="numpy",
        num_cpus=actor_cpus(cpus.get("CPU", 1.0), concurrency),
    )
    pending: dict[str, list[pa.Table]] = {}
    for batch in annotated.iter_batches(batch_size=None, batch_format="pyarrow"):
        table = cast("pa.Table", batch)
        for path in pc.unique(table.column("path")).to_pylist():
            name = Path(path).name
            parts = pending.setdefault(name, [])
            parts.append(table.filter(pc.equal(table.column("path"), path)))
            if sum(part.num_rows for part in parts) == expected[name]:
                _finish(Path(archive) / name, pa.concat_tables(pending.pop(name)), out, report, on_shard)
    if pending:  # a shard whose rows did not all come back: not written, the next run does it again
        raise FeedcorpusError(f"Ray returned only part of {len(pending)} shard(s): {', '.join(sorted(pending))}")
    return report


def _text_bytes(shard: Path) -> int:
    """The uncompressed size of a shard's text column, from its footer."""
    metadata = pq.read_metadata(shard)
    column = metadata.schema.names.index("text")
    return sum(metadata.row_group(i).column(column).total_uncompressed_size for i in range(metadata.num_row_groups))


def _finish(
    shard: Path, table: pa.Table, out: Path, report: RayReport, on_shard: Callable[[Path], None] | None
) -> None:
    """Write one shard's predictions whole, in document order, and count them.

    The table goes to Parquet as Arrow, without a round trip through Python objects: the actors already
    checked every span against its text (annotate() does), and this process stays free for Ray.
    """
    write_shard(out / shard.name, table.sort_by("doc_id"), ARROW_SCHEMA)
    report.shards_done += 1
    report.documents += table.num_rows
    labels = pc.list_flatten(table.column("spans")).combine_chunks().field("label")
    for label, count in zip(*pc.value_counts(labels).flatten(), strict=True):
        report.by_label[label.as_py()] = report.by_label.get(label.as_py(), 0) + count.as_py()
        report.spans += count.as_py()
    if on_shard:
        on_shard(shard)
