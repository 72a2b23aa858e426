"""`feedcorpus select`: novelty against gold and the reference lists, disagreement between prediction sets,
one document per near-copy group, a seeded random share, rounds that never repeat, and `push --selection`
refusing documents that are missing or changed."""

from __future__ import annotations

import importlib
import json
import shutil

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.cli.push import selected_documents
from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths
from feedcorpus.selection.choose import choose
from feedcorpus.selection.features import features, known_names, normalise, span_keys
from feedcorpus.spans import Span
from testdata_paths import FEEDS, REPO

select_command = importlib.import_module("feedcorpus.cli.select")  # `cli.select` is the command itself


def spans(*items: tuple[str, str]) -> list[Span]:
    found, at = [], 0
    for text, label in items:
        found.append(Span(at, at + len(text), label, text))
        at += len(text) + 1
    return found


def test_names_are_compared_without_case_quotes_or_spacing():
    assert normalise("  Katiba  Macina’s ") == normalise("katiba macina's")
    assert normalise("Goïta") != normalise("Goita")  # a different spelling is a different name to learn


def test_novelty_ignores_known_names_and_dates_and_counts_each_name_once():
    known = known_names(["JNIM", "Mali"])
    item = features("d", "s", spans(("JNIM", "ARMED_GROUP"), ("Katiba Serma", "ARMED_GROUP"), ("mali", "GPE"),
                                    ("Tuesday", "DATE"), ("KATIBA SERMA", "ARMED_GROUP")), known)  # fmt: skip
    assert item.novel == (("Katiba Serma", "ARMED_GROUP"),)
    assert item.disagreements == 0 and item.base_score == 1


def test_disagreement_is_the_spans_only_one_set_has():
    mine = spans(("Gao", "GPE"), ("Wagner", "ARMED_GROUP"))
    theirs = span_keys([mine[0], Span(mine[1].start, mine[1].end, "ORG", "Wagner")])
    assert features("d", "s", mine, known_names(["Gao", "Wagner"]), theirs).disagreements == 2
    assert features("d", "s", mine, known_names([]), span_keys(reversed(mine))).disagreements == 0  # order-free
    assert features("d", "s", mine, known_names([]), b"").disagreements == 2  # no prediction in the other set


def test_compared_spans_are_held_in_eight_bytes_each():
    many = [Span(i, i + 3, "GPE", "Gao") for i in range(0, 3000, 4)]
    keys = span_keys(many + many)  # a duplicate span counts once
    assert len(keys) == 8 * len(many)
    assert features("d", "s", many[1:], known_names(["Gao"]), keys).disagreements == 1


def chooser(pool, n, *, seed=0, random_count=0, groups=None, taken=(), sample=None):
    groups = groups or {}
    sizes = {g: list(groups.values()).count(g) for g in set(groups.values())}
    return choose(pool, sample if sample is not None else pool, n, seed=seed, random_count=random_count,
                  group_of=groups, group_sizes=sizes, taken_groups=taken)  # fmt: skip


def test_a_name_covered_by_an_earlier_pick_no_longer_counts():
    known = frozenset()
    a = features("a", None, spans(("Ansar Dine", "ARMED_GROUP"), ("Kidal", "GPE"), ("Iyad Ag Ghaly", "PERSON")), known)
    b = features("b", None, spans(("Ansar Dine", "ARMED_GROUP"), ("Kidal", "GPE")), known)
    c = features(
        "c",
        None,
        spans(
            ("Ménaka", "GPE"),
        ),
        known,
    )
    picked = chooser([b, a, c], 2)
    assert [p.doc_id for p in picked] == ["a", "c"]  # b adds nothing once a is in
    assert picked[0].score == 3 and "“Ansar Dine” (ARMED_GROUP)" in picked[0].reasons[0]


def test_one_document_per_near_copy_group_and_none_from_a_gold_group():
    known = frozenset()
    docs = [
        features(
            name,
            None,
            spans(
                (f"Name {name}", "ORG"),
            ),
            known,
        )
        for name in "abcd"
    ]
    groups = {"a": "g1", "b": "g1", "c": "g2", "d": "g3"}
    picked = chooser(docs, 4, groups=groups, taken={"g2"})
    assert sorted(p.doc_id for p in picked)[0] in "ab" and len(picked) == 2
    assert {p.group for p in picked} == {"g1", "g3"}
    first_of_g1 = next(p for p in picked if p.group == "g1")
    assert "near-copies: 1 other document of group g1 left out" in first_of_g1.reasons


def test_the_random_share_is_seeded_and_does_not_depend_on_input_order():
    known = frozenset()
    docs = [
        features(
            f"d{n:03d}",
            None,
            spans(
                (f"Name {n}", "ORG"),
            ),
            known,
        )
        for n in range(200)
    ]
    one = chooser(docs, 20, seed=5, random_count=5)
    again = chooser(list(reversed(docs)), 20, seed=5, random_count=5)
    other_seed = chooser(docs, 20, seed=6, random_count=5)
    assert [p.doc_id for p in one] == [p.doc_id for p in again]
    assert [p.kind for p in one].count("random") == 5 and len({p.doc_id for p in one}) == 20
    assert {p.doc_id for p in one if p.kind == "random"} != {p.doc_id for p in other_seed if p.kind == "random"}


def test_when_nothing_adds_anything_the_rest_is_drawn_at_random():
    known = known_names(["Gao"])
    docs = [
        features(
            f"d{n}",
            None,
            spans(
                ("Gao", "GPE"),
            ),
            known,
        )
        for n in range(10)
    ]
    picked = chooser(docs, 4)
    assert [p.kind for p in picked] == ["random"] * 4


def run(project, *args):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project)])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seed (gold in the shipped releases) plus the project's own fixture feeds, pre-annotated."""
    project = tmp_path_factory.mktemp("select")
    shutil.copytree(REPO / "schemas", project / "schemas")
    shutil.copytree(REPO / "annotations", project / "annotations")
    shutil.copytree(REPO / "corpus" / "documents", project / "corpus" / "documents")
    feeds = [str(p) for p in sorted((FEEDS / "wordpress").glob("*.xml")) + sorted((FEEDS / "html").glob("*.xml"))]
    run(project, "split", "-q", *feeds)
    assert run(project, "preannotate").exit_code == 0
    return project


def fresh(corpus, tmp_path):
    project = tmp_path / "p"
    shutil.copytree(corpus, project)
    return project


def test_select_skips_gold_names_its_reasons_and_never_repeats_a_round(corpus, tmp_path):
    project = fresh(corpus, tmp_path)
    first = run(project, "select", "3", "--random-share", "0")
    assert first.exit_code == 0, first.output
    path = project / "corpus" / "selections" / "selection-001.json"
    selection = json.loads(path.read_text("utf-8"))
    ids = [d["id"] for d in selection["documents"]]
    assert len(ids) == 3 and not any(i.startswith("thedefensepost-") for i in ids)  # the seed is gold
    assert selection["gold"] == "v3.0.0" and selection["counts"]["already gold or selected"] == 10
    assert "novel: " in first.stdout and "JNIM" not in first.stdout  # known names are not novel

    second = run(project, "select", "3", "--random-share", "0")
    ids2 = [d["id"] for d in json.loads((project / "corpus/selections/selection-002.json").read_text())["documents"]]
    assert second.exit_code == 0 and not set(ids) & set(ids2)
    path.write_text("{}")  # a selection is never silently ignored: a broken one is an error
    broken = run(project, "select", "3")
    assert broken.exit_code == 1 and "selection-001.json: not a selection file" in broken.output


def test_compare_scores_disagreement_and_refuses_the_same_set(corpus, tmp_path):
    project = fresh(corpus, tmp_path)
    (version,) = ProjectPaths(project).predictions.glob("*.jsonl")
    same = run(project, "select", "2", "--compare", version.stem)
    assert same.exit_code == 1 and "--compare names the scored predictions themselves" in same.output
    assert run(project, "preannotate", "--no-patterns").exit_code == 0
    other = next(p.stem for p in ProjectPaths(project).predictions.glob("*.jsonl") if p != version)
    result = run(project, "select", "2", "--predictions", version.stem, "--compare", other, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"spans differ from {other}" in result.stdout and "nothing written" in result.stdout


def test_rounds_stop_before_a_project_gets_too_big(corpus, tmp_path, monkeypatch):
    project = fresh(corpus, tmp_path)
    monkeypatch.setattr(select_command, "MAX_TASKS", 4)
    assert run(project, "select", "3").exit_code == 0
    refused = run(project, "select", "2")
    assert refused.exit_code == 1 and "3 documents chosen already; 2 more would pass 4" in refused.output


def test_push_selection_refuses_missing_or_changed_documents(corpus, tmp_path):
    project = fresh(corpus, tmp_path)
    assert run(project, "select", "2").exit_code == 0
    path = project / "corpus" / "selections" / "selection-001.json"
    paths = ProjectPaths(project)
    documents, version = selected_documents(paths, path, "auto", None)
    assert [d.id for d in documents] == [d["id"] for d in json.loads(path.read_text())["documents"]]
    assert version == json.loads(path.read_text())["predictions"]
    doc = paths.documents / f"{documents[0].id}.json"
    data = json.loads(doc.read_text("utf-8"))
    doc.write_text(json.dumps({**data, "text": data["text"] + " More.", "sha256": "0" * 64}), "utf-8")
    with pytest.raises(FeedcorpusError, match="1 selected documents changed since they were chosen"):
        selected_documents(paths, path, "auto", None)
    doc.unlink()
    with pytest.raises(FeedcorpusError, match="1 selected documents are not in"):
        selected_documents(paths, path, "auto", None)
