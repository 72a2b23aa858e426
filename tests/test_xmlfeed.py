"""XML feeds through feedparser, on the project's own small synthetic feeds in tests/data/feeds/ (one case per
file, written by tests/data/feeds/make_fixtures.py). The same behaviour on real third-party files (feedparser's
test suite, rss-parser, laminas-feed, feedjira, real news feeds) is checked by tests/conformance/."""

from __future__ import annotations

import importlib.util

import pytest

from feedcorpus.documents import iso_utc, make_document
from feedcorpus.errors import FeedError
from feedcorpus.ingest.feeds import FeedFormat, detect_format, read_feed, read_feed_bytes
from feedcorpus.ingest.xmlfeed import html_to_paragraphs
from testdata_paths import FEEDS, SEED

SITE = "https://example-post.example"
GOITA = "Colonel Assimi Goïta visited Ménaka on Tuesday — “a short visit”, officials said."


def documents(relpath: str):
    read = read_feed(FEEDS / relpath)
    docs, skipped = [], []
    for article in read.articles:
        try:
            docs.append(make_document(article, feed=relpath))
        except ValueError as exc:
            skipped.append((article.record, str(exc)))
    return docs, skipped, read


def test_fixtures_are_what_make_fixtures_writes():
    spec = importlib.util.spec_from_file_location("make_fixtures", FEEDS / "make_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


# --- encodings ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "raw", "title", "body"),
    [
        ("encoding/utf-8-bom.xml", b"\xef\xbb\xbf<?xml", "Goïta visits Ménaka", GOITA),
        ("encoding/utf-16le-bom.xml", b"\xff\xfe<\x00?\x00", "Goïta’s visit to Ménaka — in brief", GOITA),
        (
            "encoding/iso-8859-1.xml",
            "Ménaka".encode("latin-1"),
            "Ménaka : la route de Gao rouverte à la circulation",
            "Les habitants de Ménaka ont salué mardi la réouverture de la route, fermée depuis août.",
        ),
        (
            "encoding/windows-1252-smart-quotes.xml",
            b"Menaka".replace(b"e", b"\xe9") + b"\x92s",
            "Ménaka’s market reopens",
            "“We waited three weeks,” a trader said — the market’s stalls were full by noon.",
        ),
        (
            "encoding/koi8-r.xml",
            "Менаки".encode("koi8-r"),
            "Нападение около Менаки",
            "Боевики напали на пост около Менаки во вторник, сообщили власти.",
        ),
        (
            "encoding/iso-8859-2.xml",
            "Żołnierze".encode("iso-8859-2"),
            "Gęsta mgła nad Gao, żołnierze czekają",
            "Żołnierze czekali w Gao na poprawę pogody.",
        ),
        (
            "encoding/gb2312.xml",
            "梅纳卡".encode("gb2312"),
            "马里梅纳卡附近发生袭击",
            "当地官员周二表示，武装分子袭击了梅纳卡附近的一个哨所。",
        ),
        (
            "encoding/euc-kr.xml",
            "메나카".encode("euc-kr"),
            "2024년 9월 메나카 공격",
            "화요일 메나카 근처 초소가 공격을 받았다고 관리들이 밝혔다.",
        ),
    ],
)
def test_declared_encodings_and_boms_decode_exactly_without_warnings(relpath, raw, title, body):
    data = (FEEDS / relpath).read_bytes()
    assert raw in data  # the fixture really is in that encoding
    assert detect_format(data) is FeedFormat.XML
    read = read_feed(FEEDS / relpath)
    assert read.warnings == []
    (article,) = read.articles
    assert (article.title, article.paragraphs) == (title, (body,))


def test_latin2_author_from_dc_creator():
    (doc,), _, _ = documents("encoding/iso-8859-2.xml")
    assert doc.authors == ["Łucja Żółkiewska"]


def test_undeclared_latin1_keeps_accents_and_unparsed_dates_stay_null():
    """No XML declaration, so UTF-8 is assumed; the bytes are Latin-1: feedparser falls back and says so."""
    docs, _, read = documents("encoding/undeclared-latin1.xml")
    assert read.warnings and "not well-formed" in read.warnings[0]
    (doc,) = docs
    assert doc.title == "Ataque perto de Ménaka deixa três mortos"
    assert "população" in doc.text and "ação de terça-feira" in doc.text
    assert "Ã" not in doc.text  # no mojibake
    assert doc.published is None
    assert doc.published_raw == "Ter, 17 Set 2024 10:15:00 -0300"
    assert "not understood" in doc.warnings[0]


def test_undeclared_windows_1252_smart_quote_is_decoded():
    read = read_feed(FEEDS / "encoding/undeclared-cp1252-quote.xml")
    assert read.warnings
    assert (read.articles[0].title, read.articles[0].paragraphs) == ("Gao’s bridge", ("The bridge didn’t close.",))


def test_undeclared_koi8r_is_detected():
    """No declaration, KOI8-R bytes: readable text needs the detector (chardet); assert the text, not the codec."""
    read = read_feed(FEEDS / "encoding/undeclared-koi8-r.xml")
    assert read.warnings
    assert read.articles[0].title == "Нападение около Менаки"
    assert read.articles[0].paragraphs[1] == "Дорога из Менаки в Гао была закрыта до утра среды."


def test_bogus_encoding_declaration_is_overridden_with_a_warning():
    read = read_feed(FEEDS / "encoding/bogus-encoding.xml")
    assert "CharacterEncodingOverride" in read.warnings[0] and "bogus" in read.warnings[0]
    assert read.articles[0].paragraphs == ("Le calme est revenu à Kidal mardi.",)


# --- malformed documents --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "message"),
    [
        (
            "illformed/unclosed-token.xml",
            "no feed items could be read (SAXParseException: <unknown>:4:0: unclosed token)",
        ),
        ("illformed/empty-document.xml", "no feed items could be read (SAXParseException"),
        ("illformed/undeclared-namespace.xml", "no feed items could be read (SAXParseException"),
        ("illformed/no-items.xml", "feed has no items"),
        ("encoding/bogus-encoding-no-items.xml", "no feed items could be read (CharacterEncodingOverride"),
    ],
)
def test_unreadable_or_empty_feeds_raise_a_message_naming_the_file(relpath, message):
    with pytest.raises(FeedError) as info:
        read_feed(FEEDS / relpath)
    assert str(info.value).startswith(str(FEEDS / relpath) + ": ")
    assert message in str(info.value)


def test_undeclared_namespace_prefix_is_named():
    with pytest.raises(FeedError, match="unbound prefix"):
        read_feed(FEEDS / "illformed/undeclared-namespace.xml")


def test_incomplete_cdata_does_not_hang_and_recovers_an_item():
    read = read_feed(FEEDS / "illformed/incomplete-cdata.xml")
    assert read.warnings and len(read.articles) == 1
    assert (read.articles[0].title, read.articles[0].paragraphs) == ("", ())


def test_blank_line_before_the_declaration_is_recovered_with_a_warning():
    read = read_feed(FEEDS / "illformed/leading-blank-line.xml")
    assert read.warnings and "not well-formed" in read.warnings[0]
    assert [a.title for a in read.articles] == ["Gao airport reopens", "Tessit market reopens"]


def test_doctype_before_rss_is_not_an_error():
    read = read_feed(FEEDS / "illformed/doctype-before-rss.xml")
    assert read.warnings == [] and read.articles[0].paragraphs == ("Flights resumed in Gao.",)


# --- guids and links ----------------------------------------------------------------------------------------------

ANSONGO = f"{SITE}/2024/09/17/ansongo-checkpoint/"


@pytest.mark.parametrize(
    ("relpath", "guid", "link"),
    [
        ("guid/not-permalink.xml", "example-post-ansongo-7781", None),  # a non-permalink guid is no link
        ("guid/permalink-only.xml", ANSONGO, ANSONGO),  # a permalink guid is the link
        ("guid/guid-and-link.xml", f"{SITE}/?p=204", ANSONGO),  # link for the link, guid for the id
        ("guid/feedburner-origlink.xml", f"{SITE}/?p=305", f"{SITE}/2024/09/17/gao-airport-closed/"),
        ("guid/entity-in-doctype.xml", "tag:example-post.example,2024-09-17:/ansongo/", None),
        ("guid/link-with-ampersand.xml", None, f"{SITE}/index.php?cat=4&p=204"),
        ("guid/atom-id-only.xml", ANSONGO, ANSONGO),
        ("guid/atom-alternate-link.xml", "tag:example-post.example,2024:post-204", ANSONGO),
    ],
)
def test_guids_and_links(relpath, guid, link):
    (article,) = read_feed(FEEDS / relpath).articles
    assert (article.guid, article.link) == (guid, link)


def test_wordpress_guid_gives_the_id_and_the_link_the_url():
    (doc,), _, _ = documents("guid/guid-and-link.xml")
    assert (doc.id, doc.guid, doc.url) == ("example-post-204", f"{SITE}/?p=204", ANSONGO)


def test_feedburner_origlink_beats_the_redirect_link():
    (doc,), _, _ = documents("guid/feedburner-origlink.xml")
    assert "/~r/" in (FEEDS / "guid/feedburner-origlink.xml").read_text("utf-8")
    assert doc.url == f"{SITE}/2024/09/17/gao-airport-closed/" and doc.id == "example-post-305"


def test_news_feed_without_guids_does_not_collapse():
    docs, skipped, read = documents("guid/no-guids.xml")
    assert len(read.articles) == 4 and all(a.guid is None for a in read.articles)
    assert len({d.id for d in docs}) == len(docs) == 3
    assert skipped == [("item 2", "no body text")]  # its description is only a tracking pixel
    assert all("feedproxy" not in d.url for d in docs)
    assert docs[0].title == "Curfew in Ménaka"
    assert docs[0].published == "2024-09-17T11:00:00Z"


# --- dates ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "published", "raw"),
    [
        ("dates/pubdate-numeric-zone.xml", "2024-09-17T08:15:00Z", "Tue, 17 Sep 2024 10:15:00 +0200"),
        ("dates/dc-date-naive.xml", "2024-09-17T10:15:00Z", "2024-09-17T10:15:00"),  # naive: taken as UTC
        ("dates/atom-updated-only.xml", "2024-09-17T09:15:00Z", "2024-09-17T10:15:00+01:00"),
        ("encoding/gb2312.xml", "2024-09-17T14:38:10Z", "2024-09-17 14:38:10"),  # naive: taken as UTC
    ],
)
def test_dates_are_utc(relpath, published, raw):
    (article,) = read_feed(FEEDS / relpath).articles
    assert (iso_utc(article.published), article.published_raw) == (published, raw)
    (doc,), _, _ = documents(relpath)
    assert doc.published == published and doc.warnings == []


def test_non_english_date_is_null_with_a_warning():
    (doc,), _, _ = documents("dates/non-english-date.xml")
    assert (doc.published, doc.published_raw) == (None, "Ter, 17 Set 2024 10:15:00 -0300")
    assert doc.warnings == ["no publication date ('Ter, 17 Set 2024 10:15:00 -0300' not understood); published is null"]


def test_no_date_at_all_is_null_with_a_warning():
    (doc,), _, _ = documents("dates/no-date.xml")
    assert (doc.published, doc.published_raw) == (None, None)
    assert doc.warnings == ["no publication date; published is null"]


# --- HTML bodies ----------------------------------------------------------------------------------------------


def test_content_encoded_html_becomes_text_with_entities_decoded():
    (doc,), _, _ = documents("html/content-encoded-entities.xml")
    assert doc.title == "Goïta’s cabinet & the AES"
    assert doc.text[doc.body_offset :] == "Goïta’s cabinet met the AES partners & donors in Bamako."
    assert doc.summary == "Summary only."  # the body comes from content:encoded, not the description


@pytest.mark.parametrize(
    ("relpath", "body"),
    [
        ("html/content-encoded-escaped.xml", "Talks in Bamako ended."),
        ("html/description-naked-markup.xml", "Talks in Bamako ended."),
        ("html/script-dropped.xml", "Talks in Bamako ended."),
        ("html/atom-content-html.xml", "Talks in Bamako ended"),
        ("html/atom-content-xhtml.xml", "Talks in Bamako ended"),
        ("html/atom-content-div-escaped.xml", "Talks in Bamako ended"),
        ("html/atom-content-and-summary.xml", "Talks in Bamako ended on Tuesday."),
    ],
)
def test_html_bodies_become_text(relpath, body):
    assert read_feed(FEEDS / relpath).articles[0].paragraphs == (body,)


def test_atom_content_is_the_body_and_summary_the_summary():
    (doc,), _, _ = documents("html/atom-content-and-summary.xml")
    assert doc.summary == "Talks ended." and doc.text.endswith("Talks in Bamako ended on Tuesday.")


def test_script_inside_comments_does_not_leak():
    (article,) = read_feed(FEEDS / "html/comment-with-script.xml").articles
    assert article.paragraphs == ("Talks in Bamako ended.", "More later.")


def test_style_elements_and_attributes_are_dropped():
    (article,) = read_feed(FEEDS / "html/style-dropped.xml").articles
    assert article.title == "Переговоры в Бамако"
    assert article.paragraphs == ("Talks in Bamako ended.", "Mediators will meet again in Niamey.")


def test_double_encoded_entities_give_what_feedparser_gives():
    """feedparser repairs UTF-8 read as Latin-1 (&#226;&#128;&#166;) to …; one level of escaping (&amp;#8230;)
    is HTML for …; a second level (&amp;amp;#8230;) stays literal text."""
    articles = read_feed(FEEDS / "html/double-encoded.xml").articles
    assert [a.title for a in articles] == ["Wait… what?", "Wait… what?", "Wait&#8230; what?"]
    assert [a.paragraphs for a in articles] == [("Then… silence",), ("Then… silence",), ("Then&#8230; silence",)]


def test_blocks_become_blank_line_separated_paragraphs():
    (doc,), _, _ = documents("html/paragraphs.xml")
    paragraphs = [
        "What happened",
        "Leaders of the AES met in Niamey.",
        "They signed a charter.\nThen they left.",
        "Mali\nNiger",
        "Burkina Faso’s delegation arrived late.",
    ]
    assert doc.text == "Niamey summit\n\n" + "\n\n".join(paragraphs)
    assert doc.body_offset == len("Niamey summit\n\n")


# --- a WordPress blog as RSS 2.0 and as Atom 1.0 -----------------------------------------------------------------


def test_same_wordpress_blog_as_rss_and_atom_gives_the_same_articles():
    rss, _, _ = documents("wordpress/example-post-rss2.xml")
    atom, _, _ = documents("wordpress/example-post-atom10.xml")
    assert len(rss) == len(atom) == 3
    for a, b in zip(rss, atom, strict=True):
        assert (a.id, a.guid, a.title, a.url, a.published, a.text, a.authors, a.source) == (
            b.id,
            b.guid,
            b.title,
            b.url,
            b.published,
            b.text,
            b.authors,
            b.source,
        )
    assert [d.id for d in rss] == ["example-post-101", "example-post-102", "example-post-103"]
    assert rss[0].guid == f"{SITE}/?p=101"
    assert [d.title for d in atom] == [
        "Ménaka after the rains… a town waits",  # &#8230; decoded in the html-typed Atom title too
        "Goïta names a new governor for Kidal",
        "Q&A: the Sahel’s grain routes",
    ]
    assert [d.authors for d in rss] == [["Awa Traoré"], ["Staff Writer"], ["Awa Traoré"]]
    assert rss[0].source == "Example Post"  # from the "appeared first on" footer


def test_wordpress_content_encoded_becomes_paragraphs_without_the_footer():
    rss, _, _ = documents("wordpress/example-post-rss2.xml")
    body = rss[0].text[rss[0].body_offset :]
    assert body == (
        "Residents of Ménaka said on Monday that the road to Gao was open again.\n\n"
        "“We waited three weeks,” a trader told Example Post — prices had doubled."
    )
    assert all("appeared first" not in d.text and "<" not in d.text and "&#" not in d.text for d in rss)
    assert rss[0].summary == "Residents of Ménaka said on Monday that the road to Gao was open again. […]"


def test_items_without_title_or_body_are_skipped_with_their_reason():
    docs, skipped, _ = documents("wordpress/missing-title-and-body.xml")
    assert [d.id for d in docs] == ["example-post-401"]
    assert skipped == [
        (f"item 2 (guid {SITE}/?p=402)", "no title"),
        (f"item 3 (guid {SITE}/?p=403)", "no body text"),
    ]


# --- format detection and HTML to text --------------------------------------------------------------------------


def test_format_detection():
    assert detect_format(b"\n\n  <?xml version='1.0'?><rss/>") is FeedFormat.XML
    assert detect_format(SEED.read_bytes()) is FeedFormat.WPDUMP
    assert detect_format(b"\xff\xfe<\x00r\x00") is FeedFormat.XML
    for data, message in [
        (b"", "file is empty"),
        (b"  \n", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        (b"hello world\n", "unknown format"),
        (b"\xe9t\xe9\n", "unknown format"),
    ]:
        with pytest.raises(FeedError, match=message):
            detect_format(data)


def test_forcing_xml_on_a_dump_reports_no_items():
    with pytest.raises(FeedError):
        read_feed_bytes(SEED.read_bytes(), FeedFormat.XML)


def test_html_to_paragraphs():
    html = "<p>Goïta&#8217;s <b>plan</b></p><script>alert(1)</script><style>p{}</style><p>Two<br/>lines</p>"
    assert html_to_paragraphs(html) == ["Goïta’s plan", "Two\nlines"]
    assert html_to_paragraphs("") == []
