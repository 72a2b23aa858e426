"""split off the happy path: ids that collide, feeds cut off mid-item, one bad item among good ones,
UTF-8 declared as a legacy encoding. Feeds are written here, in the test."""

from __future__ import annotations

import json
import sys

from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.ingest.feeds import read_feed_bytes
from feedcorpus.ingest.xmlfeed import cut_items, parse_xml


def rss(*items: str, encoding: str = "UTF-8", title: str = "Example Post") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f"<channel><title>{title}</title><link>https://example.org/</link>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    )


def item(number: int, *, guid: str | None = None, link: str | None = None, body: str = "", date: str = "") -> str:
    guid_tag = f"<guid>{guid}</guid>" if guid else ""
    link_tag = f"<link>{link}</link>" if link else ""
    body = body or f"<p>Fighters attacked a post near Ménaka on day {number}, officials said.</p><p>More later.</p>"
    date_tag = f"<pubDate>{date}</pubDate>" if date else "<pubDate>Tue, 17 Sep 2024 10:00:00 +0000</pubDate>"
    return (
        f"<item><title>Report {number}</title>{link_tag}{guid_tag}{date_tag}\n"
        f"<description>Summary {number}.</description>\n"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )


def split(project, *feeds: str, args: tuple[str, ...] = ()):
    paths = []
    for number, content in enumerate(feeds):
        path = project / "corpus" / "feeds" / f"feed-{number}.xml"
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        paths.append(str(path))
    return CliRunner().invoke(cli, ["split", *args, "--project-dir", str(project), *paths])


def stored(project) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in (project / "corpus" / "documents").glob("*.json")}


def test_the_same_post_number_on_two_sites_gives_two_documents(project):
    feed_a = rss(item(1, guid="https://example.com/?p=5", link="https://example.com/report-one"))
    feed_b = rss(item(2, guid="https://example.org/?p=5", link="https://example.org/report-two"))
    result = split(project, feed_a, feed_b)
    assert result.exit_code == 0, result.output
    docs = stored(project)
    assert len(docs) == 2 and "example-5" in docs
    other = next(d for name, d in docs.items() if name != "example-5")
    assert other["id"].startswith("example-5-") and other["guid"] == "https://example.org/?p=5"
    assert (
        f"id example-5 belongs to another article (https://example.com/?p=5); stored as {other['id']}" in result.stderr
    )
    # a later run, with the feeds in the other order, neither overwrites nor renames anything
    again = split(project, feed_b, feed_a)
    assert again.exit_code == 0 and "0 written, 0 changed, 2 unchanged" in again.stdout
    assert stored(project) == docs


def test_query_strings_that_differ_in_another_parameter_are_different_articles(project):
    feed = rss(
        item(1, guid="https://example.com/?p=7&amp;lang=fr", link="https://example.com/?p=7&amp;lang=fr"),
        item(2, guid="https://example.com/?p=7&amp;lang=en", link="https://example.com/?p=7&amp;lang=en"),
    )
    result = split(project, feed)
    assert result.exit_code == 0 and "2 written" in result.stdout and "0 duplicates" in result.stdout
    assert {d["guid"] for d in stored(project).values()} == {
        "https://example.com/?p=7&lang=fr",
        "https://example.com/?p=7&lang=en",
    }


def test_the_same_article_twice_is_still_one_document(project):
    one = item(1, guid="https://example.com/?p=9", link="https://example.com/nine")
    result = split(project, rss(one, one))
    assert "1 written" in result.stdout and "1 duplicates" in result.stdout


def test_an_item_cut_by_malformed_xml_is_not_written_and_strict_fails_the_feed(project):
    whole = rss(*(item(n, guid=f"https://example.org/?p={n}", link=f"https://example.org/{n}") for n in (1, 2, 3)))
    cut = whole[: whole.index("More later.", whole.index("Report 2")) - 3]  # inside item 2's content:encoded
    read = read_feed_bytes(cut.encode())
    assert [a.title for a in read.articles] == ["Report 1", "Report 2"]
    assert read.articles[0].cut_off is None and "malformed XML inside it" in (read.articles[1].cut_off or "")
    result = split(project, cut)
    assert result.exit_code == 0
    assert sorted(stored(project)) == ["example-1"]
    assert "item 2 (guid https://example.org/?p=2): malformed XML inside it (SAXParseException" in result.stderr
    assert "not written (it may be incomplete)" in result.stderr
    strict = split(project, cut, args=("--strict",))
    assert strict.exit_code == 1 and "--strict refuses the feed" in strict.stderr


def test_cut_items_finds_the_item_around_the_error_line():
    text = "<rss>\n<item>a</item>\n<item>\nb\n</item>\n<item>c"
    assert cut_items(text, 4) == {1: 3}
    assert cut_items(text, 6) == {2: 6}
    assert cut_items(text, 1) == {}


class CountingText(str):
    """A feed text that counts the characters `count` and `find` scan, to see how often the text is walked."""

    scanned = 0

    def count(self, sub, start=None, end=None):  # type: ignore[override]
        CountingText.scanned += (len(self) if end is None else end) - (start or 0)
        return super().count(sub, start, end)

    def find(self, sub, start=None, end=None):  # type: ignore[override]
        found = super().find(sub, start, end)
        CountingText.scanned += (len(self) if found < 0 else found) - (start or 0)
        return found


def test_locating_a_damaged_item_walks_the_text_once_not_once_per_item():
    items = [f"<item><title>t{n}</title></item>" for n in range(2000)]
    items[1000] = "<item><title>bad</titl></item>"
    text = CountingText(f"<rss><channel>\n{''.join(items)}</channel></rss>")
    CountingText.scanned = 0
    assert cut_items(text, 2, text.index("</titl>") - len("<rss><channel>\n")) == {1000: 2}
    assert CountingText.scanned <= 2 * len(text)  # per-item counting from the start scanned ~2000 × len / 2
    assert len(cut_items(text, 2)) == 2000  # without a column, the whole line is suspect


def test_one_bad_item_of_a_single_line_feed_costs_only_that_item():
    good = [item(n, guid=f"https://example.org/?p={n}") for n in range(1, 6)]
    good[2] = good[2].replace("</title>", "</titl>", 1)
    feed = rss(*good).replace("\n", "")
    original = feed[: feed.index("?>") + 2]
    for declaration in (
        original,
        "",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    ):  # as feedparser shifts it
        read = parse_xml(feed.replace(original, declaration).encode())
        assert [a.cut_off is not None for a in read.articles] == [False, False, True, False, False], declaration


def test_one_bad_item_is_skipped_and_the_others_are_written(project):
    year_zero = item(2, guid="https://example.org/?p=2", date="0001-01-01T00:00:00+14:00")  # → year 0: no datetime
    year_999 = item(3, guid="https://example.org/?p=3", date="Tue, 17 Sep 0999 10:00:00 +0000")  # breaks the schema
    bad_url = item(4, guid="https://[broken/?p=4", link="https://[broken/4")
    feed = rss(
        item(1, guid="https://example.org/?p=1"), year_zero, year_999, bad_url, item(5, guid="https://example.org/?p=5")
    )
    result = split(project, feed)
    assert result.exit_code == 0, result.output
    assert sorted(stored(project)) == ["example-1", "example-5"]
    skipped = [line for line in result.stderr.splitlines() if line.startswith("Skipped:")]
    prefix = f"Skipped: {project / 'corpus' / 'feeds' / 'feed-0.xml'}: "
    assert [line.removeprefix(prefix).split("): ")[0] + ")" for line in skipped] == [
        "item 2 (guid https://example.org/?p=2)",
        "item 3 (guid https://example.org/?p=3)",
        "item 4 (guid https://[broken/?p=4)",
    ], skipped
    assert "year 0 is out of range" in skipped[0] and "published" in skipped[1]
    assert "Traceback" not in result.output


def test_utf8_bytes_declared_as_a_legacy_encoding_are_read_as_utf8_with_a_warning():
    text = rss(
        item(1, guid="https://example.ru/?p=1", body="<p>Бамако: столица Мали — Гоита.</p>"), encoding="windows-1251"
    )
    read = read_feed_bytes(text.encode("utf-8"))
    assert read.articles[0].paragraphs == ("Бамако: столица Мали — Гоита.",)
    assert "declares windows-1251 but its bytes are UTF-8; read as UTF-8" in read.warnings
    genuine = read_feed_bytes(text.encode("cp1251", errors="replace").replace(b"\xe2\x80\x94", b"-"))
    assert genuine.articles[0].paragraphs[0].startswith("Бамако") and not genuine.warnings
    koi8 = rss(item(1, guid="https://example.ru/?p=2", body="<p>Ниамей</p>"), encoding="KOI8-R")
    assert read_feed_bytes(koi8.encode("utf-8")).articles[0].paragraphs == ("Ниамей",)


def test_control_characters_from_a_feed_reach_the_terminal_escaped(project):
    osc = "\x1b]0;pwned\x07"  # would retitle the terminal window
    cut = rss(item(1, guid="https://example.org/?p=1"), item(2, guid=f"https://example.org/?p=2{osc}\u202e"))
    result = split(project, cut)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("Skipped:")]
    assert len(skipped) == 1 and "(guid https://example.org/?p=2\\x1b]0;pwned\\x07\\u202e)" in skipped[0]
    broken = project / "corpus" / "feeds" / f"bad{osc}.xml"
    broken.write_text("not a feed at all", "utf-8")
    failed = CliRunner().invoke(cli, ["split", "--project-dir", str(project), str(broken)])
    assert failed.exit_code == 1 and "\x1b" not in failed.output and "bad\\x1b]0;pwned\\x07.xml" in failed.stderr


def test_a_feed_that_never_ends_is_refused_at_the_bound_not_read_until_memory_runs_out(project, monkeypatch):
    from feedcorpus.ingest import feeds

    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 1 << 20)
    result = CliRunner().invoke(cli, ["split", "--project-dir", str(project), "/dev/zero"])
    assert result.exit_code == 1, result.output
    assert "Error: /dev/zero: more than 1 MiB, the most a feed is read whole" in result.stderr
    assert "Traceback" not in result.output


def test_an_export_file_that_never_ends_is_refused_at_the_bound(project, monkeypatch):
    monkeypatch.setattr(sys.modules["feedcorpus.cli.export"], "MAX_SNAPSHOT_BYTES", 1 << 20)
    args = ["export", "--version", "1.0.0", "--from-file", "/dev/zero", "--project-dir", str(project)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "Error: /dev/zero: more than 1 MiB, the most an export file is read" in result.stderr
