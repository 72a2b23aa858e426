"""XML feeds through feedparser: real WordPress, news and feedparser-suite files, read in place from
SHARED_TESTDATA/feeds (see its INDEX.md; EXPECTED_feedparser.json is the oracle)."""

from __future__ import annotations

import json

import pytest

from feedcorpus.documents import make_document
from feedcorpus.errors import FeedError
from feedcorpus.ingest.feeds import read_feed
from testdata_paths import SHARED_TESTDATA

FEEDS = SHARED_TESTDATA / "feeds"

EXPECTED = json.loads((FEEDS / "EXPECTED_feedparser.json").read_text(encoding="utf-8"))["files"]


def documents(relpath: str):
    read = read_feed(FEEDS / relpath)
    docs, skipped = [], []
    for article in read.articles:
        try:
            docs.append(make_document(article, feed=relpath))
        except ValueError as exc:
            skipped.append((article.record, str(exc)))
    return docs, skipped, read


def test_same_wordpress_blog_as_rss_and_atom_gives_the_same_articles():
    rss, _, _ = documents("wordpress/laminas_wordpress-rss2-dc-atom.xml")
    atom, _, _ = documents("wordpress/laminas_wordpress-atom10.xml")
    assert len(rss) == len(atom) == 10
    for a, b in zip(rss, atom, strict=True):
        assert (a.id, a.title, a.url, a.published, a.text, a.authors) == (
            b.id,
            b.title,
            b.url,
            b.published,
            b.text,
            b.authors,
        )
    assert rss[0].id == "norm2782-114"
    assert rss[0].guid == "http://www.norm2782.com/?p=114"
    assert rss[0].title == "Wth… reading books?"  # &#8230; decoded in the html-typed Atom title too
    assert rss[0].authors == ["norm2782"]


def test_content_encoded_html_becomes_paragraphs_with_entities_decoded():
    rss, _, _ = documents("wordpress/laminas_wordpress-rss2-dc-atom.xml")
    body = rss[0].text[rss[0].body_offset :]
    assert "<" not in body and "&#8217;" not in body and "&amp;" not in body
    assert "\n\n" in body
    assert "’" in rss[0].text or "'" in rss[0].text


def test_news_feed_without_guids_does_not_collapse():
    docs, skipped, _ = documents("realworld/rssparser_jn_iso-8859-1.rss")
    assert EXPECTED["realworld/rssparser_jn_iso-8859-1.rss"]["entries"][0]["id"] is None
    assert len(docs) + len(skipped) == 40
    assert len({d.id for d in docs}) == len(docs) == 36
    assert {reason for _, reason in skipped} == {"no body text"}  # items whose description is only a tracking pixel
    assert docs[0].title == "Mãe de utente é a nova presidente da Raríssimas"
    assert docs[0].published == "2018-01-03T13:47:00Z"
    assert all(d.guid is None for d in docs)


def test_feedburner_origlink_is_the_canonical_url():
    docs, _, _ = documents("wordpress/feedjira_TechCrunch.xml")
    assert len(docs) == 20
    assert all("feedproxy" not in d.url for d in docs)
    assert docs[0].guid.startswith("http://techcrunch.com/?p=")
    assert docs[0].id.startswith("techcrunch-")


def test_gb2312_news_feed_decodes_chinese_and_treats_naive_dates_as_utc():
    docs, skipped, _ = documents("realworld/rssparser_qqnews_gb2312.xml")
    expected = EXPECTED["realworld/rssparser_qqnews_gb2312.xml"]["entries"][0]
    assert len(docs) + len(skipped) == 20
    assert docs[0].title == expected["title"]
    assert docs[0].published == expected["published_utc"].replace("+00:00", "Z")


def test_undeclared_latin1_keeps_accents_and_unparsed_dates_stay_null():
    docs, _, read = documents("realworld/rssparser_uolNoticias_undeclared_latin1.rss")
    assert read.warnings and "not well-formed" in read.warnings[0]
    assert any("ç" in d.text or "ã" in d.text for d in docs)
    assert all("Ã" not in d.text for d in docs)  # no mojibake
    assert docs[0].published is None
    assert docs[0].published_raw.startswith("Seg, 24 Set 2018")
    assert "not understood" in docs[0].warnings[0]


def test_latin2_polish():
    docs, _, _ = documents("realworld/rssparser_latin2.rss")
    assert docs[0].title == "ZAŻÓŁĆ GĘSLĄ JAŹŃ"
    assert docs[0].authors == ["Adam Gżegżółka"]


def test_large_russian_atom_feed_with_css():
    docs, _, _ = documents("feedparser/wellformed/sanitize/large_atom_feed_that_needs_css_sanitisation.xml")
    assert len(docs) == 15
    assert all("{" not in d.text or "style" not in d.text for d in docs)
    assert any("а" in d.title for d in docs)  # Cyrillic


def test_guardian_feed():
    docs, _, _ = documents("realworld/rssparser_guardian.rss")
    assert len(docs) == 55
    assert docs[0].published == "2018-01-31T07:26:05Z"


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("feedparser/encoding/demoronize-1.xml", "don’t"),
        ("feedparser/encoding/double-encoded-html.xml", "…"),
        ("feedparser/encoding/euc-kr-item.xml", "년"),
        ("feedparser/encoding/http_text_xml_charset_2.xml", "£"),
        ("feedparser/illformed/chardet/koi8r.xml", "Как пережить новогоднюю ночь"),
    ],
)
def test_encodings_and_entities_decode_to_the_right_text(relpath, expected):
    path = FEEDS / relpath
    try:
        read = read_feed(path)
    except FeedError:
        pytest.fail(f"{relpath} could not be read")
    found = " ".join([a.title for a in read.articles] + [p for a in read.articles for p in a.paragraphs]) or "".join(
        read.warnings
    )
    assert expected in found


def test_script_in_content_encoded_is_dropped():
    read = read_feed(FEEDS / "feedparser/wellformed/sanitize/item_content_encoded_script_cdata.xml")
    assert read.articles[0].paragraphs == ("safe description",)


def test_crazy_comments_do_not_leak_script():
    read = read_feed(FEEDS / "feedparser/wellformed/sanitize/item_content_encoded_crazy.xml")
    assert all("<script" not in p.lower() for a in read.articles for p in a.paragraphs)


ORACLE_FILES = sorted(k for k, v in EXPECTED.items() if v["n_entries"] and not k.startswith("wordpress/feedjira"))


@pytest.mark.parametrize("relpath", ORACLE_FILES)
def test_items_guids_and_links_match_the_feedparser_oracle(relpath):
    """Every file with entries: same item count, guid = feedparser's id, link = its link (http only)."""
    expected = EXPECTED[relpath]
    read = read_feed(FEEDS / relpath)
    assert len(read.articles) == expected["n_entries"]
    for article, entry in zip(read.articles, expected["entries"], strict=False):
        assert article.guid == entry["id"]
        link = entry["link"] if entry["link"] and entry["link"].startswith("http") else None
        if link and "/~r/" in link:  # a FeedBurner redirect: the real URL is feedburner:origLink
            assert article.link and "/~r/" not in article.link
        else:
            assert article.link == link


def test_non_permalink_guid_is_not_used_as_a_link():
    article = read_feed(FEEDS / "feedparser/wellformed/rss/item_guid_not_permalink.xml").articles[0]
    assert article.link is None and article.guid == "http://guid.example.com/"


@pytest.mark.parametrize(
    ("relpath", "body"),
    [
        ("feedparser/wellformed/rss/item_content_encoded.xml", "Example content"),
        ("feedparser/wellformed/rss/item_description_naked_markup.xml", "Example description"),
        ("feedparser/wellformed/atom10/entry_content_escaped_markup.xml", "Example Atom"),
        ("feedparser/wellformed/atom10/entry_content_div_escaped_markup.xml", "Example Atom"),
        ("feedparser/wellformed/atom10/entry_content_inline_markup.xml", "Example Atom"),
    ],
)
def test_html_bodies_become_text(relpath, body):
    assert read_feed(FEEDS / relpath).articles[0].paragraphs == (body,)


@pytest.mark.parametrize(
    ("relpath", "published"),
    [
        ("feedparser/wellformed/rss/item_pubDate_map_updated_parsed.xml", "2004-01-01T19:48:21Z"),
        ("feedparser/wellformed/rss/item_dc_date_parsed.xml", "2003-12-31T10:14:55Z"),
        ("feedparser/wellformed/namespace/rss2.0withAtomNS.xml", "2009-12-25T03:30:22Z"),
    ],
)
def test_dates_are_utc(relpath, published):
    from feedcorpus.documents import iso_utc

    assert iso_utc(read_feed(FEEDS / relpath).articles[0].published) == published


@pytest.mark.parametrize(
    ("relpath", "message"),
    [
        ("feedparser/illformed/aaa_illformed.xml", "no feed items could be read"),
        ("feedparser/illformed/rss_empty_document.xml", "no feed items could be read"),
        ("feedparser/illformed/undeclared_namespace.xml", "no feed items could be read"),
        ("feedparser/encoding/utf-8-bom.xml", "feed has no items"),
        ("feedparser/encoding/utf-16le-bom.xml", "feed has no items"),
        ("feedparser/encoding/bozo_bogus_encoding.xml", "no feed items could be read"),
        ("feedparser/entities/8217.xml", "no feed items could be read (SAXParseException"),
    ],
)
def test_unreadable_or_empty_feeds_raise_a_message_naming_the_file(relpath, message):
    with pytest.raises(FeedError) as info:
        read_feed(FEEDS / relpath)
    assert str(info.value).startswith(str(FEEDS / relpath) + ": ")
    assert message in str(info.value)


def test_incomplete_cdata_does_not_hang_and_recovers_an_item():
    read = read_feed(FEEDS / "feedparser/illformed/rss_incomplete_cdata.xml")
    assert read.warnings and len(read.articles) == 1
