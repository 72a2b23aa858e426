"""The pure parts of fetch: what a body is (sniff), the item counter across chunk boundaries, next-page links,
WordPress page URLs, and the snapshot folder's promises (never overwritten, the same bytes stored once, a
log line cut by a crash ignored)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from feedcorpus.ingest.fetch import page_url
from feedcorpus.ingest.http import printable
from feedcorpus.ingest.sniff import ItemCounter, next_page, not_a_feed
from feedcorpus.ingest.sources import name_for_url
from feedcorpus.stores.snapshots import FeedFolder


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0"?>\n<!-- generator -->\n<rss version="2.0"><channel>',
        b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>",
        b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>",
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0">'.encode("utf-16"),
        b"\n\n  <?xml version='1.0'?><?xml-stylesheet href='s.xsl'?><!DOCTYPE rss><rss>",
    ],
)
def test_feeds_are_recognised_from_their_first_bytes(head):
    assert not_a_feed(head, "application/xml") is None


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"<!DOCTYPE html>\n<html lang='en'>", "an HTML page"),
        (b"<?xml version='1.0'?><!DOCTYPE html><html xmlns='http://www.w3.org/1999/xhtml'>", "an HTML page"),
        (b"  [1, 2]", "JSON"),
        (b" \n ", "an empty body"),
        (b"Hello, world", "text that is not XML"),
        (b"<?xml version='1.0'?><urlset>", "root element is <urlset>"),
    ],
)
def test_what_is_not_a_feed_is_named(head, said):
    assert said in not_a_feed(head, "text/html; charset=utf-8") and "(text/html; charset=utf-8)" in not_a_feed(
        head, "text/html; charset=utf-8"
    )


def test_the_item_counter_counts_tags_cut_between_chunks_once():
    body = b"<rss><channel>" + b"".join(b"<item><title>t</title></item>" for _ in range(50)) + b"</channel></rss>"
    for size in (1, 3, 7, 64, 1000):
        counter = ItemCounter()
        for start in range(0, len(body), size):
            counter.feed(body[start : start + size])
        assert counter.count == 50, size
    atom = ItemCounter()
    atom.feed(b"<feed><entry>a</entry><atom:entry>b</atom:entry><entryway/><items/></feed>")
    assert atom.count == 2


def test_next_page_is_the_feed_level_rel_next_link_only():
    feed = b'<feed><link rel="self" href="/a"/><link href="/a?page=2&amp;x=1" rel="next"/>'
    feed += b'<entry><link rel="next" href="/no"/>'
    assert next_page(feed) == "/a?page=2&x=1"
    assert next_page(b'<feed><entry><link rel="next" href="/no"/></entry></feed>') is None


def test_wordpress_page_urls_and_folder_names():
    assert page_url("https://x.org/tag/mali/feed/", 3) == "https://x.org/tag/mali/feed/?paged=3"
    assert page_url("https://x.org/?feed=rss2&paged=2", 4) == "https://x.org/?feed=rss2&paged=4"
    assert name_for_url("https://thedefensepost.com/tag/mali/feed/") == "thedefensepost-com-tag-mali-feed"


def test_a_snapshot_is_never_overwritten_and_the_same_bytes_are_stored_once(tmp_path):
    folder = FeedFolder(tmp_path / "src")
    folder.prepare()
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    def store(data: bytes, when: datetime):
        with folder.receiving() as body:
            body.write(data)
            return folder.publish(body, hashlib.sha256(data).hexdigest(), when)

    first, new = store(b"<rss>one</rss>", at)
    assert new and first.name.startswith("20260102T030405Z-") and first.read_bytes() == b"<rss>one</rss>"
    again, new_again = store(b"<rss>one</rss>", datetime(2026, 1, 3, tzinfo=UTC))
    assert again == first and not new_again
    other, _ = store(b"<rss>two</rss>", at)
    assert other != first and first.read_bytes() == b"<rss>one</rss>"
    assert sorted(p.name for p in tmp_path.joinpath("src").iterdir()) == sorted([first.name, other.name])


def test_a_log_line_cut_by_a_crash_is_skipped(tmp_path):
    folder = FeedFolder(tmp_path / "src")
    folder.append({"url": "https://x.org/f", "status": 200})
    with open(folder.log_path, "a", encoding="utf-8") as log:
        log.write('{"url": "https://x.org/f", "sta')
    assert folder.entries() == [{"url": "https://x.org/f", "status": 200}]
    folder.append({"url": "https://x.org/f", "status": 304})  # the next line starts on a line of its own
    assert folder.entries() == [{"url": "https://x.org/f", "status": 200}, {"url": "https://x.org/f", "status": 304}]


def test_server_text_is_escaped_for_the_terminal_and_bounded():
    assert printable("Not Found\x1b[2J\x1b]0;owned\x07") == "Not Found\\x1b[2J\\x1b]0;owned\\x07"
    assert printable("x" * 500, 20) == "x" * 19 + "…"
