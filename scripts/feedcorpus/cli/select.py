"""`feedcorpus select N`: choose the next batch to annotate from a pre-annotated corpus or archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from feedcorpus.cli.common import document_store, label_schema, project_dir_option, reports_errors, store_option
from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths

MAX_TASKS = 100_000  # Label Studio slows down past about this many tasks in one project


@click.command("select")
@click.argument("count", type=click.IntRange(1, MAX_TASKS))
@click.option(
    "--predictions",
    "model_version",
    default=None,
    metavar="MODEL_VERSION",
    help="The predictions to score (and that push sends) [default: the only set there is].",
)
@click.option(
    "--compare",
    default=None,
    metavar="MODEL_VERSION",
    help="A second prediction set (e.g. a trained model's); documents where the two differ score higher.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same inputs: same selection.")
@click.option(
    "--random-share",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    help="Share of the batch drawn uniformly at random, for an unbiased estimate of pre-annotation quality.",
)
@click.option("--pool", type=click.IntRange(1), default=None, help="Candidates clustered [default: max(20×N, 1000)].")
@click.option("--include-selected", is_flag=True, help="Allow documents chosen by earlier rounds.")
@click.option("--dry-run", is_flag=True, help="Print the choice; write no selection file.")
@store_option
@project_dir_option
@reports_errors
def select(
    count: int,
    model_version: str | None,
    compare: str | None,
    seed: int,
    random_share: float,
    pool: int | None,
    include_selected: bool,
    dry_run: bool,
    store: str,
    project_dir: Path,
) -> None:
    """Choose the next COUNT documents to annotate, with the reason for each.

    Scores every pre-annotated document that is neither gold (the latest release) nor chosen by an earlier
    round: novelty (predicted names, dates aside, in no gold label, actor registry, gazetteer or pycountry
    list; a name already covered by an earlier pick counts once) and disagreement with --compare. Keeps at
    most one document per near-copy group (shared wire copy, also with gold and earlier picks), and draws
    --random-share of the batch at random. Writes corpus/selections/selection-NNN.json, which
    `push --selection` sends. Refuses to let the rounds exceed 100,000 documents, about the most a Label
    Studio project handles well: start another project then.

    \b
    Example:
      feedcorpus select 50
      feedcorpus select 200 --compare models/v2.0.0-1a2b3c4d --seed 7
      feedcorpus push --selection corpus/selections/selection-001.json
    """
    from feedcorpus.selection.batch import Record, select_round
    from feedcorpus.selection.features import known_names, span_keys
    from feedcorpus.selections import Selection
    from feedcorpus.stores.predictions import PredictionStore
    from feedcorpus.stores.selections import SelectionStore

    paths = ProjectPaths(project_dir)
    documents = document_store(paths, store)
    current = documents.fingerprints()
    if not current:
        raise FeedcorpusError("no documents; run `feedcorpus split` first", path=documents.folder)
    predictions = PredictionStore(paths.predictions)
    version = predictions.choose(model_version)
    other = None
    if compare:
        compare = predictions.choose(compare)
        if compare == version:
            raise FeedcorpusError(f"--compare names the scored predictions themselves ({version})")
        other = {r.doc_id: span_keys(r.spans) for r in predictions.records(compare)}  # streamed: 8 bytes a span
    rounds = SelectionStore(paths.selections)
    earlier = rounds.selected()
    if len(earlier) + count > MAX_TASKS:
        raise FeedcorpusError(
            f"{len(earlier):,} documents chosen already; {count:,} more would pass {MAX_TASKS:,}, about the most "
            "tasks a Label Studio project handles well: start a new project (push --project) and a new folder",
            path=paths.selections,
        )
    gold_name, gold_rows = _gold(paths)
    known = known_names(_reference_names(paths) + [s.text for row in gold_rows for s in row.entities])
    taken = {row.id: (row.text, 0) for row in gold_rows}
    if not include_selected:
        taken.update(_texts(documents, earlier))
    result = select_round(
        (Record(r.doc_id, r.doc_sha256, r.spans) for r in predictions.records(version)),
        current=current,
        excluded=set(taken),
        known=known,
        compare=other,
        compare_name=compare,
        texts=lambda ids: _texts(documents, ids),
        taken_texts=taken,
        n=count,
        seed=seed,
        random_share=random_share,
        pool=pool,
    )
    selection = Selection(
        tuple(result.chosen), seed, count, version, compare, gold_name, _store_name(documents), dict(result.counts)
    )
    for number, chosen in enumerate(result.chosen, 1):
        click.echo(f"{number:>4}. {chosen.doc_id} [{chosen.kind}, +{chosen.score}]")
        for reason in chosen.reasons:
            click.echo(f"        {reason}")
    greedy = sum(1 for c in result.chosen if c.kind == "greedy")
    summary = (
        f"selected {len(result.chosen)} of {result.counts['eligible']:,} eligible documents "
        f"({greedy} for novelty or disagreement, {len(result.chosen) - greedy} at random; "
        f"pool {result.counts['pool']:,}, {result.counts['near-copy groups']} near-copy groups)"
    )
    for reason in ("already gold or selected", "stale predictions (the text changed since)"):
        if result.counts[reason]:
            click.echo(f"Skipped {result.counts[reason]:,}: {reason}", err=True)
    if len(result.chosen) < count:
        click.echo(f"Warning: only {len(result.chosen)} of {count} could be chosen", err=True)
    if dry_run or not result.chosen:
        click.echo(summary + "; nothing written")
        return
    click.echo(f"{summary} → {rounds.write(selection)}")


def _gold(paths: ProjectPaths) -> tuple[str | None, list[Any]]:
    from feedcorpus.release.compare import gold_rows
    from feedcorpus.release.store import ReleaseStore

    store = ReleaseStore(paths.annotations)
    found = store.releases()
    return (found[-1][1].name, gold_rows(store.intact(found[-1][1]))) if found else (None, [])


def _reference_names(paths: ProjectPaths) -> list[str]:
    from feedcorpus.annotate.preannotator import reference_patterns

    return [p["pattern"] for p in reference_patterns(paths, label_schema(paths)).patterns]


def _texts(documents: Any, ids: set[str]) -> dict[str, tuple[str, int]]:
    return {doc_id: (d.text, d.body_offset) for doc_id, d in documents.get_many(sorted(ids)).items()}


def _store_name(documents: Any) -> str:
    from feedcorpus.stores.archive import ArchiveStore

    return "parquet" if isinstance(documents, ArchiveStore) else "json"
