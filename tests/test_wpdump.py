"""The tag-stripped WordPress dump parser, on the real seed and on crafted variants."""

from __future__ import annotations

from datetime import UTC, datetime

from feedcorpus.documents import make_document
from feedcorpus.ingest.boilerplate import is_boilerplate
from feedcorpus.ingest.wpdump import looks_like_dump, parse_dump
from testdata_paths import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")

EXPECTED = [
    (
        "thedefensepost-85891",
        "Bamako Breached: JNIM’s Capital Strike Signals Dangerous New Chapter for Mali",
        "2024-09-24T05:05:52Z",
    ),
    (
        "thedefensepost-85383",
        "Al-Qaeda-Linked Jihadist Group Claims Rare Attack on Mali Capital",
        "2024-09-18T04:54:07Z",
    ),
    ("thedefensepost-85327", "Gunmen Attack Police Base in Mali Capital", "2024-09-17T10:09:21Z"),
    (
        "thedefensepost-82229",
        "Mali Separatists Say Killed Dozens of Wagner, Government Fighters",
        "2024-08-02T09:06:22Z",
    ),
    ("thedefensepost-81981", "Mali Army Admits ‘Large Number’ of Losses in Fighting in North", "2024-07-30T04:40:47Z"),
    ("thedefensepost-81853", "Mali Separatists Claim Major Victory Over Army, Russian Allies", "2024-07-29T07:39:28Z"),
    ("thedefensepost-81740", "Mali Army Fights Separatists on Algeria Border: Spokesman", "2024-07-26T09:22:49Z"),
    ("thedefensepost-80222", "Suspected Jihadist Attack in Mali Kills More Than 20 Civilians", "2024-07-03T12:31:38Z"),
    ("thedefensepost-79679", "21 Die in Niger Attack: Defense Ministry", "2024-06-26T07:35:44Z"),
    ("thedefensepost-77800", "Armed Men Kill at Least 18 Civilians in Central Mali: Sources", "2024-05-27T09:30:36Z"),
]


def seed_documents():
    articles, problems = parse_dump(SEED_TEXT)
    assert problems == []
    return [make_document(a, feed="seed.txt") for a in articles]


def test_seed_gives_ten_documents_with_ids_titles_and_dates():
    docs = seed_documents()
    assert [(d.id, d.title, d.published) for d in docs] == EXPECTED


def test_seed_metadata_is_canonical():
    docs = seed_documents()
    first = docs[0]
    assert first.url == "https://thedefensepost.com/2024/09/24/mali-jnim-bamako-attack/"
    assert all("utm_" not in d.url for d in docs)
    assert first.guid == "https://thedefensepost.com/?p=85891"
    assert {d.source for d in docs} == {"The Defense Post"}
    assert first.authors == ["Charlie Werb"]
    assert first.summary.startswith("JNIM's successful attack on Mali's capital Bamako")
    assert "appeared first on" not in first.summary


def test_title_offsets_and_paragraph_layout():
    for doc in seed_documents():
        assert doc.text[: len(doc.title)] == doc.title
        assert doc.text[len(doc.title) : doc.body_offset] == "\n\n"
        assert "\n\n\n" not in doc.text
        assert not doc.text.endswith("\n")


def test_bodies_are_free_of_boilerplate():
    for doc in seed_documents():
        for paragraph in doc.text.split("\n\n"):
            assert is_boilerplate(paragraph) is None, (doc.id, paragraph)
        assert "appeared first on" not in doc.text
        assert "]]>" not in doc.text
        assert "The views and opinions expressed here" not in doc.text
        assert "Headshot" not in doc.text


def test_body_starts_and_ends_where_the_article_does():
    docs = {d.id: d for d in seed_documents()}
    bamako = docs["thedefensepost-85891"]
    assert bamako.text[bamako.body_offset :].startswith(
        "The attack on Mali’s capital Bamako by Jama’at Nasr al-Islam wal Muslimin (JNIM)"
    )
    assert bamako.text.endswith("could be the catalyst for yet another regime change.")
    niger = docs["thedefensepost-79679"]
    assert niger.text.endswith("have waged a bloody insurgency for almost a decade.")


def test_non_ascii_and_source_typos_survive():
    docs = {d.id: d for d in seed_documents()}
    text = docs["thedefensepost-85891"].text
    assert "Assimi Goïta" in text
    assert "Sénou" in text and "Faladié" in text
    assert "“some” deaths" in text
    assert "security crisis." in text and " — one of the al-Qaeda affiliate’s" in text
    # the source's missing space after a full stop is the publisher's, kept as published
    assert "anonymity.Volleys" in docs["thedefensepost-85327"].text


def test_dump_detection():
    assert looks_like_dump(SEED_TEXT)
    assert not looks_like_dump("just some text\nwith lines\n")
    assert not looks_like_dump("<rss></rss>")


CRAFTED = (
    "Site https://example.org/ Desc Mon, 01 Jan 2024 00:00:00 +0000 en-US hourly 1 https://wordpress.org/?v=6.6.1 "
    "Crafted Goïta “Story” https://example.org/a/?utm_source=rss&id=7 Mon, 01 Jan 2024 10:00:00 +0100 "
    "https://example.org/?p=7 A summary.\n\n]]>\nFirst paragraph — with an em dash.\n\nSecond.\n\n]]>\n"
    "No Date Here https://example.org/b/ Xyz, 99 Foo 2024 https://example.org/?p=8 oops\n\n]]>\nBody\n]]>\n"
)


def test_crafted_dump_without_footers_strips_the_channel_and_keeps_query_parameters():
    articles, problems = parse_dump(CRAFTED)
    assert len(articles) == 1
    assert problems == ["item 2: header line has no '<link> <RFC-822 date> <guid>' fields"]
    doc = make_document(articles[0], feed="x")
    assert doc.title == "Crafted Goïta “Story”"
    assert doc.id == "example-7"
    assert doc.url == "https://example.org/a/?id=7"
    assert doc.published == "2024-01-01T09:00:00Z"
    assert articles[0].published == datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    assert doc.text == "Crafted Goïta “Story”\n\nFirst paragraph — with an em dash.\n\nSecond."
    assert doc.source == "example.org"
