"""`feedcorpus fetch` end to end against a real HTTP server on loopback (tests/feedserver.py): snapshots,
the fetch log, documents that say where they were fetched, conditional re-runs, backfill, bad input, the
lock, and a run killed half-way that the next run resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.stores.snapshots import exclusive, lock_path
from feedserver import FeedServer, Reply, atom, closed_port, item, rss, validated
from testdata_paths import REPO

FAST = ["--delay", "0", "--backoff", "0.01", "--retries", "1", "--timeout", "2", "--contact", "https://example.org/c"]


def fetch(project: Path, *args: str):
    return CliRunner().invoke(cli, ["fetch", "--project-dir", str(project), *FAST, *args], catch_exceptions=False)


def documents(project: Path) -> dict[str, dict]:
    folder = project / "corpus" / "documents"
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


def log(project: Path, name: str) -> list[dict]:
    path = project / "corpus" / "feeds" / name / "fetches.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def backfills(project: Path, name: str = "127-0-0-1-tag-mali-feed") -> list[dict]:
    return [entry for entry in log(project, name) if entry.get("event") == "backfill"]


def snapshots(project: Path, name: str) -> list[Path]:
    return sorted((project / "corpus" / "feeds" / name).glob("*.xml"))


def pages(server: FeedServer, items_per_page: list[list[int]], path: str = "/tag/mali/feed/") -> None:
    """A WordPress-like paginated feed: page 1 at path, page N at path?paged=N, a 404 after the last page."""
    routes = {1: validated(rss([item(n) for n in items_per_page[0]]))}
    routes |= {i: validated(rss([item(n) for n in numbers])) for i, numbers in enumerate(items_per_page[1:], 2)}

    def route(seen):
        query = seen.path.partition("?")[2]
        page = int(query.removeprefix("paged=")) if query.startswith("paged=") else 1
        return routes[page](seen) if page in routes else Reply(404, b"<html>Not found</html>")

    server.routes[path] = route


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def test_fetch_stores_a_snapshot_logs_it_and_splits_it_into_documents_that_say_where_they_came_from(project, server):
    pages(server, [[1, 2, 3]])
    url = server.url("/tag/mali/feed/")
    result = fetch(project, url)
    assert result.exit_code == 0, result.output
    assert "1 requests: 1 new snapshots" in result.stdout and "3 written" in result.stdout
    name = "127-0-0-1-tag-mali-feed"
    [snapshot] = snapshots(project, name)
    assert snapshot.read_bytes() == rss([item(n) for n in (1, 2, 3)])
    fetched, split = log(project, name)
    assert fetched["status"] == 200 and fetched["etag"] and fetched["last_modified"] and fetched["items"] == 3
    assert fetched["size"] == snapshot.stat().st_size and snapshot.name.split("-")[1][:16] == fetched["sha256"][:16]
    assert split == {**split, "event": "split", "snapshot": snapshot.name, "documents": 3, "failed": None}
    docs = documents(project)
    assert sorted(docs) == ["sahelnews-1", "sahelnews-2", "sahelnews-3"]
    doc = docs["sahelnews-2"]
    assert doc["snapshot"] == doc["feed"] == f"corpus/feeds/{name}/{snapshot.name}"
    assert doc["fetched_url"] == url and doc["fetched_at"] == fetched["at"]


def test_a_rerun_sends_the_validators_and_a_304_changes_nothing(project, server):
    pages(server, [[1, 2]])
    url = server.url("/tag/mali/feed/")
    assert fetch(project, url).exit_code == 0
    files = {p: p.stat().st_mtime_ns for p in (project / "corpus").rglob("*.json")}
    again = fetch(project, url)
    assert again.exit_code == 0 and "1 not modified" in again.stdout and "0 written" in again.stdout
    assert server.seen[-1].headers.get("if-none-match")
    assert len(snapshots(project, "127-0-0-1-tag-mali-feed")) == 1
    assert {p: p.stat().st_mtime_ns for p in (project / "corpus").rglob("*.json")} == files
    assert log(project, "127-0-0-1-tag-mali-feed")[-1]["status"] == 304


def test_the_same_bytes_are_not_stored_twice_and_a_changed_feed_gets_a_new_snapshot(project, server):
    url = server.url("/feed/")
    server.routes["/feed/"] = Reply(200, rss([item(1)]))  # no validators: the body comes every time
    fetch(project, url)
    same = fetch(project, url)
    assert "Unchanged: " in same.stderr and len(snapshots(project, "127-0-0-1-feed")) == 1
    server.routes["/feed/"] = Reply(200, rss([item(1), item(2)]))
    changed = fetch(project, url)
    assert "1 new snapshots" in changed.stdout and "1 written" in changed.stdout
    first, second = snapshots(project, "127-0-0-1-feed")
    assert first.read_bytes() == rss([item(1)])  # never overwritten
    assert documents(project)["sahelnews-1"]["snapshot"].endswith(first.name)  # the text it was first fetched with
    assert documents(project)["sahelnews-2"]["snapshot"].endswith(second.name)


def test_backfill_walks_wordpress_pages_to_the_first_404_and_a_rerun_stops_at_the_first_page_with_nothing_new(
    project, server
):
    pages(server, [[9, 8, 7], [6, 5, 4], [3, 2, 1]])
    url = server.url("/tag/mali/feed/")
    result = fetch(project, "--backfill", "10", url)
    assert result.exit_code == 0, result.output
    assert [p for p in server.paths() if p != "/robots.txt"] == [
        "/tag/mali/feed/", "/tag/mali/feed/?paged=2", "/tag/mali/feed/?paged=3", "/tag/mali/feed/?paged=4"
    ]  # fmt: skip
    assert "End: " in result.stderr and "?paged=4" in result.stderr and len(documents(project)) == 9
    server.seen.clear()
    pages(server, [[10, 9, 8], [7, 6, 5], [4, 3, 2], [1]])  # one new post moved every page along
    again = fetch(project, "--backfill", "10", url)
    assert again.exit_code == 0, again.output
    assert [p for p in server.paths() if p != "/robots.txt"] == ["/tag/mali/feed/", "/tag/mali/feed/?paged=2"]
    assert len(documents(project)) == 10 and backfills(project)[-1]["stop"].startswith("page 2")


def test_backfill_stops_when_the_site_ignores_the_page_number(project, server):
    server.routes["/feed/"] = Reply(200, rss([item(1), item(2)]))
    result = fetch(project, "--backfill", "50", server.url("/feed/"))
    assert result.exit_code == 0
    assert [p for p in server.paths() if p != "/robots.txt"] == ["/feed/", "/feed/?paged=2"]


def test_backfill_follows_atom_rel_next_links(project, server):
    server.routes["/atom"] = Reply(200, atom([item(5), item(4)], next_href="/atom/archive-2"))
    server.routes["/atom/archive-2"] = Reply(200, atom([item(3), item(2)], next_href=server.url("/atom/archive-3")))
    server.routes["/atom/archive-3"] = Reply(200, atom([item(1)]))
    result = fetch(project, "--backfill", "10", server.url("/atom"))
    assert result.exit_code == 0, result.output
    assert [p for p in server.paths() if p != "/robots.txt"] == ["/atom", "/atom/archive-2", "/atom/archive-3"]
    assert sorted(documents(project)) == [f"sahelnews-{n}" for n in range(1, 6)]


def test_bad_urls_give_one_line_each_and_exit_1_while_the_good_ones_are_kept(project, server):
    server.routes["/good/"] = Reply(200, rss([item(1), item(2)]))
    server.routes["/page.html"] = Reply(200, b"<!doctype html><html><p>Hello</p></html>", {"Content-Type": "text/html"})
    server.routes["/broken/"] = Reply(200, b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>')
    gone = f"http://127.0.0.1:{closed_port()}/feed/"
    urls = [server.url("/good/"), server.url("/page.html"), gone, server.url("/broken/"), "ftp://example.org/feed"]
    result = fetch(project, *urls)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 4, errors
    assert any(server.url("/page.html") in e and "not a feed: got an HTML page" in e for e in errors)
    assert any(e.startswith(f"Error: {gone}: cannot connect") for e in errors)
    assert any(e.startswith(f"Error: {server.url('/broken/')}: corpus/feeds/") for e in errors)
    assert any(e == "Error: ftp://example.org/feed: not an http(s) URL" for e in errors)
    assert sorted(documents(project)) == ["sahelnews-1", "sahelnews-2"]
    assert log(project, "127-0-0-1-page-html")[0]["error"].startswith("not a feed")


def test_sources_file_lists_the_feeds_and_the_contact(project, server):
    pages(server, [[1]], "/a/feed/")
    pages(server, [[2]], "/b/feed/")
    (project / "corpus" / "sources.yaml").write_text(
        "contact: mailto:corpus@example.org\nsources:\n"
        f"  - {{name: alpha, url: '{server.url('/a/feed/')}', language: en}}\n"
        f"  - {{name: beta, url: '{server.url('/b/feed/')}', backfill: 3}}\n"
    )
    result = CliRunner().invoke(cli, ["fetch", "--project-dir", str(project), "--delay", "0"])
    assert result.exit_code == 0, result.output
    assert len(snapshots(project, "alpha")) == len(snapshots(project, "beta")) == 1
    assert "(+mailto:corpus@example.org)" in server.seen[-1].headers["user-agent"]
    assert "/b/feed/?paged=2" in server.paths() and "/a/feed/?paged=2" not in server.paths()


def test_the_shipped_sources_file_parses_and_lists_the_seed_feed():
    from feedcorpus.ingest.sources import parse_sources

    path = REPO / "corpus" / "sources.yaml"
    [seed] = parse_sources(path.read_text("utf-8"), path).sources
    assert seed.url == "https://thedefensepost.com/tag/mali/feed/" and seed.language == "en" and seed.rights


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("sources: [{url: 'ftp://x'}]", "source 1: url: not an http(s) URL"),
        ("sources: [{url: 'https://x.org/f', colour: red}]", "source 1: unknown field 'colour'"),
        ("contact: me\nsources: []", "contact: contact must be"),
        ("sources: [{url: 'https://x.org/f', name: 'Bad Name'}]", "source 1: name:"),
        ("sources: [{url: 'https://x.org/f'}, {url: 'https://x.org/f'}]", "two sources have the name"),
        ("sources: [", "not valid YAML"),
    ],
)
def test_a_bad_sources_file_is_one_line_naming_the_entry(project, text, said):
    (project / "corpus" / "sources.yaml").write_text(text)
    result = CliRunner().invoke(cli, ["fetch", "--project-dir", str(project), "--contact", "https://e.org/c"])
    assert result.exit_code == 1 and said in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_no_contact_is_refused_before_any_request(project, server, monkeypatch):
    monkeypatch.delenv("FEEDCORPUS_CONTACT", raising=False)
    result = CliRunner().invoke(cli, ["fetch", "--project-dir", str(project), server.url("/feed/")])
    assert result.exit_code == 1 and "--contact" in result.stderr and server.seen == []


def test_a_second_run_while_one_holds_the_lock_does_nothing(project, server):
    server.routes["/feed/"] = Reply(200, rss([item(1)]))
    lock = lock_path(project / "corpus" / "feeds", project / "corpus" / "sources.yaml")
    with exclusive(lock, wait=False) as holder:
        assert holder is None
        result = fetch(project, server.url("/feed/"))
    assert result.exit_code == 0 and f"(pid {os.getpid()})" in result.stderr and server.seen == []
    assert fetch(project, server.url("/feed/")).exit_code == 0 and documents(project)


def test_a_permanent_redirect_is_followed_recorded_and_reported(project, server):
    server.routes["/old/feed/"] = Reply(301, headers={"Location": "/new/feed/"})
    server.routes["/new/feed/"] = Reply(200, rss([item(1)]))
    result = fetch(project, server.url("/old/feed/"))
    assert result.exit_code == 0 and "moved permanently to " + server.url("/new/feed/") in result.stderr
    [entry, _] = log(project, "127-0-0-1-old-feed")
    assert entry["redirects"] == [{"status": 301, "from": server.url("/old/feed/"), "to": server.url("/new/feed/")}]
    assert documents(project)["sahelnews-1"]["fetched_url"] == server.url("/new/feed/")


def test_no_split_collects_and_the_next_run_splits_what_was_collected(project, server):
    pages(server, [[1, 2]])
    url = server.url("/tag/mali/feed/")
    assert fetch(project, "--no-split", url).exit_code == 0
    assert not documents(project) and len(snapshots(project, "127-0-0-1-tag-mali-feed")) == 1
    later = fetch(project, url)  # the server answers 304; the collected snapshot is split all the same
    assert "1 not modified" in later.stdout and "2 written" in later.stdout
    assert documents(project)["sahelnews-1"]["fetched_url"] == url


def test_the_parquet_store_gets_the_fetched_documents(project, server):
    from feedcorpus.stores.archive import ArchiveStore

    server.routes["/feed/"] = Reply(200, rss([item(1), item(2)]))
    assert fetch(project, "--store", "parquet", server.url("/feed/")).exit_code == 0
    stored = ArchiveStore(project / "corpus" / "archive").documents()
    assert [d.id for d in stored] == ["sahelnews-1", "sahelnews-2"] and stored[0].fetched_url == server.url("/feed/")


def test_a_run_killed_half_way_is_resumed_by_the_next(project, server):
    """Page 3 stalls; the run is killed there (SIGKILL: nothing gets to clean up). The next run splits what the
    killed one stored, and walks past the pages it had reached although they have not changed."""
    pages(server, [[9, 8], [7, 6], [5, 4], [3, 2], [1]])
    stalled = server.routes["/tag/mali/feed/"]
    server.routes["/tag/mali/feed/"] = lambda seen: (
        Reply(200, rss([item(5)]), stall=60) if seen.path.endswith("paged=3") else stalled(seen)
    )
    url = server.url("/tag/mali/feed/")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "scripts"), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "feedcorpus", "fetch", "--project-dir", str(project), *FAST, "--timeout", "60"]
    process = subprocess.Popen(
        [*command, "--backfill", "10", url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not any(p.endswith("paged=3") for p in server.paths()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    assert any(p.endswith("paged=3") for p in server.paths())
    stored = snapshots(project, "127-0-0-1-tag-mali-feed")
    assert len(stored) == 2  # pages 1 and 2 were stored before the kill
    server.routes["/tag/mali/feed/"] = stalled
    server.seen.clear()
    result = fetch(project, "--backfill", "10", url)
    assert result.exit_code == 0, result.output
    assert sorted(documents(project)) == [f"sahelnews-{n}" for n in range(1, 10)]
    assert [p for p in server.paths() if p != "/robots.txt"][:3] == [
        "/tag/mali/feed/", "/tag/mali/feed/?paged=2", "/tag/mali/feed/?paged=3"
    ]  # fmt: skip
    assert not list((project / "corpus" / "feeds").rglob("*.tmp"))


def test_concurrent_runs_sharing_a_source_store_one_snapshot_and_one_copy_of_each_document(project, server):
    """Two runs (as from two sources files listing the same feed) at once: the source folder's lock makes the
    second wait, which then finds the bytes stored and splits nothing twice."""
    import threading

    from feedcorpus.ingest.fetch import FetchRun
    from feedcorpus.ingest.http import Policy, PoliteClient
    from feedcorpus.ingest.sources import Source
    from feedcorpus.stores.documents import DocumentSchema, JsonDocumentStore

    server.routes["/feed/"] = Reply(200, rss([item(1), item(2)]), stall=0.3)
    feeds, reports = project / "corpus" / "feeds", []

    def run() -> None:
        client = PoliteClient(Policy("https://example.org/c", delay=0))
        store = JsonDocumentStore(
            project / "corpus" / "documents", DocumentSchema(project / "schemas" / "document.schema.json")
        )
        reports.append(FetchRun(client, feeds, store).run([Source("shared", server.url("/feed/"))]))
        client.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(o.result for r in reports for o in r.outcomes) == ["new", "same"]
    assert len(snapshots(project, "shared")) == 1 and sorted(documents(project)) == ["sahelnews-1", "sahelnews-2"]
    assert sum(len(r.split.written) for r in reports if r.split) == 2
