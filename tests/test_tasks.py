"""Pure conversions to Label Studio JSON and client-side validation against the labeling config."""

from __future__ import annotations

import pytest

from feedcorpus.documents import Document, build_text
from feedcorpus.errors import SpanError, StudioError
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import label_config_xml, load_label_schema
from feedcorpus.regions import region_to_span, span_to_region
from feedcorpus.spans import Span
from feedcorpus.studio.labelcheck import ConfigValidator
from feedcorpus.studio.tasks import task
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
CONFIG = label_config_xml(SCHEMA)


def document() -> Document:
    text, offset = build_text("Goïta’s “junta” — Bamako", ["JNIM fighters attacked Air Base 101 in Bamako."])
    return Document("t-1", "test", None, None, "x", "", None, None, [], text, offset, sha256_text(text), "f")


def spans_of(doc: Document, *pieces: tuple[str, str]) -> list[Span]:
    found = []
    for piece, label in pieces:
        start = doc.text.index(piece)
        found.append(Span(start, start + len(piece), label, piece, "model"))
    return found


def test_task_carries_data_and_one_prediction_with_exact_offsets():
    doc = document()
    spans = spans_of(doc, ("Goïta", "PERSON"), ("Bamako", "GPE"), ("JNIM", "ARMED_GROUP"))
    payload = task(doc, spans, "m-1", SCHEMA.names)
    assert payload["data"]["text"] == doc.text and payload["data"]["doc_id"] == "t-1"
    (prediction,) = payload["predictions"]
    assert prediction["model_version"] == "m-1"
    for region, span in zip(prediction["result"], spans, strict=True):
        value = region["value"]
        assert doc.text[value["start"] : value["end"]] == value["text"] == span.text
        assert (region["from_name"], region["to_name"], region["type"]) == ("label", "text", "labels")
        assert region_to_span(region) == Span(span.start, span.end, span.label, span.text, "annotation")
    ConfigValidator(CONFIG).validate(payload["predictions"])


def test_task_without_predictions_has_none():
    assert "predictions" not in task(document(), None, None, SCHEMA.names)


def test_span_that_does_not_match_the_text_is_refused():
    doc = document()
    (span,) = spans_of(doc, ("Goïta", "PERSON"))
    with pytest.raises(SpanError, match="t-1"):
        task(doc, [Span(span.start, span.end + 1, "PERSON", "Goïta", "model")], "m", SCHEMA.names)


def test_label_outside_the_schema_is_refused():
    doc = document()
    (span,) = spans_of(doc, ("Bamako", "GPE"))
    with pytest.raises(SpanError):
        task(doc, [Span(span.start, span.end, "CARDINAL", span.text, "model")], "m", SCHEMA.names)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.update(from_name="ner"), "from_name"),
        (lambda r: r["value"].update(labels=["INCIDENT"]), "labels"),
        (lambda r: r.update(type="choices"), "type"),
    ],
)
def test_validator_refuses_regions_the_config_does_not_allow(change, field):
    doc = document()
    payload = task(doc, spans_of(doc, ("Bamako", "GPE"), ("JNIM", "ARMED_GROUP")), "m", SCHEMA.names)
    validator = ConfigValidator(CONFIG)
    validator.validate(payload["predictions"])  # the good shapes are now known
    bad = task(doc, spans_of(doc, ("Bamako", "GPE")), "m", SCHEMA.names)["predictions"]
    change(bad[0]["result"][0])
    with pytest.raises(StudioError, match="does not fit the labeling config"):
        validator.validate(bad, record=doc.id)


def annotation_result(spans):
    """An annotation's result list as an annotator would submit it (what tests send as annotations)."""
    return [{**span_to_region(span), "origin": "manual"} for span in spans]


def test_annotation_result_is_manual():
    doc = document()
    result = annotation_result(spans_of(doc, ("Air Base 101", "FAC")))
    assert result[0]["origin"] == "manual" and result[0]["value"]["text"] == "Air Base 101"
