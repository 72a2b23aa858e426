"""The Parquet archive store (`split --store parquet`): the same documents as the JSON store, idempotent re-runs,
ids that collide, shards written whole, interrupted runs that resume, shards of another schema refused,
and large feeds read in bounded batches."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.errors import StoreError
from feedcorpus.ingest import feeds as feeds_module
from feedcorpus.ingest.feeds import read_feed, read_feed_chunks
from feedcorpus.ingest.split import split_feeds
from feedcorpus.stores import archive as archive_module
from feedcorpus.stores.archive import ARROW_SCHEMA, ArchiveStore
from feedcorpus.stores.documents import JsonDocumentStore
from test_split_reliability import item, rss
from testdata_paths import FEEDS, SEED


def run(project, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project)])


def feed_files(project):
    """The seed and every feed of the project's own fixtures, copied into the project."""
    target = project / "corpus" / "feeds"
    shutil.copy(SEED, target / "seed.txt")
    for path in sorted(FEEDS.rglob("*.xml")):
        shutil.copy(path, target / f"{path.parent.name}-{path.name}")
    return sorted(str(p) for p in target.iterdir())


def test_the_archive_holds_the_documents_the_json_store_holds(project, tmp_path):
    files = feed_files(project)
    as_json = run(project, "split", *files)
    as_parquet = run(project, "split", "--store", "parquet", *files)
    assert as_json.exit_code == as_parquet.exit_code == 1  # some fixtures are feeds nothing can be read from
    summary = [r.stdout.splitlines()[0].split(": ", 1)[1] for r in (as_json, as_parquet)]
    assert summary[0] == summary[1] and "0 unchanged; 14 duplicates, 4 items skipped, 6 feeds failed" in summary[0]
    # the same warnings, duplicates and skipped items; near-copies are clustered by `select` for archives
    messages = [[m for m in r.stderr.splitlines() if not m.startswith("Copies:")] for r in (as_json, as_parquet)]
    assert messages[0] == [m.replace("corpus/archive", "corpus/documents") for m in messages[1]]
    from_json = {d.id: d for d in JsonDocumentStore(project / "corpus" / "documents").documents()}
    from_parquet = {d.id: d for d in ArchiveStore(project / "corpus" / "archive").documents()}
    assert len(from_json) > 40 and from_parquet.keys() == from_json.keys()
    for doc_id, document in from_json.items():
        assert from_parquet[doc_id].to_json() == {**document.to_json(), "cluster": None}, doc_id
    assert "Assimi Goïta" in from_parquet["thedefensepost-85891"].text
    assert as_parquet.stdout.splitlines()[0].startswith(f"{len(from_json)} documents in ")


def test_a_second_run_writes_no_shard_and_a_changed_article_is_appended(project):
    feed = project / "corpus" / "feeds" / "seed.txt"
    shutil.copy(SEED, feed)
    assert run(project, "split", "--store", "parquet", str(feed)).exit_code == 0
    archive = project / "corpus" / "archive"
    assert [p.name for p in archive.iterdir()] == ["part-000000.parquet"]
    again = run(project, "split", "--store", "parquet", str(feed))
    assert "0 written, 0 changed, 10 unchanged" in again.stdout
    assert [p.name for p in archive.iterdir()] == ["part-000000.parquet"]

    feed.write_text(SEED.read_text("utf-8").replace("Salman al-Bambari, an ethnic", "Salman al-Bambari, a"), "utf-8")
    changed = run(project, "split", "--store", "parquet", str(feed))
    assert "0 written, 1 changed, 9 unchanged" in changed.stdout
    assert sorted(p.name for p in archive.iterdir()) == ["part-000000.parquet", "part-000001.parquet"]
    documents = ArchiveStore(archive).documents()
    assert len(documents) == 10  # the latest version of the changed article wins, once
    changed_doc = next(d for d in documents if d.id == "thedefensepost-85891")
    assert "Salman al-Bambari, a Bambara" in changed_doc.text


@pytest.mark.parametrize("one_run", [True, False])
def test_an_id_held_by_another_article_is_disambiguated_naming_the_holder(project, one_run):
    feed_a = rss(item(1, guid="https://example.com/?p=5", link="https://example.com/report-one"))
    feed_b = rss(item(2, guid="https://example.org/?p=5", link="https://example.org/report-two"))
    paths = []
    for number, content in enumerate((feed_a, feed_b)):
        paths.append(project / "corpus" / "feeds" / f"feed-{number}.xml")
        paths[-1].write_text(content, "utf-8")
    if one_run:  # the holder is still in the unwritten buffer
        results = [run(project, "split", "--store", "parquet", *map(str, paths))]
    else:  # the holder is in a shard written by an earlier run
        results = [run(project, "split", "--store", "parquet", str(p)) for p in paths]
    documents = {d.id: d for d in ArchiveStore(project / "corpus" / "archive").documents()}
    other = next(doc_id for doc_id in documents if doc_id != "example-5")
    assert documents[other].guid == "https://example.org/?p=5" and other.startswith("example-5-")
    message = f"id example-5 belongs to another article (https://example.com/?p=5); stored as {other}"
    assert message in results[-1].stderr
    again = run(project, "split", "--store", "parquet", *map(str, reversed(paths)))
    assert "0 written, 0 changed, 2 unchanged" in again.stdout


def test_the_same_article_twice_in_one_run_is_one_document(project):
    feed = project / "corpus" / "feeds" / "twice.xml"
    feed.write_text(rss(item(1, guid="https://example.com/?p=1"), item(1, guid="https://example.com/?p=1")), "utf-8")
    result = run(project, "split", "--store", "parquet", str(feed))
    assert "1 documents in" in result.stdout and "1 duplicates" in result.stdout


def many_items(count: int, *, start: int = 0) -> list[str]:
    return [item(n, guid=f"https://example.com/?p={n}") for n in range(start, start + count)]


def test_shards_roll_over_and_an_interrupted_split_resumes_with_complete_shards_only(project, monkeypatch):
    feed = project / "corpus" / "feeds" / "ten.xml"
    feed.write_text(rss(*many_items(10)), "utf-8")
    archive = project / "corpus" / "archive"
    written = archive_module.write_shard
    calls = []

    def crash_on_third_shard(path, rows, schema):
        calls.append(path.name)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C while the third shard was being written
        written(path, rows, schema)

    monkeypatch.setattr(archive_module, "write_shard", crash_on_third_shard)
    with pytest.raises(KeyboardInterrupt):
        split_feeds([feed], ArchiveStore(archive, shard_rows=3))
    monkeypatch.undo()
    assert sorted(p.name for p in archive.iterdir()) == ["part-000000.parquet", "part-000001.parquet"]
    assert len(ArchiveStore(archive).documents()) == 6  # two whole shards, nothing half-written

    report = split_feeds([feed], ArchiveStore(archive, shard_rows=3))
    assert (len(report.written), len(report.unchanged)) == (4, 6)
    documents = ArchiveStore(archive).documents()
    assert sorted(d.guid for d in documents) == sorted(f"https://example.com/?p={n}" for n in range(10))
    assert [p.name for p in sorted(archive.iterdir())] == [f"part-00000{n}.parquet" for n in range(4)]


def write_foreign_shard(archive, version: bytes | None) -> None:
    archive.mkdir(parents=True, exist_ok=True)
    schema = ARROW_SCHEMA.remove_metadata()
    if version is not None:
        schema = schema.with_metadata({b"feedcorpus.archive_schema": version})
    pq.write_table(pa.Table.from_pylist([], schema=schema), archive / "part-000000.parquet")


@pytest.mark.parametrize(("version", "named"), [(b"2", "2"), (None, "none")])
def test_a_shard_of_another_schema_version_is_refused_with_a_clear_message(project, version, named):
    write_foreign_shard(project / "corpus" / "archive", version)
    shutil.copy(SEED, project / "corpus" / "feeds" / "seed.txt")
    for args in (("split", "--store", "parquet", str(project / "corpus" / "feeds" / "seed.txt")),
                 ("preannotate", "--store", "parquet", "--dry-run")):  # fmt: skip
        result = run(project, *args)
        assert result.exit_code == 1
        assert "part-000000.parquet: written with archive schema " + named in result.output
        assert "this feedcorpus reads 1" in result.output
    assert not (project / "corpus" / "documents").exists()


def test_a_file_that_is_not_parquet_is_refused(project):
    archive = project / "corpus" / "archive"
    archive.mkdir(parents=True)
    (archive / "part-000000.parquet").write_text("not parquet")
    with pytest.raises(StoreError, match=r"part-000000\.parquet: not a readable Parquet shard"):
        ArchiveStore(archive).documents()


@pytest.mark.parametrize("atom", [False, True])
def test_a_large_feed_is_read_in_bounded_batches_giving_the_same_articles(tmp_path, monkeypatch, atom):
    if atom:
        entries = [
            f"<entry><id>urn:example:{n}</id><title>Report {n}</title><updated>2024-09-17T10:00:00Z</updated>"
            f'<content type="html">&lt;p&gt;Fighters near Ménaka, day {n} — “quoted”.&lt;/p&gt;</content></entry>'
            for n in range(1200)
        ]
        text = '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        text += "".join(entries) + "</feed>"
    else:
        text = rss(*many_items(1200))
    feed = tmp_path / "big.xml"
    feed.write_text(text, "utf-8")
    monkeypatch.setattr(feeds_module, "STREAM_BYTES", 0)
    chunks = list(read_feed_chunks(feed))
    assert [len(c.articles) for c in chunks] == [500, 500, 200]
    whole = read_feed(feed)
    assert [a for c in chunks for a in c.articles] == whole.articles
    assert chunks[2].articles[0].record.startswith("item 1001")


def test_a_stream_that_hits_malformed_xml_falls_back_to_the_whole_file_without_repeating_items(tmp_path, monkeypatch):
    items = many_items(700)
    items[650] = items[650].replace("</title>", "</titel>")  # not well-formed: expat stops here
    feed = tmp_path / "broken.xml"
    feed.write_text(rss(*items), "utf-8")
    monkeypatch.setattr(feeds_module, "STREAM_BYTES", 0)
    chunks = list(read_feed_chunks(feed))
    assert len(chunks[0].articles) == 500  # streamed before the error
    guids = [a.guid for c in chunks for a in c.articles]
    assert len(guids) == len(set(guids))  # nothing given twice
    assert guids[:500] == [f"https://example.com/?p={n}" for n in range(500)]
    assert {f"https://example.com/?p={n}" for n in range(500, 650)} <= set(guids)  # feedparser recovered them


def test_a_shard_is_cut_by_buffered_text_not_only_by_rows(tmp_path):
    """Split's peak memory is the shard buffer and the Arrow/Parquet copies made of it at the flush: with
    long articles, 10k rows are hundreds of MB, so the buffer is also bounded by its text."""
    from feedcorpus.documents import Article, make_document

    store = ArchiveStore(tmp_path / "archive")
    paragraph = "Fighters attacked a post near Ménaka, officials said. " * 700  # about 38k characters
    for number in range(400):  # about 15 MB of text, far fewer than SHARD_ROWS articles
        article = Article(f"item {number}", f"Report {number}", (paragraph,), guid=f"https://example.org/?p={number}")
        store.put(make_document(article, feed="feed.xml"))
    written = store.shards()
    assert written  # before: nothing written until close, the whole feed buffered
    for path in written:
        text = sum(len(t) for t in pq.read_table(path, columns=["text"]).column("text").to_pylist())
        assert text <= archive_module.SHARD_TEXT_BYTES + len(paragraph) + 100
    store.close()
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in store.shards()) == 400
