#!/usr/bin/env python3
"""Write the small synthetic feeds in this folder, byte for byte, from the templates below.

Every feed here is this project's own invented content: short fake news items of a fictional site,
"Example Post" (example-post.example), about real Sahel places. Each file exercises one reading case
(an encoding, a malformed document, a guid rule, a date form, an HTML body, a WordPress RSS/Atom pair) for
tests/test_xmlfeed.py and tests/test_cli_split.py. They stand in for the third-party files of the
conformance suite (tests/conformance/), which stay outside the repository.

Several fixtures are not UTF-8 (UTF-16, ISO-8859-1, windows-1252, KOI8-R, GB2312, EUC-KR, undeclared
Latin-1) or are deliberately broken, so they are generated rather than edited by hand.

Usage, from the repository root::

    python tests/data/feeds/make_fixtures.py           # (re)write the fixtures
    python tests/data/feeds/make_fixtures.py --check   # exit 1 when a fixture differs from its template

Standard library only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = "https://example-post.example"
NAMESPACES = (
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"'
)


def rss(items: str, *, encoding: str | None = "UTF-8", title: str = "Example Post", declaration: bool = True) -> str:
    """An RSS 2.0 document around `items`; `encoding=None` declares none."""
    head = ""
    if declaration:
        head = '<?xml version="1.0"' + (f' encoding="{encoding}"' if encoding else "") + "?>\n"
    return (
        f'{head}<rss version="2.0"{NAMESPACES}>\n<channel>\n<title>{title}</title>\n<link>{SITE}/</link>\n'
        f"<description>News from the Sahel</description>\n{items}</channel>\n</rss>\n"
    )


def item(
    title: str | None,
    body: str,
    *,
    guid: str | None = None,
    link: str | None = None,
    date: str | None = "Tue, 17 Sep 2024 10:15:00 +0000",
    extra: str = "",
) -> str:
    """One RSS item; `body` goes into <description> as given (escape or wrap it in CDATA yourself)."""
    lines = ["<item>"]
    if title is not None:
        lines.append(f"<title>{title}</title>")
    if link:
        lines.append(f"<link>{link}</link>")
    if guid:
        lines.append(guid if guid.startswith("<") else f"<guid>{guid}</guid>")
    if date:
        lines.append(f"<pubDate>{date}</pubDate>")
    if extra:
        lines.append(extra)
    lines.append(f"<description>{body}</description>")
    lines.append("</item>")
    return "\n".join(lines) + "\n"


def atom(entries: str, *, title: str = "Example Post") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'<title>{title}</title>\n<link rel="alternate" href="{SITE}/"/>\n<id>{SITE}/</id>\n'
        f"<updated>2024-09-17T12:00:00Z</updated>\n{entries}</feed>\n"
    )


def entry(body: str, *, title: str = "Example Post in Atom", slug: str = "atom-entry", dates: str = "") -> str:
    dates = dates or "<published>2024-09-17T10:15:00Z</published>\n<updated>2024-09-17T10:15:00Z</updated>"
    return (
        f'<entry>\n<title>{title}</title>\n<link rel="alternate" href="{SITE}/2024/09/17/{slug}/"/>\n'
        f"<id>{SITE}/2024/09/17/{slug}/</id>\n{dates}\n{body}\n</entry>\n"
    )


def cdata(html: str) -> str:
    return f"<![CDATA[{html}]]>"


def simple(title: str, body_html: str, slug: str, **kwargs: str) -> str:
    return item(title, cdata(body_html), link=f"{SITE}/2024/09/17/{slug}/", **kwargs)


# --- encodings ----------------------------------------------------------------------------------------------


def encodings() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    body = "<p>Colonel Assimi Goïta visited Ménaka on Tuesday — “a short visit”, officials said.</p>"
    files["encoding/utf-8-bom.xml"] = b"\xef\xbb\xbf" + rss(
        simple("Goïta visits Ménaka", body, "goita-visits-menaka")
    ).encode("utf-8")
    files["encoding/utf-16le-bom.xml"] = b"\xff\xfe" + rss(
        simple("Goïta’s visit to Ménaka — in brief", body, "goita-visit-in-brief"), encoding="UTF-16"
    ).encode("utf-16-le")
    files["encoding/iso-8859-1.xml"] = rss(
        simple(
            "Ménaka : la route de Gao rouverte à la circulation",
            "<p>Les habitants de Ménaka ont salué mardi la réouverture de la route, fermée depuis août.</p>",
            "menaka-route-de-gao",
        ),
        encoding="ISO-8859-1",
    ).encode("iso-8859-1")
    files["encoding/windows-1252-smart-quotes.xml"] = rss(
        simple(
            "Ménaka’s market reopens",
            "<p>“We waited three weeks,” a trader said — the market’s stalls were full by noon.</p>",
            "menaka-market-reopens",
        ),
        encoding="windows-1252",
    ).encode("cp1252")
    files["encoding/undeclared-cp1252-quote.xml"] = rss(
        simple("Gao’s bridge", "<p>The bridge didn’t close.</p>", "gao-bridge"), encoding=None
    ).encode("cp1252")
    files["encoding/koi8-r.xml"] = rss(
        simple(
            "Нападение около Менаки",
            "<p>Боевики напали на пост около Менаки во вторник, сообщили власти.</p>",
            "napadenie-menaka",
        ),
        encoding="KOI8-R",
    ).encode("koi8-r")
    files["encoding/gb2312.xml"] = rss(
        simple(
            "马里梅纳卡附近发生袭击",
            "<p>当地官员周二表示，武装分子袭击了梅纳卡附近的一个哨所。</p>",
            "menaka-gb2312",
            date="2024-09-17 14:38:10",
        ),
        encoding="gb2312",
    ).encode("gb2312")
    files["encoding/euc-kr.xml"] = rss(
        simple(
            "2024년 9월 메나카 공격",
            "<p>화요일 메나카 근처 초소가 공격을 받았다고 관리들이 밝혔다.</p>",
            "menaka-euc-kr",
        ),
        encoding="EUC-KR",
    ).encode("euc-kr")
    files["encoding/undeclared-latin1.xml"] = rss(
        simple(
            "Ataque perto de Ménaka deixa três mortos",
            "<p>Segundo as autoridades, a população de Ménaka está em alerta após a ação de terça-feira.</p>",
            "ataque-perto-de-menaka",
            date="Ter, 17 Set 2024 10:15:00 -0300",
        ),
        declaration=False,
    ).encode("iso-8859-1")
    files["encoding/undeclared-koi8-r.xml"] = rss(
        simple(
            "Нападение около Менаки",
            "<p>Во вторник боевики напали на военный пост около Менаки, сообщили местные власти. По их словам,"
            " нападение продолжалось несколько часов, а жители города провели ночь в своих домах.</p>"
            "<p>Дорога из Менаки в Гао была закрыта до утра среды.</p>",
            "napadenie-menaka",
        ),
        declaration=False,
    ).encode("koi8-r")
    files["encoding/iso-8859-2.xml"] = rss(
        simple(
            "Gęsta mgła nad Gao, żołnierze czekają",
            "<p>Żołnierze czekali w Gao na poprawę pogody.</p>",
            "gesta-mgla-nad-gao",
            extra="<dc:creator>Łucja Żółkiewska</dc:creator>",
        ),
        encoding="ISO-8859-2",
    ).encode("iso-8859-2")
    files["encoding/bogus-encoding.xml"] = rss(
        simple("Kidal : le calme est revenu", "<p>Le calme est revenu à Kidal mardi.</p>", "kidal-calme"),
        encoding="bogus",
    ).encode("utf-8")
    files["encoding/bogus-encoding-no-items.xml"] = rss("", encoding="bogus").encode("utf-8")
    return files


# --- malformed documents (feedparser's "bozo") ---------------------------------------------------------------


def malformed() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files["illformed/unclosed-token.xml"] = b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n</rss'
    files["illformed/empty-document.xml"] = b"<!-- Example Post: nothing was exported -->\n"
    files["illformed/undeclared-namespace.xml"] = (
        b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>Example Post</title>\n'
        b"<itunes:subtitle>Sahel news</itunes:subtitle>\n</channel>\n</rss>\n"
    )
    files["illformed/incomplete-cdata.xml"] = (
        b"<!-- exported by Example Post -->\r\n"
        b'<?xml version="1.0"?>\r\n<rss version="2.0">\r\n<channel>\r\n<title>Example Post</title>\r\n'
        b"<link>https://example-post.example/</link>\r\n<item><title><![CD\r\n"
    )
    files["illformed/leading-blank-line.xml"] = b"\n" + rss(
        simple("Gao airport reopens", "<p>Flights resumed in Gao.</p>", "gao-airport-reopens")
        + simple("Tessit market reopens", "<p>Traders returned to Tessit.</p>", "tessit-market-reopens")
    ).encode("utf-8")
    files["illformed/doctype-before-rss.xml"] = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"'
        ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        + rss(simple("Gao airport reopens", "<p>Flights resumed in Gao.</p>", "gao-airport-reopens"), declaration=False)
    ).encode("utf-8")
    files["illformed/no-items.xml"] = rss("").encode("utf-8")
    return files


# --- guids and links --------------------------------------------------------------------------------------------


def guids() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    body = cdata("<p>Soldiers reopened the checkpoint at Ansongo on Tuesday.</p>")
    files["guid/not-permalink.xml"] = rss(
        item("Ansongo checkpoint reopens", body, guid='<guid isPermaLink="false">example-post-ansongo-7781</guid>')
    ).encode("utf-8")
    files["guid/permalink-only.xml"] = rss(
        item("Ansongo checkpoint reopens", body, guid=f"{SITE}/2024/09/17/ansongo-checkpoint/")
    ).encode("utf-8")
    files["guid/guid-and-link.xml"] = rss(
        item(
            "Ansongo checkpoint reopens",
            body,
            guid=f'<guid isPermaLink="false">{SITE}/?p=204</guid>',
            link=f"{SITE}/2024/09/17/ansongo-checkpoint/",
        )
    ).encode("utf-8")
    files["guid/feedburner-origlink.xml"] = rss(
        item(
            "Gao airport closed to civilian flights",
            cdata("<p>The airport at Gao was closed to civilian flights on Tuesday.</p>"),
            guid=f'<guid isPermaLink="false">{SITE}/?p=305</guid>',
            link="https://feedproxy.example/~r/ExamplePost/~3/Xy12Ab/",
            extra=f"<feedburner:origLink>{SITE}/2024/09/17/gao-airport-closed/</feedburner:origLink>",
        )
    ).encode("utf-8")
    files["guid/entity-in-doctype.xml"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [\n<!ENTITY site "example-post.example">\n]>\n'
        + rss(item("Ansongo checkpoint reopens", body, guid="tag:&site;,2024-09-17:/ansongo/"), declaration=False)
    ).encode("utf-8")
    files["guid/link-with-ampersand.xml"] = rss(
        item("Ansongo checkpoint reopens", body, link=f"{SITE}/index.php?cat=4&amp;p=204")
    ).encode("utf-8")
    files["guid/atom-id-only.xml"] = atom(
        "<entry>\n<title>Ansongo checkpoint reopens</title>\n"
        f"<id>{SITE}/2024/09/17/ansongo-checkpoint/</id>\n<updated>2024-09-17T10:15:00Z</updated>\n"
        '<content type="text">Soldiers reopened the checkpoint at Ansongo on Tuesday.</content>\n</entry>\n'
    ).encode("utf-8")
    files["guid/atom-alternate-link.xml"] = atom(
        "<entry>\n<title>Ansongo checkpoint reopens</title>\n"
        f'<link rel="replies" href="{SITE}/2024/09/17/ansongo-checkpoint/#comments"/>\n'
        f'<link rel="alternate" type="text/html" href="{SITE}/2024/09/17/ansongo-checkpoint/"/>\n'
        f'<link rel="enclosure" href="{SITE}/audio/ansongo.mp3"/>\n'
        f"<id>tag:example-post.example,2024:post-204</id>\n<updated>2024-09-17T10:15:00Z</updated>\n"
        '<content type="text">Soldiers reopened the checkpoint at Ansongo on Tuesday.</content>\n</entry>\n'
    ).encode("utf-8")
    pixel = '<img src="https://feeds.example/~r/ExamplePost/~4/Qw9" height="1" width="1" alt=""/>'
    towns = [("Ménaka", "menaka"), ("Ansongo", "ansongo"), ("Gao", "gao"), ("Tessit", "tessit")]
    no_guid_items = ""
    for number, (town, slug) in enumerate(towns, 1):
        redirect = f"https://feedproxy.example/~r/ExamplePost/~3/{slug}/"
        html = pixel if number == 2 else f"<p>A curfew was declared in {town} on Tuesday night.</p>{pixel}"
        no_guid_items += item(
            f"Curfew in {town}",
            cdata(html),
            link=redirect,
            date=f"Tue, 17 Sep 2024 {10 + number}:00:00 +0000",
            extra=f"<feedburner:origLink>{SITE}/2024/09/17/curfew-in-{slug}/</feedburner:origLink>",
        )
    files["guid/no-guids.xml"] = rss(no_guid_items, encoding="ISO-8859-1").encode("iso-8859-1")
    return files


# --- dates --------------------------------------------------------------------------------------------------------


def dates() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    body = "<p>The governor of Tombouctou spoke to reporters.</p>"
    files["dates/pubdate-numeric-zone.xml"] = rss(
        simple("Tombouctou governor speaks", body, "tombouctou-governor", date="Tue, 17 Sep 2024 10:15:00 +0200")
    ).encode("utf-8")
    files["dates/dc-date-naive.xml"] = rss(
        simple(
            "Tombouctou governor speaks",
            body,
            "tombouctou-governor",
            date=None,
            extra="<dc:date>2024-09-17T10:15:00</dc:date>",
        )
    ).encode("utf-8")
    files["dates/atom-updated-only.xml"] = atom(
        entry(
            f'<content type="html">{body.replace("<", "&lt;").replace(">", "&gt;")}</content>',
            title="Tombouctou governor speaks",
            slug="tombouctou-governor",
            dates="<updated>2024-09-17T10:15:00+01:00</updated>",
        )
    ).encode("utf-8")
    files["dates/non-english-date.xml"] = rss(
        simple("Governador de Tombouctou fala", body, "governador", date="Ter, 17 Set 2024 10:15:00 -0300")
    ).encode("utf-8")
    files["dates/no-date.xml"] = rss(
        simple("Tombouctou governor speaks", body, "tombouctou-governor", date=None)
    ).encode("utf-8")
    return files


# --- HTML bodies --------------------------------------------------------------------------------------------------


def html() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files["html/content-encoded-entities.xml"] = rss(
        item(
            "Goïta&#8217;s cabinet &amp; the AES",
            "Summary only.",
            link=f"{SITE}/2024/09/17/goita-cabinet/",
            extra=(
                "<content:encoded>"
                + cdata("<p>Goïta&#8217;s cabinet met the AES partners &amp; donors in Bamako.</p>")
                + "</content:encoded>"
            ),
        )
    ).encode("utf-8")
    files["html/content-encoded-escaped.xml"] = rss(
        item(
            "Bamako talks",
            "Summary only.",
            link=f"{SITE}/2024/09/17/bamako-talks/",
            extra="<content:encoded>&lt;p&gt;Talks in &lt;b&gt;Bamako&lt;/b&gt; ended.&lt;/p&gt;</content:encoded>",
        )
    ).encode("utf-8")
    files["html/script-dropped.xml"] = rss(
        simple("Bamako talks", "<p>Talks in Bamako ended.</p><script>alert('Example Post')</script>", "bamako-talks")
    ).encode("utf-8")
    files["html/comment-with-script.xml"] = rss(
        simple(
            "Bamako talks",
            "<p>Talks <!-- <script>alert(1)</script> --> in Bamako ended.</p><!-- <p>draft</p> --><p>More later.</p>",
            "bamako-talks",
        )
    ).encode("utf-8")
    css = (
        '<style type="text/css">p.lead { color: #c00; font-weight: bold; }</style>'
        '<p class="lead" style="color: red; margin: 0 0 1em 0;">Talks in Bamako ended.</p>'
        '<div style="font-family: Georgia, serif;">Mediators will meet again in Niamey.</div>'
    )
    files["html/style-dropped.xml"] = atom(
        entry(
            '<content type="html">'
            + css.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            + "</content>",
            title="Переговоры в Бамако",
            slug="bamako-talks",
        )
    ).encode("utf-8")
    files["html/atom-content-html.xml"] = atom(
        entry('<content type="html">Talks in &lt;b&gt;Bamako&lt;/b&gt; ended</content>', slug="bamako-html")
    ).encode("utf-8")
    files["html/atom-content-and-summary.xml"] = atom(
        entry(
            '<summary type="text">Talks ended.</summary>\n'
            '<content type="html">&lt;p&gt;Talks in Bamako ended on Tuesday.&lt;/p&gt;</content>',
            slug="bamako-summary",
        )
    ).encode("utf-8")
    files["html/atom-content-xhtml.xml"] = atom(
        entry(
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Talks in <b>Bamako</b> ended</div>'
            "</content>",
            slug="bamako-xhtml",
        )
    ).encode("utf-8")
    files["html/atom-content-div-escaped.xml"] = atom(
        entry(
            '<content type="html"><div xmlns="http://www.w3.org/1999/xhtml">Talks in &lt;b&gt;Bamako&lt;/b&gt; ended'
            "</div></content>",
            slug="bamako-div",
        )
    ).encode("utf-8")
    files["html/description-naked-markup.xml"] = rss(
        item("Bamako talks", "<p>Talks in Bamako ended.</p>", link=f"{SITE}/2024/09/17/bamako-naked/")
    ).encode("utf-8")
    files["html/double-encoded.xml"] = rss(
        item("Wait&#226;&#128;&#166; what?", "Then&#226;&#128;&#166; silence", link=f"{SITE}/2024/09/17/wait-1/")
        + item("Wait&amp;#8230; what?", "Then&amp;#8230; silence", link=f"{SITE}/2024/09/17/wait-2/")
        + item("Wait&amp;amp;#8230; what?", "Then&amp;amp;#8230; silence", link=f"{SITE}/2024/09/17/wait-3/")
    ).encode("utf-8")
    files["html/paragraphs.xml"] = rss(
        simple(
            "Niamey summit",
            "<h2>What happened</h2><p>Leaders of the AES met in Niamey.</p>\n\n<p>They signed a charter.<br/>"
            "Then they left.</p><ul><li>Mali</li><li>Niger</li></ul><div>Burkina Faso&#8217;s delegation"
            " arrived late.</div>",
            "niamey-summit",
        )
    ).encode("utf-8")
    return files


# --- a WordPress blog as RSS 2.0 and as Atom 1.0 -----------------------------------------------------------------

POSTS = (
    {
        "id": 101,
        "slug": "menaka-after-the-rains",
        "title": "Ménaka after the rains&#8230; a town waits",
        "author": "Awa Traoré",
        "date": ("Tue, 17 Sep 2024 10:15:00 +0000", "2024-09-17T10:15:00Z"),
        "html": (
            "<p>Residents of Ménaka said on Monday that the road to Gao was open again.</p>\n"
            "<p>&#8220;We waited three weeks,&#8221; a trader told Example Post &#8212; prices had doubled.</p>"
        ),
    },
    {
        "id": 102,
        "slug": "goita-names-kidal-governor",
        "title": "Goïta names a new governor for Kidal",
        "author": "Staff Writer",
        "date": ("Tue, 17 Sep 2024 12:30:00 +0000", "2024-09-17T12:30:00Z"),
        "html": (
            "<p>Colonel Assimi Goïta named a new governor for Kidal on Tuesday.</p>\n"
            "<p>The region&#8217;s previous governor had served since 2023.</p>"
        ),
    },
    {
        "id": 103,
        "slug": "sahel-grain-routes",
        "title": "Q&amp;A: the Sahel&#8217;s grain routes",
        "author": "Awa Traoré",
        "date": ("Wed, 18 Sep 2024 08:00:00 +0000", "2024-09-18T08:00:00Z"),
        "html": (
            "<p><strong>Why do the routes matter?</strong> Grain from Ségou feeds Tombouctou &amp; Gao.</p>\n"
            "<p>Traders say convoys now take two weeks.</p>"
        ),
    },
)


def footer(post: dict) -> str:
    url = f"{SITE}/2024/09/17/{post['slug']}/"
    return f'<p>The post <a href="{url}">{post["title"]}</a> appeared first on <a href="{SITE}">Example Post</a>.</p>'


def wordpress() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    items = ""
    for post in POSTS:
        url = f"{SITE}/2024/09/17/{post['slug']}/"
        items += item(
            post["title"],
            cdata(post["html"].split("</p>")[0] + " [&#8230;]</p>"),
            link=url,
            guid=f'<guid isPermaLink="false">{SITE}/?p={post["id"]}</guid>',
            date=post["date"][0],
            extra=(
                f"<dc:creator>{cdata(post['author'])}</dc:creator>\n<category>{cdata('Mali')}</category>\n"
                f"<content:encoded>{cdata(post['html'] + chr(10) + footer(post))}</content:encoded>"
            ),
        )
    files["wordpress/example-post-rss2.xml"] = rss(items).encode("utf-8")
    entries = ""
    for post in POSTS:
        url = f"{SITE}/2024/09/17/{post['slug']}/"
        entries += (
            f"<entry>\n<author><name>{post['author']}</name></author>\n"
            f'<title type="html">{cdata(post["title"])}</title>\n'
            f'<link rel="alternate" type="text/html" href="{url}"/>\n'
            f"<id>{SITE}/?p={post['id']}</id>\n<updated>{post['date'][1]}</updated>\n"
            f"<published>{post['date'][1]}</published>\n"
            f'<category scheme="{SITE}" term="Mali"/>\n'
            f'<summary type="html">{cdata(post["html"].split("</p>")[0] + " [&#8230;]</p>")}</summary>\n'
            f'<content type="html" xml:base="{url}">{cdata(post["html"] + chr(10) + footer(post))}</content>\n'
            "</entry>\n"
        )
    files["wordpress/example-post-atom10.xml"] = atom(entries).encode("utf-8")
    files["wordpress/missing-title-and-body.xml"] = rss(
        item(
            "Curfew lifted in Gao",
            cdata("<p>The curfew in Gao was lifted on Tuesday.</p>"),
            guid=f'<guid isPermaLink="false">{SITE}/?p=401</guid>',
            link=f"{SITE}/2024/09/17/curfew-lifted-in-gao/",
        )
        + item(
            None,
            cdata("<p>An item without a title.</p>"),
            guid=f'<guid isPermaLink="false">{SITE}/?p=402</guid>',
            link=f"{SITE}/2024/09/17/untitled/",
        )
        + item(
            "An item without a body",
            "",
            guid=f'<guid isPermaLink="false">{SITE}/?p=403</guid>',
            link=f"{SITE}/2024/09/17/no-body/",
        )
    ).encode("utf-8")
    return files


def fixtures() -> dict[str, bytes]:
    return {**encodings(), **malformed(), **guids(), **dates(), **html(), **wordpress()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a fixture differs from its template")
    args = parser.parse_args(argv)
    stale = []
    for relpath, data in fixtures().items():
        path = HERE / relpath
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(relpath)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if stale:
        print("stale fixtures (run make_fixtures.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
