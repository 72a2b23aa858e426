"""Each post-processing rule on its own, and the generated ruler patterns. Pure functions, no model."""

from __future__ import annotations

import pytest

from feedcorpus.annotate import rules
from feedcorpus.annotate.gazetteers import Entry
from feedcorpus.annotate.patterns import gazetteer_patterns, registry_patterns, variants
from feedcorpus.annotate.registry import Actor, ActorRegistry
from feedcorpus.spans import Span


def spans_in(text: str, *pieces: tuple[str, str], source: str = "model") -> list[Span]:
    found, cursor = [], 0
    for piece, label in pieces:
        start = text.index(piece, cursor)
        cursor = start + len(piece)
        found.append(Span(start, cursor, label, piece, source))
    return found


def texts(spans: list[Span]) -> list[tuple[str, str]]:
    return [(s.text, s.label) for s in spans]


def test_drop_excluded_words():
    text = "Jihadists and an Islamist group hit West African towns; Fulani herders left for years at 0500 GMT."
    given = spans_in(text, ("Jihadists", "NORP"), ("Islamist", "NORP"), ("West African", "NORP"), ("Fulani", "NORP"))
    given += spans_in(text, ("years", "DATE"), ("GMT", "ORG"))
    assert texts(rules.drop_excluded_words(text, given)) == [("Fulani", "NORP")]


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("Colonel Assimi Goïta", "Assimi Goïta"),
        ("junta leader Captain Ibrahim Traoré", "Ibrahim Traoré"),
        ("General Abdourahamane Tiani", "Abdourahamane Tiani"),
        ("Prime Minister Choguel Maïga", "Choguel Maïga"),
        ("Mr. Bazoum", "Bazoum"),
    ],
)
def test_strip_titles(phrase, name):
    text = f"On Tuesday {phrase} spoke."
    (span,) = rules.strip_titles(text, spans_in(text, (phrase, "PERSON")))
    assert span.text == name and text[span.start : span.end] == name


def test_titles_are_kept_when_nothing_would_be_left_and_pattern_spans_are_untouched():
    text = "The President spoke; Imam Mahmoud Dicko answered."
    assert texts(rules.strip_titles(text, spans_in(text, ("President", "PERSON")))) == [("President", "PERSON")]
    pattern = spans_in(text, ("Imam Mahmoud Dicko", "PERSON"), source="pattern")
    assert rules.strip_titles(text, pattern) == pattern


def test_strip_generic_heads_and_drop_names_without_a_capital():
    text = "The Wagner group and UN refugee agency staff met the defense ministry and the Islamic State group."
    given = spans_in(
        text, ("Wagner group", "ARMED_GROUP"), ("UN refugee agency", "ORG"), ("defense ministry", "ORG")
    ) + spans_in(text, ("Islamic State group", "ARMED_GROUP"))
    assert texts(rules.strip_generic_heads(text, given)) == [
        ("Wagner", "ARMED_GROUP"),
        ("UN", "ORG"),
        ("Islamic State group", "ARMED_GROUP"),
    ]


def test_cut_credits():
    text = "Photo: Jin Liangkuai /Xinhua via AFP"
    (span,) = rules.cut_credits(text, spans_in(text, ("Jin Liangkuai /Xinhua", "PERSON")))
    assert span.text == "Jin Liangkuai"


@pytest.mark.parametrize(
    ("phrase", "dates"),
    [
        ("early Tuesday", ["Tuesday"]),
        ("between Friday and Saturday", ["Friday", "Saturday"]),
        ("Between January 2 and March 21", ["January 2", "March 21"]),
        ("Tuesday morning", ["Tuesday"]),
        ("three days", ["three days"]),
        ("last week", ["last week"]),
        ("March 27 and March 31, 2022", ["March 27", "March 31, 2022"]),
    ],
)
def test_tidy_dates(phrase, dates):
    text = f"It happened {phrase} in Gao."
    found = rules.tidy_dates(text, spans_in(text, (phrase, "DATE")))
    assert [s.text for s in found] == dates
    assert all(text[s.start : s.end] == s.text for s in found)


def test_named_events_and_facilities_replace_the_pieces_the_model_saw():
    text = (
        "Since Operation Barkhane ended, flights left Diori Hamani International Airport and Air Base 101 "
        "after the Mali War."
    )
    given = spans_in(text, ("Barkhane", "ORG"), ("Diori Hamani", "PERSON"), ("Mali", "GPE"))
    found = rules.named_events(text, rules.named_facilities(text, given))
    assert texts(found) == [
        ("Operation Barkhane", "EVENT"),
        ("Diori Hamani International Airport", "FAC"),
        ("Air Base 101", "FAC"),
        ("Mali War", "EVENT"),
    ]
    sentence = "The Airport was closed."
    assert rules.named_facilities(sentence, []) == []


def test_merge_adjacent_orgs():
    text = "the United Nations Office for the Coordination of Humanitarian Affairs said"
    given = spans_in(text, ("United Nations", "ORG"), ("Office for the Coordination of Humanitarian Affairs", "ORG"))
    assert texts(rules.merge_adjacent_orgs(text, given)) == [
        ("United Nations Office for the Coordination of Humanitarian Affairs", "ORG")
    ]


def test_every_rule_keeps_offsets_exact_on_non_ascii_text():
    text = "“Colonel Assimi Goïta” — early Tuesday — met the Wagner group near Ménaka’s Air Base 101."
    given = spans_in(
        text, ("Colonel Assimi Goïta", "PERSON"), ("early Tuesday", "DATE"), ("Wagner group", "ARMED_GROUP")
    )
    for span in rules.apply_rules(text, given):
        assert text[span.start : span.end] == span.text


def test_generated_patterns_carry_ids_and_variants():
    actor = Actor(
        "jnim", "JNIM", "JNIM: x", "jihadist", None, ("ML",), (2017, None), (), None, ("JNIM", "Jama'at Nusrat"), ("s",)
    )
    made = registry_patterns(ActorRegistry((actor,)))
    assert {p["pattern"] for p in made} == {"JNIM", "Jnim", "Jama'at Nusrat", "Jama’at Nusrat"}
    assert {p["id"] for p in made} == {"jnim"} and {p["label"] for p in made} == {"ARMED_GROUP"}
    place = Entry("places:menaka", "GPE", "Ménaka", ("Ménaka", "Menaka"), ("s",))
    assert {p["pattern"] for p in gazetteer_patterns([place])} == {"Ménaka", "MÉNAKA", "Menaka", "MENAKA"}
    assert variants("MINUSMA", title_acronyms=True) == ["MINUSMA", "Minusma"]
    assert variants("UN", title_acronyms=True) == ["UN"]  # too short to title-case safely
