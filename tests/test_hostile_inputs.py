"""Hostile and broken inputs across every command: each gives exit 1 or 2, one `Error:` line naming the
file or record, no traceback, and changes nothing under corpus/ or annotations/.

A new case is one line in CASES: (name, command, how to break the project, what the error must say).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from testdata_paths import DATA, REPO, SEED

Break = Callable[[Path], None]
EXPORT = DATA / "studio-exports" / "snapshot-full.json"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A project with the seed's documents and predictions and the v1.0.0 release."""
    root = tmp_path_factory.mktemp("hostile-base")
    for name in ("schemas", "corpus", "annotations"):
        shutil.copytree(REPO / name, root / name)
    return root


def write(relative: str, data: bytes | str) -> Break:
    def apply(project: Path) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return apply


def edit_export(change: Callable[[list], None], name: str = "bad-export.json") -> Break:
    def apply(project: Path) -> None:
        tasks = json.loads(EXPORT.read_text("utf-8"))
        change(tasks)
        (project / name).write_text(json.dumps(tasks), "utf-8")

    return apply


def first_annotation(tasks: list) -> dict:
    return next(t for t in tasks if t["annotations"])["annotations"][0]


def edit_document(change: Callable[[dict], None]) -> Break:
    def apply(project: Path) -> None:
        path = sorted((project / "corpus" / "documents").glob("*.json"))[0]
        data = json.loads(path.read_text("utf-8"))
        change(data)
        path.write_text(json.dumps(data), "utf-8")

    return apply


def remove(relative: str) -> Break:
    return lambda project: shutil.rmtree(project / relative)


def nothing(project: Path) -> None:
    return None


def chain(*steps: Break) -> Break:
    return lambda project: [step(project) for step in steps] and None


def corrupt(relative: str) -> Break:
    def apply(project: Path) -> None:
        path = project / relative
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])

    return apply


TRUNCATED = SEED.read_text("utf-8")[:0] + (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Only</title>'
    "<description><![CDATA[<p>Cut in the middle of"
)
NO_URL = {"LABEL_STUDIO_URL": None, "LABEL_STUDIO_API_KEY": None}

# (name, arguments, how the project is broken, environment, what the Error line says)
CASES: list[tuple[str, list[str], Break, dict, str]] = [
    ("split-empty-file", ["split", "feeds/empty.xml"], write("feeds/empty.xml", b""), {}, "empty.xml: file is empty"),
    ("split-binary", ["split", "feeds/x.bin"], write("feeds/x.bin", b"\x89PNG\r\n\x1a\n\x00\x00"), {}, "binary file"),
    ("split-missing-file", ["split", "feeds/none.xml"], nothing, {}, "none.xml: No such file or directory"),
    ("split-out-under-a-file", ["split", str(SEED), "--out", "blocker/docs"], write("blocker", "x"), {}, "blocker"),
    (
        "split-strict-truncated",
        ["split", "--strict", "feeds/cut.xml"],
        write("feeds/cut.xml", TRUNCATED),
        {},
        "cut.xml",
    ),
    ("split-bad-format", ["split", "--format", "csv", str(SEED)], nothing, {}, "'csv' is not one of"),
    (
        "fetch-bad-sources",
        ["fetch"],
        write("corpus/sources.yaml", "sources: [{url: 'ftp://x'}]"),
        {},
        "sources.yaml: source 1: url: not an http(s) URL",
    ),
    (
        "fetch-no-contact",
        ["fetch", "https://example.org/feed/"],
        nothing,
        {"FEEDCORPUS_CONTACT": ""},
        "no contact for the User-Agent: set --contact",
    ),
    (
        "fetch-not-http",
        ["fetch", "--contact", "https://e.org/c", "file:///etc/passwd"],
        nothing,
        {},
        "file:///etc/passwd: not an http(s) URL",
    ),
    (
        "preannotate-pattern-not-object",
        ["preannotate"],
        write("schemas/patterns/bad.jsonl", "[1, 2]\n"),
        {},
        "bad.jsonl: line 1",
    ),
    (
        "preannotate-bad-token-pattern",
        ["preannotate"],
        write("schemas/patterns/bad.jsonl", '{"label": "GPE", "pattern": [{"NOPE": 1}]}\n'),
        {},
        "invalid entity-ruler pattern",
    ),
    (
        "preannotate-text-not-string",
        ["preannotate"],
        edit_document(lambda d: d.update(text=5)),
        {},
        "not a valid document",
    ),
    (
        "preannotate-document-not-json",
        ["preannotate"],
        write("corpus/documents/zz-broken.json", "{oops"),
        {},
        "zz-broken.json: not a valid document",
    ),
    (
        "preannotate-empty-corpus",
        ["preannotate"],
        chain(remove("corpus/documents"), write("corpus/documents/.keep", "")),
        {},
        "no documents; run `feedcorpus split",
    ),
    ("preannotate-missing-model", ["preannotate", "--model", "xx_none"], nothing, {}, "'xx_none' is not installed"),
    (
        "push-url-without-scheme",
        ["push"],
        nothing,
        {"LABEL_STUDIO_URL": "localhost:8080", "LABEL_STUDIO_API_KEY": "k"},
        "LABEL_STUDIO_URL must be an http(s) URL",
    ),
    (
        "push-url-without-key",
        ["push"],
        nothing,
        {"LABEL_STUDIO_URL": "http://127.0.0.1:9", "LABEL_STUDIO_API_KEY": None},
        "LABEL_STUDIO_API_KEY is not",
    ),
    (
        "push-empty-corpus",
        ["push"],
        chain(remove("corpus/documents"), write("corpus/documents/.keep", "")),
        NO_URL,
        "no documents",
    ),
    (
        "export-not-json",
        ["export", "--version", "4.0.0", "--from-file", "x.json"],
        write("x.json", "{oops"),
        {},
        "x.json: the snapshot is not JSON",
    ),
    (
        "export-json-min",
        ["export", "--version", "4.0.0", "--from-file", str(DATA / "studio-exports" / "json-min.json")],
        nothing,
        {},
        "JSON_MIN export",
    ),
    (
        "export-start-not-a-number",
        ["export", "--version", "4.0.0", "--from-file", "bad-export.json"],
        edit_export(lambda t: first_annotation(t)["result"][0]["value"].update(start="abc")),
        {},
        "bad-export.json",
    ),
    (
        "export-annotation-not-object",
        ["export", "--version", "4.0.0", "--from-file", "bad-export.json"],
        edit_export(lambda t: t[0].update(annotations=["x"])),
        {},
        "an annotation is str, not an object",
    ),
    (
        "export-bad-timestamp",
        ["export", "--version", "4.0.0", "--from-file", "bad-export.json"],
        edit_export(lambda t: first_annotation(t).update(updated_at="yesterday")),
        {},
        "'yesterday' is not an ISO 8601 timestamp",
    ),
    (
        "export-bad-version",
        ["export", "--version", "1.0", "--from-file", str(EXPORT)],
        nothing,
        {},
        "version '1.0' is not semantic",
    ),
    (
        "export-existing-version",
        ["export", "--version", "1.0.0", "--from-file", str(EXPORT)],
        nothing,
        {},
        "v1.0.0 exists; versions are immutable",
    ),
    (
        "export-annotations-unwritable",
        ["export", "--version", "1.0.0", "--from-file", str(EXPORT)],
        chain(remove("annotations"), write("annotations", "not a folder")),
        {},
        "nothing was published",
    ),
    (
        "diff-corrupted-parquet",
        ["diff", "1.0.0", "1.0.0"],
        corrupt("annotations/v1.0.0/gold.parquet"),
        {},
        "gold.parquet: sha256 differs from manifest.json; the release is damaged",
    ),
    (
        "evaluate-corrupted-parquet",
        ["evaluate", "--release", "1.0.0"],
        corrupt("annotations/v1.0.0/gold.parquet"),
        {},
        "gold.parquet: sha256 differs from manifest.json; the release is damaged",
    ),
    (
        "versions-manifest-not-json",
        ["versions"],
        write("annotations/v1.0.0/manifest.json", "{oops"),
        {},
        "manifest.json: cannot read the manifest",
    ),
    ("diff-unknown-release", ["diff", "1.0.0", "9.9.9"], nothing, {}, "no release v9.9.9"),
    (
        "labels-invalid-yaml",
        ["labels"],
        write("schemas/labels.yaml", "labels: [unclosed"),
        {},
        "labels.yaml: not valid YAML",
    ),
]


def fingerprint(project: Path) -> dict[str, str]:
    found = {}
    for folder in ("corpus", "annotations"):
        root = project / folder
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
        for path in paths:
            found[path.relative_to(project).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize(("name", "args", "breaks", "env", "says"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input(name, args, breaks, env, says, base, tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(base, project)
    breaks(project)
    monkeypatch.chdir(project)
    before = fingerprint(project)
    result = CliRunner().invoke(cli, [*args, "--project-dir", str(project)], env=env)
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert says in errors[0], errors[0]
    if result.exit_code == 1:  # besides the error, only one-line notes: no usage text, no stack
        assert all(line.startswith(("Error:", "Warning:", "Skipped:")) for line in result.stderr.splitlines())
    assert fingerprint(project) == before
