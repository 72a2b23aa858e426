"""`feedcorpus fetch`: poll feeds into dated snapshots and split the new ones into the store."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from feedcorpus.cli.common import echo_err, project_dir_option, relative, reports_errors
from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths

if TYPE_CHECKING:
    from feedcorpus.ingest.fetch import FetchReport
    from feedcorpus.ingest.http import Policy
    from feedcorpus.ingest.sources import Source

_SHOWN = {"new": "Fetched", "same": "Unchanged", "not-modified": "Not modified", "end": "End"}


@click.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The sources file [default: PROJECT_DIR/corpus/sources.yaml].",
)
@click.option(
    "--store",
    type=click.Choice(["json", "parquet"]),
    default="json",
    show_default=True,
    help="Where new snapshots are split to, as for `split`: corpus/documents or the corpus/archive shards.",
)
@click.option("--no-split", is_flag=True, help="Only collect snapshots; a later run without it splits them.")
@click.option(
    "--backfill",
    type=click.IntRange(0, 10_000),
    default=None,
    help='Walk up to N pages of each feed (WordPress ?paged=2…N, or Atom rel="next" links) [default: each '
    "source's `backfill`].",
)
@click.option(
    "--contact",
    default=None,
    help="URL or mailto: for the User-Agent, where site owners reach you [default: the sources file's "
    "`contact`, else $FEEDCORPUS_CONTACT].",
)
@click.option(
    "--delay", type=click.FloatRange(0), default=2.0, show_default=True, help="Seconds between requests to one host."
)
@click.option(
    "--timeout", type=click.FloatRange(0.01), default=30.0, show_default=True, help="Connect and read timeout, seconds."
)
@click.option(
    "--max-mb", type=click.FloatRange(0.001), default=256.0, show_default=True, help="Largest body accepted, MB."
)
@click.option(
    "--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="Retries of a failed request."
)
@click.option(
    "--backoff",
    type=click.FloatRange(0),
    default=5.0,
    show_default=True,
    help="First wait before a retry, seconds (doubles).",
)
@click.option(
    "--max-wait",
    type=click.FloatRange(0),
    default=300.0,
    show_default=True,
    help="Longest Retry-After honoured, seconds.",
)
@click.option(
    "--wait", "wait_lock", is_flag=True, help="Wait for a running fetch of the same sources file instead of exiting."
)
@click.option("-q", "--quiet", is_flag=True, help="Only print errors and the summary.")
@project_dir_option
@reports_errors
def fetch(
    urls: tuple[str, ...],
    sources_file: Path | None,
    store: str,
    no_split: bool,
    backfill: int | None,
    contact: str | None,
    delay: float,
    timeout: float,
    max_mb: float,
    retries: int,
    backoff: float,
    max_wait: float,
    wait_lock: bool,
    quiet: bool,
    project_dir: Path,
) -> None:
    """Fetch feeds into dated snapshots under corpus/feeds/ and split the new ones into documents.

    Without URLs, fetches every source in the sources file (corpus/sources.yaml: name, url, language,
    rights, backfill). Each body is kept as corpus/feeds/<source>/<time>-<sha256>.xml (never overwritten;
    the same bytes are not stored twice) and logged in corpus/feeds/<source>/fetches.jsonl (status,
    validators, redirects, size, hash, items). Requests are polite: a User-Agent with your contact URL,
    robots.txt, one request at a time per host with --delay, ETag/Last-Modified (a 304 stores nothing),
    gzip, bounded redirects, Retry-After and backoff, timeouts and a size limit. A response that is not a
    feed (HTML, JSON, empty) is refused. Documents record the snapshot, URL and time they were fetched.
    Safe from cron: a lock per sources file (a second run exits, or waits with --wait), and a run that was
    interrupted is resumed by the next one. One line per failed URL; exit 1 when any URL failed.

    \b
    Example:
      feedcorpus fetch
      feedcorpus fetch --backfill 20 https://example.org/tag/mali/feed/
    """
    from feedcorpus.ingest.fetch import FetchReport
    from feedcorpus.ingest.http import Policy
    from feedcorpus.ingest.sources import Sources, check_contact, check_url, parse_sources
    from feedcorpus.stores.snapshots import exclusive, lock_path

    paths = ProjectPaths(project_dir)
    sources_path = sources_file or paths.corpus / "sources.yaml"
    listed = Sources(None, ())
    if sources_path.exists():
        listed = parse_sources(sources_path.read_text("utf-8"), sources_path)
    elif sources_file is not None or not urls:
        raise FeedcorpusError("no sources file; give URLs or list sources in it", path=sources_path)
    contact = contact or listed.contact or os.environ.get("FEEDCORPUS_CONTACT")
    if not contact or check_contact(contact):
        what = check_contact(contact) if contact else "no contact for the User-Agent"
        where = relative(sources_path, project_dir)
        raise FeedcorpusError(f"{what}: set --contact, `contact:` in {where} or FEEDCORPUS_CONTACT")
    bad = [url for url in urls if check_url(url)]
    chosen = [listed.for_url(url) for url in dict.fromkeys(urls) if url not in bad] if urls else list(listed.sources)
    report = FetchReport()
    if chosen:
        with exclusive(lock_path(paths.feeds, sources_path), wait=wait_lock) as holder:
            if holder is not None:
                where = relative(sources_path, project_dir)
                echo_err(f"Another fetch of {where} is running (pid {holder}); nothing done.")
                return
            policy = Policy(contact, delay=delay, timeout=timeout, max_bytes=int(max_mb * 1024 * 1024),
                            retries=retries, backoff=backoff, max_wait=max_wait)  # fmt: skip
            report = _run(paths, chosen, policy, None if no_split else store, backfill)
    _print(report, bad, quiet, project_dir)
    if bad or report.failed or report.split_failures:
        sys.exit(1)


def _run(
    paths: ProjectPaths, chosen: list[Source], policy: Policy, store: str | None, backfill: int | None
) -> FetchReport:
    from feedcorpus.ingest.fetch import FetchRun
    from feedcorpus.ingest.http import PoliteClient
    from feedcorpus.ingest.split import Store
    from feedcorpus.stores.archive import ArchiveStore
    from feedcorpus.stores.documents import DocumentSchema, JsonDocumentStore

    target: Store | None = None
    if store == "parquet":
        target = ArchiveStore(paths.archive)
    elif store == "json":
        target = JsonDocumentStore(paths.documents, DocumentSchema(paths.schema("document.schema.json")))
    client = PoliteClient(policy)
    try:
        run = FetchRun(client, paths.feeds, target, store_kind=store or "json",
                       feed_name=lambda p: relative(p, paths.root))  # fmt: skip
        return run.run(chosen, backfill=backfill)
    finally:
        client.close()


def _print(report: FetchReport, bad: list[str], quiet: bool, project_dir: Path) -> None:
    from feedcorpus.ingest.http import printable  # URLs may come from a feed's links: escaped for the terminal

    for outcome in report.outcomes:
        if outcome.result == "failed":
            echo_err(f"Error: {printable(outcome.message, 2000)}")
        elif not quiet:
            where = f" → {relative(outcome.snapshot, project_dir)}" if outcome.snapshot else ""
            detail = f" ({outcome.message})" if outcome.message and outcome.result != "end" else ""
            page = f" [page {outcome.page}]" if outcome.page > 1 else ""
            echo_err(f"{_SHOWN[outcome.result]}: {printable(outcome.url, 2000)}{page}{where}{detail}")
    for url in bad:
        echo_err(f"Error: {printable(url, 2000)}: not an http(s) URL")
    split = report.split
    if not quiet:
        for line in report.warnings:
            echo_err(f"Warning: {printable(line, 2000)}")
        for line in split.warnings if split else []:
            echo_err(f"Warning: {line}")
    for line in split.skipped if split else []:
        echo_err(f"Skipped: {line}")
    for line in report.split_failures:
        echo_err(f"Error: {line}")
    counts = {r: sum(1 for o in report.outcomes if o.result == r) for r in ("new", "same", "not-modified", "failed")}
    line = (
        f"{len(report.outcomes) + len(bad)} requests: {counts['new']} new snapshots, {counts['same']} unchanged, "
        f"{counts['not-modified']} not modified, {counts['failed'] + len(bad)} failed"
    )
    if split is not None:
        line += (
            f"; documents: {len(split.written)} written, {len(split.updated)} changed, {len(split.unchanged)} "
            f"unchanged, {len(split.skipped)} items skipped, {len(report.split_failures)} snapshots failed"
        )
    click.echo(line)
