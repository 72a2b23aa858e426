"""`feedcorpus export`: Label Studio annotations → a versioned gold release."""

from __future__ import annotations

from pathlib import Path

import click

from feedcorpus.cli.common import (
    card_settings,
    echo_err,
    label_schema,
    local_studio,
    project_actors,
    project_dir_option,
    reports_errors,
)
from feedcorpus.errors import ReleaseError
from feedcorpus.paths import ProjectPaths


@click.command()
@click.option("--version", "version", required=True, metavar="X.Y.Z", help="Release version (semantic, new).")
@click.option(
    "--from-file",
    "snapshot_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Build from a saved Label Studio JSON export instead of the server.",
)
@click.option("--project", "title", default=None, help="Label Studio project title [default: feedcorpus news NER].")
@click.option(
    "--on-disagreement",
    type=click.Choice(["exclude", "latest", "fail"]),
    default="exclude",
    show_default=True,
    help="What to do with a task whose annotations disagree and none is ground truth.",
)
@click.option("--note", default="", help="A line for the changelog entry.")
@click.option(
    "--allow-expanded",
    is_flag=True,
    help="Release gold spans that do not fall on token boundaries, widened to whole tokens (counted in the card); "
    "without it such a release is refused.",
)
@click.option("--dry-run", is_flag=True, help="Build and report, write nothing.")
@click.option("-v", "--verbose", is_flag=True, help="List every problem found in the annotations, not only the first.")
@project_dir_option
@reports_errors
def export(
    version: str,
    snapshot_file: Path | None,
    title: str | None,
    on_disagreement: str,
    note: str,
    allow_expanded: bool,
    dry_run: bool,
    verbose: bool,
    project_dir: Path,
) -> None:
    """Export the gold annotations as a versioned release in annotations/vX.Y.Z/.

    Pulls a full export snapshot from Label Studio (or reads --from-file: any JSON export Label Studio makes,
    from the Export dialog or the snapshot API; JSON_MIN and CSV are refused), resolves one gold annotation per
    task (ground truth > single > identical; disputed tasks per --on-disagreement), validates every span,
    derives tokens and IOB2 tags, keeps near-copy clusters in one split, gives armed groups their actor id
    (schemas/actors.yaml), measures leakage between splits, and writes gold.parquet, the Hugging Face layout
    (data/*.parquet + README.md card), spaCy DocBin and CoNLL files, manifest.json with checksums, the
    snapshot and registry it was built from, and a changelog entry. A release is never overwritten.

    \b
    Example:
      feedcorpus export --version 1.0.0
      feedcorpus export --version 1.0.1 --from-file annotations/v1.0.0/source/label-studio-export.json --dry-run
    """
    from feedcorpus.release.build import GOLD_PATH, build
    from feedcorpus.release.compare import changes_since
    from feedcorpus.release.store import ReleaseStore

    paths = ProjectPaths(project_dir)
    schema = label_schema(paths)
    store = ReleaseStore(paths.annotations)
    previous_splits = store.check_bump(version, schema)
    snapshot = _read_snapshot(snapshot_file) if snapshot_file else _pull_snapshot(paths, project_dir, title)
    try:
        built = build(
            snapshot,
            version=version,
            schema=schema,
            policy=on_disagreement,
            previous_splits=previous_splits,
            guidelines=paths.schema("guidelines.md").read_text("utf-8"),
            settings=card_settings(paths),
            actors=project_actors(paths),
            allow_expanded=allow_expanded,
        )
    except ReleaseError as exc:
        if snapshot_file is not None and exc.path is None:
            exc.path = snapshot_file
        if verbose:
            for line in exc.details:
                echo_err(f"Problem: {line}")
        raise
    report, stats = built.report, built.stats
    for line in report.trimmed_spans + report.emptied:
        echo_err(f"Warning: {line}")
    for doc_id in report.disputed:
        echo_err(f"Warning: {doc_id}: annotations disagree; left out (--on-disagreement {on_disagreement})")
    docs = stats.documents
    target = paths.annotations / built.version
    if not dry_run:
        latest = store.releases()[-1][1] if store.releases() else None
        changes = changes_since(latest, built.rows, built.files[GOLD_PATH])
        target = store.publish(built, schema, note=note, changes=changes)
    click.echo(
        f"{'would write' if dry_run else 'wrote'} {target}: {len(built.rows)} documents "
        f"(train {docs['train']}, validation {docs['validation']}, test {docs['test']}), "
        f"{stats.total_entities} entities; {len(report.unannotated)} unannotated and {len(report.disputed)} "
        f"disputed tasks left out; {len(report.expanded_spans)} spans expanded to token boundaries"
    )
    for line in report.copies:
        echo_err(f"Copies: {line} (kept in one split)")
    for leak in report.leaks:
        echo_err(f"Warning: leakage: {leak}")
    if report.unmatched_actors:
        shown = "; ".join(report.unmatched_actors[:10])
        echo_err(f"Warning: {len(report.unmatched_actors)} ARMED_GROUP mentions with no registry entry: {shown}")


MAX_SNAPSHOT_BYTES = 1 << 30  # a Label Studio export read whole; a pipe or device that never ends stops here


def _read_snapshot(path: Path) -> bytes:
    from feedcorpus.fileio import read_bounded

    data = read_bounded(path, MAX_SNAPSHOT_BYTES)
    if data is None:
        raise ReleaseError(f"more than {MAX_SNAPSHOT_BYTES >> 20} MiB, the most an export file is read", path=path)
    return data


def _pull_snapshot(paths: ProjectPaths, project_dir: Path, title: str | None) -> bytes:
    from feedcorpus.studio.client import Studio
    from feedcorpus.studio.connection import resolve_connection
    from feedcorpus.studio.push import DEFAULT_PROJECT, find_project
    from feedcorpus.studio.state import PushState

    studio = Studio(resolve_connection(local_studio(project_dir)))
    title = title or DEFAULT_PROJECT
    project = find_project(studio, title, PushState(paths.studio_dir / "push-state.json"))
    if project is None:
        raise ReleaseError(f"no Label Studio project {title!r} at {studio.url}; run `feedcorpus push` first")
    return studio.export_snapshot(project.id)
