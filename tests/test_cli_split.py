"""`feedcorpus split` through click's CliRunner on a temporary project, with the seed feed and the project's own
synthetic feeds (tests/data/feeds/); the same on real third-party feeds: tests/conformance/test_cli_split_shared.py."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from feedcorpus.cli import cli
from testdata_paths import FEEDS, SEED


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_split_seed_then_rerun_is_idempotent(project):
    feed = project / "corpus" / "feeds" / "seed.txt"
    shutil.copy(SEED, feed)
    first = run("split", "--project-dir", str(project), str(feed))
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("10 documents in ")
    assert "10 written, 0 changed, 0 unchanged" in first.stdout
    docs = sorted((project / "corpus" / "documents").glob("*.json"))
    assert len(docs) == 10
    data = json.loads((project / "corpus" / "documents" / "thedefensepost-85383.json").read_text("utf-8"))
    assert data["feed"] == "corpus/feeds/seed.txt"
    assert data["published"] == "2024-09-18T04:54:07Z"
    mtimes = {p: p.stat().st_mtime_ns for p in docs}

    second = run("split", "--project-dir", str(project), str(feed))
    assert second.exit_code == 0
    assert "0 written, 0 changed, 10 unchanged" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in docs} == mtimes


def test_documents_are_stored_as_readable_utf8(project):
    feed = project / "corpus" / "feeds" / "seed.txt"
    shutil.copy(SEED, feed)
    run("split", "--project-dir", str(project), str(feed))
    raw = (project / "corpus" / "documents" / "thedefensepost-85891.json").read_text("utf-8")
    assert "Assimi Goïta" in raw


def test_changed_article_is_rewritten_and_reported(project):
    feed = project / "corpus" / "feeds" / "seed.txt"
    shutil.copy(SEED, feed)
    run("split", "--project-dir", str(project), str(feed))
    feed.write_text(SEED.read_text("utf-8").replace("Salman al-Bambari, an ethnic", "Salman al-Bambari, a"), "utf-8")
    result = run("split", "--project-dir", str(project), str(feed))
    assert result.exit_code == 0
    assert "1 changed, 9 unchanged" in result.stdout
    assert "Changed: thedefensepost-85891 (rewritten)" in result.stderr
    text = json.loads((project / "corpus" / "documents" / "thedefensepost-85891.json").read_text("utf-8"))["text"]
    assert "Salman al-Bambari, a Bambara" in text


def test_same_article_in_two_feeds_gives_one_document(project):
    rss = FEEDS / "wordpress" / "example-post-rss2.xml"
    atom = FEEDS / "wordpress" / "example-post-atom10.xml"
    result = run("split", "--project-dir", str(project), str(rss), str(atom), str(rss))
    assert result.exit_code == 0, result.output
    assert "3 documents" in result.stdout and "6 duplicates" in result.stdout
    first = "item 1 (guid https://example-post.example/?p=101): same article as example-post-101"
    assert f"Duplicate: {atom}: {first}" in result.stderr
    names = sorted(p.name for p in (project / "corpus" / "documents").glob("*.json"))
    assert names == ["example-post-101.json", "example-post-102.json", "example-post-103.json"]


def test_bad_inputs_give_one_line_errors_and_exit_1(project, tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes((FEEDS / "illformed/unclosed-token.xml").read_bytes())
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello\nworld\n", "utf-8")
    missing = tmp_path / "missing.xml"
    result = run("split", "--project-dir", str(project), *map(str, (empty, binary, truncated, unknown, missing)))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [
        f"Error: {empty}: file is empty",
        f"Error: {binary}: binary file, not a feed",
        f"Error: {truncated}: no feed items could be read (SAXParseException: <unknown>:4:0: unclosed token)",
        f"Error: {unknown}: unknown format: not RSS/Atom XML and not a tag-stripped WordPress feed dump",
        f"Error: {missing}: No such file or directory",
    ]
    assert not (project / "corpus" / "documents").exists()


def test_items_without_title_or_body_are_skipped_and_named(project):
    feed = FEEDS / "wordpress" / "missing-title-and-body.xml"
    result = run("split", "--project-dir", str(project), str(feed))
    assert result.exit_code == 0
    assert f"Skipped: {feed}: item 2 (guid https://example-post.example/?p=402): no title" in result.stderr
    assert f"Skipped: {feed}: item 3 (guid https://example-post.example/?p=403): no body text" in result.stderr
    assert "1 documents" in result.stdout and "2 items skipped" in result.stdout


def test_items_without_guids_are_kept_apart_and_a_pixel_only_item_is_skipped(project):
    feed = FEEDS / "guid" / "no-guids.xml"
    result = run("split", "--project-dir", str(project), str(feed))
    assert result.exit_code == 0
    assert f"Skipped: {feed}: item 2: no body text" in result.stderr
    assert "3 documents" in result.stdout and "0 duplicates" in result.stdout and "1 items skipped" in result.stdout


def test_missing_date_is_null_with_a_warning(project):
    feed = FEEDS / "encoding" / "undeclared-latin1.xml"
    result = run("split", "--project-dir", str(project), str(feed))
    assert result.exit_code == 0
    assert "item 1: no publication date ('Ter, 17 Set 2024 10:15:00 -0300' not understood)" in result.stderr
    docs = [json.loads(p.read_text("utf-8")) for p in (project / "corpus" / "documents").glob("*.json")]
    first = next(d for d in docs if d["published_raw"] == "Ter, 17 Set 2024 10:15:00 -0300")
    assert first["published"] is None
    assert first["title"] == "Ataque perto de Ménaka deixa três mortos"


def test_dry_run_writes_nothing(project):
    result = run("split", "--dry-run", "--project-dir", str(project), str(SEED))
    assert result.exit_code == 0
    assert "10 would write" in result.stdout
    assert not (project / "corpus" / "documents").exists()


def test_forced_format_mismatch_fails(project):
    result = run("split", "--format", "xml", "--project-dir", str(project), str(SEED))
    assert result.exit_code == 1
    assert "no feed items could be read" in result.stderr


def test_no_half_written_document_when_a_write_fails(project, monkeypatch):
    import feedcorpus.fileio as fileio

    real_replace = fileio.os.replace
    calls = {"n": 0}

    def flaky_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", flaky_replace)
    result = CliRunner().invoke(cli, ["split", "--project-dir", str(project), str(SEED)])
    assert result.exit_code != 0
    written = sorted((project / "corpus" / "documents").iterdir())
    assert len(written) == 2  # the two before the failure, whole; no temp file left behind
    for path in written:
        assert path.suffix == ".json"
        json.loads(path.read_text("utf-8"))
