"""`feedcorpus report` on a tiny release built here: figures, document pages, the diff view, disagreements,
escaping of everything a feed or an export controls, and no resource loaded from the network."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from actor_lookup import ACTORS
from feedcorpus.cli import cli
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import load_label_schema
from feedcorpus.release.build import build
from feedcorpus.release.parquet import read_rows
from feedcorpus.release.store import ReleaseStore
from feedcorpus.report import diff as report_diff
from feedcorpus.report.layout import doc_file
from feedcorpus.report.load import load_report
from feedcorpus.report.write import write_report
from feedcorpus.spans import Span
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
HOSTILE_TITLE = "<script>alert(1)</script> in Bamako"
HOSTILE_ENTITY = '"><img src=x onerror=alert(1)>'
HOSTILE_ANNOTATOR = "<b>eve</b>"
MODEL = "<i>m1</i>"
STUDIO = "http://localhost:8080"
PROJECT = 7
DOCS = {
    "doc-a": (
        HOSTILE_TITLE,
        f"JNIM attacked Mali on Tuesday, said Goïta, and {HOSTILE_ENTITY} claimed it.",
        [("Bamako", "GPE"), ("JNIM", "ARMED_GROUP"), ("Mali", "GPE"), ("Tuesday", "DATE"), (HOSTILE_ENTITY, "ORG")],
    ),
    "doc-b": ("Niger news", "Fighting near Kidal spread to Niger.", [("Kidal", "GPE"), ("Niger", "GPE")]),
    "doc-c": ("Sahel news", "The Sahel saw attacks by Wagner in May.", [("Sahel", "LOC"), ("May", "DATE")]),
    "doc-d": ("Gao report", "Gao was calm, the UN said on Monday.", [("Gao", "GPE"), ("UN", "ORG")]),
    "doc-e": ("Mopti report", "Mopti and Djenne were quiet.", [("Mopti", "GPE"), ("Djenne", "GPE")]),
}
# doc-a's prediction: correct, wrong label, wrong boundary, spurious, correct; "Tuesday" is missed.
PREDICTED_A = [("Bamako", "GPE"), ("JNIM", "ORG"), ("Mali on", "GPE"), ("Goïta", "PERSON"), (HOSTILE_ENTITY, "ORG")]


def text_of(doc_id: str) -> str:
    title, body, _ = DOCS[doc_id]
    return f"{title}\n\n{body}"


def regions(text: str, pieces: list[tuple[str, str]]) -> list[dict]:
    found = []
    for piece, label in pieces:
        start = text.index(piece)
        value = {"start": start, "end": start + len(piece), "text": piece, "labels": [label]}
        found.append({"from_name": "label", "to_name": "text", "type": "labels", "value": value})
    return found


def annotation(number: int, who: str, pieces: list[tuple[str, str]], text: str, *, truth: bool = False) -> dict:
    return {
        "id": number,
        "completed_by": {"id": number, "email": f"{who}@example.org"},
        "result": regions(text, pieces),
        "ground_truth": truth,
        "updated_at": f"2026-01-0{number % 9 + 1}T00:00:00Z",
    }


def snapshot() -> bytes:
    tasks = []
    for task_id, (doc_id, (title, _, pieces)) in enumerate(DOCS.items(), 1):
        text = text_of(doc_id)
        annotations = [annotation(10 * task_id, "annotator-a", pieces, text)]
        if doc_id == "doc-b":  # disputed, settled by a ground truth
            annotations.append(annotation(10 * task_id + 1, HOSTILE_ANNOTATOR, pieces[1:], text))
            annotations.append(annotation(10 * task_id + 2, "adjudicator", pieces, text, truth=True))
        if doc_id == "doc-e":  # disputed, no ground truth: left out of the release
            annotations.append(annotation(10 * task_id + 1, "annotator-b", pieces[:1], text))
        predicted = PREDICTED_A if doc_id == "doc-a" else pieces
        tasks.append(
            {
                "id": task_id,
                "project": PROJECT,
                "data": {"text": text, "doc_id": doc_id, "title": title, "source": "Example <Post>"},
                "annotations": annotations,
                "predictions": [{"id": 100 + task_id, "model_version": MODEL, "result": regions(text, predicted)}],
            }
        )
    return json.dumps(tasks).encode("utf-8")


@pytest.fixture
def release(project: Path) -> Path:
    store = ReleaseStore(project / "annotations")
    return store.publish(build(snapshot(), version="1.0.0", schema=SCHEMA, actors=ACTORS), SCHEMA)


@pytest.fixture
def pages(project: Path, release: Path) -> dict[str, str]:
    data = load_report(release, SCHEMA, studio_url=STUDIO)
    out = project / "reports" / "v1.0.0"
    index = write_report(data, out)
    assert index == out / "index.html"
    return {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in out.rglob("*.html")}


class Tables(HTMLParser):
    """The text of every table's cells, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs).get("id") or f"table-{len(self.tables)}", [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.current is not None:
            self.current[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_the_index_counts_entities_per_label_and_split_as_the_data_has_them(pages, release):
    rows = read_rows(release / "gold.parquet")  # doc-e is disputed: left out
    expected = {(label.name, split): 0 for label in SCHEMA.labels for split in ("train", "validation", "test")}
    for row in rows:
        for entity in row["entities"]:
            expected[(entity["label"], row["split"])] += 1
    table = tables(pages["index.html"])["entities-per-label"]
    header, *body = table
    assert header[0] == "label" and header[-1] == "total"
    shown = {(row[0], split): int(row[header.index(split)]) for row in body for split in header[1:-1]}
    assert {split for _, split in shown} == {row["split"] for row in rows}
    assert {key: n for key, n in shown.items() if key[0] != "all"} == {k: v for k, v in expected.items() if k in shown}
    assert {row[0]: int(row[-1]) for row in body}["all"] == sum(expected.values()) == 11
    assert '<svg class="chart"' in pages["index.html"] and "Gold entities per label and split" in pages["index.html"]


def test_the_index_lists_documents_by_errors_and_links_their_pages(pages):
    rows = tables(pages["index.html"])["document-table"]
    header, *body = rows
    assert header[:5] == ["document", "title", "split", "gold entities", "errors"]
    assert body[0][0] == "doc-a"  # 4 errors: the most
    assert body[0][4] == "4" and all(row[4] == "0" for row in body[1:])
    assert {row[0] for row in body} == {"doc-a", "doc-b", "doc-c", "doc-d"}
    assert 'href="docs/doc-a.html"' in pages["index.html"]
    assert set(pages) == {"index.html", "disagreements.html", *(f"docs/doc-{x}.html" for x in "abcd")}


def test_a_document_page_shows_its_gold_entities_and_the_diff_kinds(pages):
    page = pages["docs/doc-a.html"]
    assert section(page, "gold").count("<mark") == len(DOCS["doc-a"][2]) == 5
    diff_view = section(page, "set-0")
    for mark in ("correct GPE", "wrong label ORG (gold ARMED_GROUP)", "wrong boundary GPE", "spurious PERSON"):
        assert mark in diff_view, mark
    assert "missed DATE" in diff_view
    errors = tables(diff_view)["table-0"]
    assert [row[0] for row in errors[1:]] == ["wrong label", "wrong boundary", "missed", "spurious"]
    assert 'href="doc-b.html" rel="next"' in page and 'href="../index.html#documents"' in page
    assert f'href="{STUDIO}/projects/{PROJECT}/data?task=1"' in page


def test_the_diff_classifies_every_kind_by_its_definition():
    gold = [Span(0, 4, "GPE", "Mali"), Span(10, 15, "ORG", "UNHCR"), Span(20, 26, "DATE", "Monday")]
    predicted = [
        Span(0, 4, "GPE", "Mali"),  # correct
        Span(10, 15, "NORP", "UNHCR"),  # same bounds, other label
        Span(18, 26, "DATE", "n Monday"),  # overlaps with other bounds
        Span(30, 33, "ORG", "AFP"),  # overlaps nothing
    ]
    items = report_diff.diff(gold, predicted)
    assert [item.kind for item in items] == ["correct", "wrong label", "wrong boundary", "spurious"]
    assert report_diff.diff(gold, predicted[:2])[-1].kind == "missed"
    assert report_diff.error_count(items) == 3


def test_the_disagreements_page_shows_both_annotators_side_by_side(pages):
    page = pages["disagreements.html"]
    summary = tables(page)["disagreement-table"]
    assert [row[1] for row in summary[1:]] == ["doc-b", "doc-e"]
    task = section(page, "task-2")
    header, *rows = tables(task)["table-0"]
    assert header[2].startswith("annotator-a") and header[3].startswith(HOSTILE_ANNOTATOR)
    assert header[4].startswith("adjudicator (ground truth)")
    (kidal,) = rows
    assert "Kidal" in kidal[0] and kidal[2:] == ["GPE", "–", "GPE"]
    assert "the ground-truth annotation" in task and f'href="{STUDIO}/projects/{PROJECT}/data?task=2"' in task
    left_out = section(page, "task-5")
    assert "No gold: left out of the release" in left_out and "annotator-b" in left_out


def test_hostile_strings_are_escaped_everywhere(pages):
    for name, html in pages.items():
        for raw in ("<script>alert", "<img src=x", HOSTILE_ANNOTATOR, MODEL, "<Post>"):
            assert raw not in html, f"{name} contains {raw!r}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in Bamako" in pages["docs/doc-a.html"]
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in section(pages["docs/doc-a.html"], "gold")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["index.html"]
    assert "&lt;b&gt;eve&lt;/b&gt;" in pages["disagreements.html"]
    assert "&lt;i&gt;m1&lt;/i&gt;" in pages["index.html"]


def test_nothing_is_loaded_from_the_network_and_only_our_script_may_run(pages):
    for name, html in pages.items():
        assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", html), name
        assert not re.search(r"""<link[^>]*href\s*=\s*["']?(https?:)?//""", html), name
        assert "@import" not in html and "url(" not in html, name
        assert "default-src 'none'" in html, name
        for script in re.findall(r"<script>(.*?)</script>", html, re.S):
            digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
            assert f"'sha256-{digest}'" in html, name
    assert pages["index.html"].count("<script>") == 1 and "<script" not in pages["docs/doc-a.html"]


def test_the_command_adds_prediction_sets_from_the_store_and_refuses_a_bad_url(project, release):
    version = "store-model"
    folder = project / "corpus" / "predictions"
    folder.mkdir(parents=True)
    text = text_of("doc-c")
    records = [
        {
            "doc_id": "doc-c",
            "doc_sha256": sha256_text(text),
            "model_version": version,
            "spans": [  # Sahel: wrong label; "attacks" with a hostile label: spurious; May: missed
                {"start": text.index("Sahel"), "end": text.index("Sahel") + 5, "label": "GPE", "text": "Sahel"},
                {"start": text.index("attacks"), "end": text.index("attacks") + 7, "label": "<x>", "text": "attacks"},
            ],
        },
        {"doc_id": "doc-d", "doc_sha256": "0" * 64, "model_version": version, "spans": []},  # another text
    ]
    (folder / f"{version}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    out = project / "out"
    args = ["report", "--project-dir", str(project), "--predictions", version, "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--studio-url", STUDIO])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str((out / "index.html").resolve())
    index = (out / "index.html").read_text("utf-8")
    assert f"<b>{version} (corpus/predictions)</b>" in index  # the chosen set: listed first
    assert "1 document(s) predicted for another version of the text" in index
    first = tables(index)["document-table"][1]
    assert first[0] == "doc-c" and first[4] == "3"
    page = (out / "docs" / "doc-c.html").read_text("utf-8")
    assert "wrong label GPE (gold LOC)" in page and "spurious &lt;x&gt;" in page and "<x>" not in page
    assert "another version of its text" in (out / "docs" / "doc-d.html").read_text("utf-8")
    bad = CliRunner().invoke(cli, [*args, "--studio-url", "javascript:alert(1)"])
    assert bad.exit_code == 1 and "must be http(s)" in bad.output
    missing = CliRunner().invoke(cli, ["report", "--project-dir", str(project), "--predictions", "nope"])
    assert missing.exit_code == 1 and "no such prediction set" in missing.output


def test_default_output_and_no_links_without_a_studio_url(project, release, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    result = CliRunner().invoke(cli, ["report", "--project-dir", str(project)])
    assert result.exit_code == 0, result.output
    page = (project / "reports" / "v1.0.0" / "disagreements.html").read_text("utf-8")
    assert "/projects/" not in page and "task 2" in page


def test_page_names_stay_inside_docs_and_stale_pages_go_only_from_a_report_folder(tmp_path, release):
    for hostile in ("../../etc/passwd", '"><b>x', "a/b", ".hidden", ""):
        name = doc_file(hostile)
        assert "/" not in name and not name.startswith(".") and name.endswith(".html")
    assert doc_file("thedefensepost-85383") == "thedefensepost-85383.html"
    foreign = tmp_path / "foreign"
    (foreign / "docs").mkdir(parents=True)
    (foreign / "docs" / "mine.html").write_text("not a report page")
    data = load_report(release, SCHEMA)
    write_report(data, foreign)
    assert (foreign / "docs" / "mine.html").exists()  # the folder was not a report before: nothing removed
    (foreign / "docs" / "old.html").write_text("a page of a document no longer released")
    write_report(data, foreign)
    assert not (foreign / "docs" / "old.html").exists() and not (foreign / "docs" / "mine.html").exists()
