"""`feedcorpus split`: feed files → documents."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from feedcorpus.cli.common import echo_err, project_dir_option, relative, reports_errors
from feedcorpus.paths import ProjectPaths


@click.command()
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
@click.option(
    "--store",
    type=click.Choice(["json", "parquet"]),
    default="json",
    show_default=True,
    help="json: one file per document in corpus/documents (small, reviewable corpora); parquet: shards in "
    "corpus/archive (archives of any size, streamed).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail a feed whose XML is not well-formed instead of keeping the items it did not damage.",
)
@click.option("--dry-run", is_flag=True, help="Report what would be written without writing anything.")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors and the summary.")
@project_dir_option
@reports_errors
def split(
    feeds: tuple[Path, ...],
    out: Path | None,
    fmt: str,
    store: str,
    strict: bool,
    dry_run: bool,
    quiet: bool,
    project_dir: Path,
) -> None:
    """Split feed files into one JSON document per article.

    Reads RSS 0.9x/1.0/2.0 and Atom XML (through feedparser) and tag-stripped WordPress feed dumps,
    removes syndication boilerplate, and writes corpus/documents/<id>.json. Re-running is idempotent:
    unchanged articles are left alone, the same guid/URL twice gives one document, changed ones are
    rewritten and reported. A bad item is skipped with its reason and the others are written; an item that
    malformed XML may have cut short is not written (--strict fails the whole feed). An id taken by another
    article gets a hash suffix, so no document is ever overwritten by a different article. Documents that
    share wire copy (the same agency paragraphs, a near copy, a syndicated copy) get one `cluster`, reported
    as "3 documents repeat wire copy of X"; release splits keep a cluster together. With --store parquet,
    documents go to Parquet shards in corpus/archive (same fields and ids; large feeds streamed, memory
    flat; clusters are then computed by `select`). Exit 1 when a feed yields no valid article.

    \b
    Example:
      feedcorpus split corpus/feeds/thedefensepost-mali-2024.txt
      feedcorpus split --dry-run feeds/*.xml
    """
    from tqdm import tqdm

    from feedcorpus.ingest.feeds import FeedFormat
    from feedcorpus.ingest.split import Store, split_feeds
    from feedcorpus.stores.archive import ArchiveStore
    from feedcorpus.stores.documents import DocumentSchema, JsonDocumentStore

    paths = ProjectPaths(project_dir)
    target: Store
    if store == "parquet":
        out_dir = out or paths.archive
        target = ArchiveStore(out_dir)
    else:
        out_dir = out or paths.documents
        target = JsonDocumentStore(out_dir, DocumentSchema(paths.schema("document.schema.json")))
    feed_format = None if fmt == "auto" else FeedFormat(fmt)
    with tqdm(total=len(feeds), unit="feed", disable=len(feeds) < 2 or None, file=sys.stderr) as bar:
        report = split_feeds(
            feeds,
            target,
            fmt=feed_format,
            dry_run=dry_run,
            strict=strict,
            feed_name=lambda p: relative(p, project_dir),
            on_feed_done=lambda _: bar.update(1),
        )
    if not quiet:
        for line in report.warnings:
            echo_err(f"Warning: {line}")
        for line in report.duplicates:
            echo_err(f"Duplicate: {line}")
        for doc in report.updated:
            echo_err(f"Changed: {doc} (rewritten)")
        for line in report.copies:
            echo_err(f"Copies: {line}")
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
