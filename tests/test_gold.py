"""Gold resolution and span validation on crafted Label Studio exports (pure logic, no server). The same checks on
real Label Studio example exports: tests/conformance/test_gold_shared.py."""

from __future__ import annotations

import json

import pytest

from feedcorpus.errors import ReleaseError
from feedcorpus.release import gold, provenance
from feedcorpus.release.snapshot import read_snapshot
from feedcorpus.spans import Span

LABELS = ["PERSON", "NORP", "ORG", "ARMED_GROUP", "GPE", "LOC", "FAC", "DATE", "EVENT"]


def resolve(tasks: list, labels, **options) -> gold.Resolution:
    """Gold resolution of a list of task dicts, read the way `export` reads a snapshot file."""
    return gold.resolve(read_snapshot(json.dumps(tasks).encode("utf-8")), labels, **options)


TEXT = "Goïta’s “junta” — in Bamako\n\nJNIM attacked Air Base 101 in Bamako on Tuesday, AFP said."


def region(piece: str, label: str, *, nth: int = 0, text: str = TEXT, value_text: str | None = None) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    value = {"start": start, "end": start + len(piece), "text": piece if value_text is None else value_text}
    return {"from_name": "label", "to_name": "text", "type": "labels", "value": {**value, "labels": [label]}}


def annotation(result: list, *, user: int = 1, cancelled=False, truth=False, updated="2026-01-01T00:00:00Z", **extra):
    return {
        "id": extra.pop("id", user * 100),
        "completed_by": {"id": user, "email": f"annotator-{user}@example.org"},
        "result": result,
        "was_cancelled": cancelled,
        "ground_truth": truth,
        "updated_at": updated,
        **extra,
    }


def task(annotations: list, *, doc_id="doc-1", text=TEXT, task_id=1, predictions=None) -> dict:
    return {
        "id": task_id,
        "data": {"text": text, "doc_id": doc_id},
        "annotations": annotations,
        "predictions": predictions or [],
    }


GOOD = [region("Goïta", "PERSON"), region("Bamako", "GPE"), region("JNIM", "ARMED_GROUP")]


def test_single_annotation_is_gold_with_exact_non_ascii_offsets():
    result = resolve([task([annotation(GOOD)])], LABELS)
    gold.check(result)
    (document,) = result.documents
    assert document.resolved_by == "single" and document.annotators == ["annotator-1"]
    for entity in document.entities:
        assert TEXT[entity.start : entity.end] == entity.text
    assert [e.text for e in document.entities] == ["Goïta", "Bamako", "JNIM"]


def test_cancelled_annotations_are_ignored_and_the_task_is_unannotated():
    result = resolve([task([annotation(GOOD, cancelled=True)])], LABELS)
    assert result.documents == [] and result.unannotated == ["doc-1"] and result.cancelled_annotations == 1


def test_cancelled_next_to_a_submitted_annotation_leaves_the_submitted_one():
    result = resolve([task([annotation(GOOD, user=1), annotation([], user=2, cancelled=True)])], LABELS)
    assert result.documents[0].resolved_by == "single" and len(result.documents[0].entities) == 3


def test_empty_result_is_a_decision_not_a_missing_annotation():
    result = resolve([task([annotation([])])], LABELS)
    assert result.documents[0].entities == [] and result.unannotated == []


def test_two_annotators_agreeing():
    result = resolve([task([annotation(GOOD, user=1), annotation(list(reversed(GOOD)), user=2)])], LABELS)
    (document,) = result.documents
    assert document.resolved_by == "agreement"
    assert document.annotators == ["annotator-1", "annotator-2"]
    assert set(result.passes) == {"annotator-1", "annotator-2"}


def disagreeing() -> dict:
    return task(
        [
            annotation(GOOD, user=1, updated="2026-01-01T00:00:00Z"),
            annotation(GOOD[:2], user=2, updated="2026-01-02T00:00:00Z"),
        ]
    )


def test_disagreement_is_excluded_by_default_and_listed():
    result = resolve([disagreeing()], LABELS)
    assert result.documents == [] and result.disputed == ["doc-1"]


def test_disagreement_latest_takes_the_newest_annotation():
    result = resolve([disagreeing()], LABELS, policy="latest")
    assert result.documents[0].resolved_by == "latest" and len(result.documents[0].entities) == 2


def test_disagreement_fail_stops_the_export():
    result = resolve([disagreeing()], LABELS, policy="fail")
    with pytest.raises(ReleaseError, match="task 1 \\(doc-1\\): 2 annotations disagree"):
        gold.check(result)


def test_ground_truth_wins_over_disagreement():
    item = disagreeing()
    item["annotations"].append(annotation(GOOD[:1], user=3, truth=True, updated="2025-01-01T00:00:00Z"))
    result = resolve([item], LABELS)
    (document,) = result.documents
    assert document.resolved_by == "ground_truth" and [e.text for e in document.entities] == ["Goïta"]
    assert document.annotators == ["annotator-1", "annotator-2", "annotator-3"]
    assert "annotator-3" not in result.passes  # the adjudication is not a pass


def test_overlapping_spans_are_an_error_naming_task_document_and_spans():
    overlapping = [region("Air Base 101", "FAC"), region("Base", "FAC")]
    with pytest.raises(ReleaseError, match=r"task 1 \(doc-1\) annotation 100: spans 'Air Base 101'.*overlap"):
        gold.check(resolve([task([annotation(overlapping)])], LABELS))


def test_span_text_that_differs_from_the_document_is_an_error():
    wrong = [region("Bamako", "GPE", value_text="Bamakoo")]
    with pytest.raises(ReleaseError, match="Label Studio's text differs from the document's 'Bamako'"):
        gold.check(resolve([task([annotation(wrong)])], LABELS))


def test_label_studio_collapsed_whitespace_and_escaped_newlines_are_not_errors():
    text = "Air  Base\n101 is in Bamako."
    spans = [region("Air  Base\n101", "FAC", text=text, value_text="Air Base\\n101")]
    result = resolve([task([annotation(spans)], text=text)], LABELS)
    gold.check(result)
    assert result.documents[0].entities[0].text == "Air  Base\n101"


def test_label_outside_the_schema_and_offsets_outside_the_text_are_errors():
    bad = [
        region("Bamako", "CITY"),
        {**region("JNIM", "ARMED_GROUP"), "value": {"start": 5, "end": 999, "labels": ["GPE"]}},
    ]
    result = resolve([task([annotation(bad)])], LABELS)
    assert len(result.errors) == 2
    assert "label 'CITY' is not in the label schema" in result.errors[0]
    assert "outside the text" in result.errors[1]


def test_surrounding_whitespace_is_trimmed_with_a_warning():
    padded = region(" Bamako ", "GPE", value_text=" Bamako ")
    result = resolve([task([annotation([padded])])], LABELS)
    gold.check(result)
    (entity,) = result.documents[0].entities
    assert entity.text == "Bamako" and TEXT[entity.start : entity.end] == "Bamako"
    assert "whitespace trimmed" in result.trimmed[0]


def test_relations_and_other_results_are_ignored():
    relation = {"type": "relation", "from_id": "a", "to_id": "b", "direction": "right"}
    result = resolve([task([annotation([*GOOD, relation])])], LABELS)
    assert result.ignored_results == 1 and len(result.documents[0].entities) == 3


def test_provenance_against_the_parent_prediction():
    predicted = [
        region("Goïta", "PERSON"),  # kept → accepted
        region("Bamako", "ORG"),  # label changed → relabeled
        region("Air Base", "FAC"),  # widened → resized
        region("Tuesday", "DATE"),  # deleted → rejected
    ]
    corrected = [
        region("Goïta", "PERSON"),
        region("Bamako", "GPE"),
        region("Air Base 101", "FAC"),
        region("AFP", "ORG"),  # new → added
    ]
    prediction = {"id": 7, "model_version": "m1", "result": predicted}
    item = task([annotation(corrected, parent_prediction=7)], predictions=[prediction])
    result = resolve([item], LABELS)
    kinds = {e.text: e.provenance for e in result.documents[0].entities}
    assert kinds == {"Goïta": "accepted", "Bamako": "relabeled", "Air Base 101": "resized", "AFP": "added"}
    assert result.provenance() == {"accepted": 1, "relabeled": 1, "resized": 1, "added": 1, "rejected": 1}
    assert [s.text for s in result.predictions["m1"]["doc-1"]] == ["Goïta", "Bamako", "Air Base", "Tuesday"]


def test_provenance_function_matches_each_prediction_once():
    """A prediction split in two by the annotator: one half resized from it, the other added."""
    predicted = [Span(0, 8, "FAC", "Air Base")]
    entities, rejected = provenance.provenance([Span(0, 3, "FAC", "Air"), Span(4, 8, "FAC", "Base")], predicted)
    assert [e.provenance for e in entities] == ["resized", "added"] and rejected == 0


def test_the_same_document_in_two_tasks_is_an_error():
    result = resolve([task([annotation(GOOD)]), task([annotation(GOOD)], task_id=2)], LABELS)
    assert result.errors == ["task 2 (doc-1): the same document is also task 1"]


def test_export_whose_data_key_does_not_match_fails_loudly():
    """A labeling config with `$text` over tasks whose text is under another key ("html"), and no doc_id."""
    item = {
        "id": 1,
        "data": {"html": "<p>" + TEXT + "</p>"},
        "annotations": [
            {
                "id": "1001",
                "result": [{**region("Bamako", "GPE"), "id": "r1", "source": "$text"}],
            }
        ],
    }
    result = resolve([item], LABELS)
    assert result.errors == ["task 1: data has no doc_id/text; was it pushed by feedcorpus?"]
    with pytest.raises(ReleaseError, match="data has no doc_id/text"):
        gold.check(result)


def test_legacy_export_with_inclusive_end_offsets_is_refused():
    """Label Studio ≤ 0.9: `completions` instead of `annotations`, no annotator, and end offsets one short."""

    def inclusive(piece: str, label: str) -> dict:
        result = region(piece, label)
        result["value"]["end"] -= 1
        return {**result, "id": f"r-{piece}", "source": "$text"}

    item = {
        "id": 0,
        "data": {"text": TEXT, "doc_id": "legacy-0"},
        "completions": [{"result": [inclusive("Tuesday", "DATE"), inclusive("Bamako", "GPE")]}],
    }
    result = resolve([item], LABELS)
    assert any("'Tuesday'" in e and "'Tuesda'" in e for e in result.errors)
    assert any("'Bamako'" in e and "'Bamak'" in e for e in result.errors)
    with pytest.raises(ReleaseError, match="Label Studio's text differs from the document's"):
        gold.check(result)


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="unknown disagreement policy"):
        resolve([], LABELS, policy="vote")


def test_an_empty_annotation_where_the_predictions_held_entities_is_reported():
    predictions = [{"id": 7, "model_version": "m1", "result": GOOD}]
    tasks = [
        task([annotation([], id=300)], predictions=predictions),  # submitted empty: 0 entities in gold
        task([annotation(GOOD)], doc_id="doc-2", task_id=2, predictions=predictions),
        task([annotation([], id=301)], doc_id="doc-3", task_id=3),  # nothing predicted: nothing to say
    ]
    result = resolve(tasks, LABELS)
    assert [len(d.entities) for d in result.documents] == [0, 3, 0]
    assert result.emptied == [
        "task 1 (doc-1): gold has 0 entities: annotation 300 by annotator-1 has an empty result "
        "though its predictions held 3 (submitted empty by mistake?)"
    ]


def test_export_warns_about_an_empty_annotation_naming_the_task(project):
    from click.testing import CliRunner

    from feedcorpus.cli import cli

    predictions = [{"id": 7, "model_version": "m1", "result": GOOD}]
    tasks = [task([annotation([], id=300)], predictions=predictions)]
    tasks += [task([annotation(GOOD)], doc_id=f"doc-{n}", task_id=n) for n in range(2, 6)]
    (project / "export.json").write_text(json.dumps(tasks), "utf-8")
    args = ["export", "--version", "1.0.0", "--from-file", str(project / "export.json"), "--dry-run"]
    result = CliRunner().invoke(cli, [*args, "--project-dir", str(project)])
    assert result.exit_code == 0, result.output
    assert "Warning: task 1 (doc-1): gold has 0 entities: annotation 300 by annotator-1" in result.stderr
