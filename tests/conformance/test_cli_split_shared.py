"""`feedcorpus split` through click's CliRunner on real third-party feeds, read in place from SHARED_TESTDATA/feeds."""

from __future__ import annotations

import json

from click.testing import CliRunner

from feedcorpus.cli import cli
from testdata_paths import SHARED_TESTDATA

FEEDS = SHARED_TESTDATA / "feeds"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_same_article_in_two_feeds_gives_one_document(project):
    rss = FEEDS / "wordpress" / "laminas_wordpress-rss2-dc-atom.xml"
    atom = FEEDS / "wordpress" / "laminas_wordpress-atom10.xml"
    result = run("split", "--project-dir", str(project), str(rss), str(atom), str(rss))
    assert result.exit_code == 0, result.output
    assert "10 documents" in result.stdout and "20 duplicates" in result.stdout
    assert len(list((project / "corpus" / "documents").glob("*.json"))) == 10


def test_bad_inputs_give_one_line_errors_and_exit_1(project, tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes((FEEDS / "feedparser/illformed/aaa_illformed.xml").read_bytes())
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello\nworld\n", "utf-8")
    missing = tmp_path / "missing.xml"
    result = run("split", "--project-dir", str(project), *map(str, (empty, binary, truncated, unknown, missing)))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [
        f"Error: {empty}: file is empty",
        f"Error: {binary}: binary file, not a feed",
        f"Error: {truncated}: no feed items could be read (SAXParseException: <unknown>:7:0: unclosed token)",
        f"Error: {unknown}: unknown format: not RSS/Atom XML and not a tag-stripped WordPress feed dump",
        f"Error: {missing}: No such file or directory",
    ]
    assert not (project / "corpus" / "documents").exists()


def test_items_without_title_or_body_are_skipped_and_named(project):
    feed = FEEDS / "realworld" / "rssparser_jn_iso-8859-1.rss"
    result = run("split", "--project-dir", str(project), str(feed))
    assert result.exit_code == 0
    assert f"Skipped: {feed}: item 2: no body text" in result.stderr
    assert "36 documents" in result.stdout and "4 items skipped" in result.stdout


def test_missing_date_is_null_with_a_warning(project):
    feed = FEEDS / "realworld" / "rssparser_uolNoticias_undeclared_latin1.rss"
    result = run("split", "--project-dir", str(project), str(feed))
    assert result.exit_code == 0
    assert "item 1: no publication date ('Seg, 24 Set 2018 19:42:40 -0300' not understood)" in result.stderr
    docs = [json.loads(p.read_text("utf-8")) for p in (project / "corpus" / "documents").glob("*.json")]
    first = next(d for d in docs if d["published_raw"] == "Seg, 24 Set 2018 19:42:40 -0300")
    assert first["published"] is None
