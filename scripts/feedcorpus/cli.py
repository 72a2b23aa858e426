"""The `feedcorpus` command line: each command parses options, calls one library function and prints.

Library code raises FeedcorpusError; only this module turns errors into one-line messages and exit codes
(0 success, 1 failure the user can fix, 2 wrong usage).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from feedcorpus import __version__
from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths


def project_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--project-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Project folder holding corpus/, schemas/ and annotations/.",
    )(func)


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into `Error: <file>: <record>: <what>` and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FeedcorpusError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def echo_err(message: str) -> None:
    click.echo(message, err=True)


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


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


def main() -> None:
    cli(prog_name="feedcorpus")
