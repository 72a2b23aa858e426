"""Offset logic on tiny cases, including non-ASCII text (Goïta, curly quotes, em dashes)."""

from __future__ import annotations

import pytest

from feedcorpus.errors import SpanError
from feedcorpus.spans import Span, check_span, find_overlaps, trim_bounds, trimmed

TEXT = "President Goïta’s “junta” — in Bamako."


def span_of(text: str, piece: str, label: str = "PERSON") -> Span:
    start = text.index(piece)
    return Span(start, start + len(piece), label, piece)


def test_check_span_accepts_code_point_offsets_after_non_ascii():
    check_span(TEXT, span_of(TEXT, "Bamako", "GPE"), labels=["GPE"])
    assert TEXT.index("Bamako") == 31  # code points, not UTF-8 bytes (which would be 37)


@pytest.mark.parametrize(
    ("span", "message"),
    [
        (Span(31, 37, "GPE", "Bamak"), "does not match the text 'Bamako'"),
        (Span(31, 99, "GPE", "Bamako."), "outside the text"),
        (Span(5, 5, "GPE", ""), "outside the text"),
        (Span(-1, 3, "GPE", "Pre"), "outside the text"),
        (Span(31, 37, "CITY", "Bamako"), "not in the label schema"),
    ],
)
def test_check_span_rejects(span, message):
    with pytest.raises(SpanError, match=message):
        check_span(TEXT, span, labels=["GPE"], record="doc-1")


def test_error_names_the_record():
    with pytest.raises(SpanError) as info:
        check_span(TEXT, Span(31, 37, "GPE", "Bamak"), record="thedefensepost-1")
    assert str(info.value).startswith("thedefensepost-1: span 'Bamak' [31:37)")


@pytest.mark.parametrize(
    ("text", "piece", "expected"),
    [
        ("Goïta’s plan", "Goïta’s", "Goïta"),
        ("Goita's plan", "Goita's", "Goita"),
        ("the junta's men", "junta's", "junta"),
        ("by the United Nations.", "the United Nations.", "United Nations"),
        ("said ”Bamako airport", "”Bamako airport", "Bamako airport"),
        ("in “Kidal”, he said", "“Kidal”,", "Kidal"),
        ("the U.N. said", "U.N.", "U.N."),
        ("  Mali  ", "  Mali  ", "Mali"),
        ("The", "The", "The"),  # trimming would leave nothing: unchanged
        ("Burkina Faso —", "Burkina Faso —", "Burkina Faso —"),  # an em dash is not trailing punctuation to drop
        ("(CSP-PSD)", "(CSP-PSD)", "CSP-PSD"),
        ("Air Base 101", "Air Base 101", "Air Base 101"),
    ],
)
def test_trim_bounds(text, piece, expected):
    start = text.index(piece)
    new_start, new_end = trim_bounds(text, start, start + len(piece))
    assert text[new_start:new_end] == expected


def test_trimmed_keeps_label_and_source():
    text = "the Wagner group"
    span = Span(0, 10, "ARMED_GROUP", "the Wagner", "model")
    assert trimmed(text, span) == Span(4, 10, "ARMED_GROUP", "Wagner", "model")


def test_find_overlaps():
    a, b, c = Span(0, 5, "X", "aaaaa"), Span(4, 8, "X", "abbb"), Span(8, 9, "X", "c")
    assert find_overlaps([c, b, a]) == [(a, b)]
    assert find_overlaps([a, c]) == []
