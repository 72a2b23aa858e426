"""One text policy at split for every input format (documents.normalise_text): NFC, Unicode spaces as U+0020,
line breaks kept inside a paragraph and joined in titles, quotes and emoji as published."""

from __future__ import annotations

import json
import unicodedata

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.documents import normalise_text

NFC, NFD = unicodedata.normalize("NFC", "Goïta"), unicodedata.normalize("NFD", "Goïta")
TITLE = f"{NFD} meets “the junta”"
BODY = [f"{NFD}\u00a0and {NFC} met in Bamako\u202f🇲🇱 on Tuesday.", "JNIM\u2009said ‘nothing’ 🙂."]
EXPECTED_TEXT = f"{NFC} meets “the junta”\n\n{NFC} and {NFC} met in Bamako 🇲🇱 on Tuesday.\n\nJNIM said ‘nothing’ 🙂."


def rss() -> str:
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Example</title>'
        f"<item><title>{TITLE}</title><link>https://example.org/a/</link><guid>https://example.org/?p=7</guid>"
        "<pubDate>Mon, 01 Jan 2024 10:00:00 +0100</pubDate><description>Summary.</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
    )


def atom() -> str:
    body = "".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in BODY)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Example</title>'
        f'<entry><title>{TITLE}</title><link href="https://example.org/a/"/><id>https://example.org/?p=7</id>'
        f'<updated>2024-01-01T09:00:00Z</updated><content type="html">{body}</content></entry></feed>'
    )


def dump() -> str:
    return (
        "Site https://example.org/ Desc Mon, 01 Jan 2024 00:00:00 +0000 en-US hourly 1 https://wordpress.org/?v=6.6.1 "
        f"{TITLE} https://example.org/a/ Mon, 01 Jan 2024 10:00:00 +0100 https://example.org/?p=7 Summary.\n\n]]>\n"
        + "\n\n".join(BODY)
        + f"\n\nThe post {TITLE} appeared first on Example.\n\n]]>\n"
    )


@pytest.mark.parametrize(("name", "content"), [("feed.xml", rss()), ("atom.xml", atom()), ("feed.txt", dump())])
def test_every_format_gives_the_same_normalised_text(project, name, content):
    feed = project / "corpus" / "feeds" / name
    feed.write_text(content, "utf-8")
    result = CliRunner().invoke(cli, ["split", "--project-dir", str(project), str(feed)])
    assert result.exit_code == 0, result.output
    (path,) = (project / "corpus" / "documents").glob("*.json")
    document = json.loads(path.read_text("utf-8"))
    assert document["text"] == EXPECTED_TEXT  # before: NFD kept, NBSP kept by the dump, spaces varied by format
    assert document["title"] == f"{NFC} meets “the junta”" and document["text"].count(NFC) == 3
    start = document["text"].index("Bamako")
    assert document["text"][start : start + 6] == "Bamako"  # offsets are str indices after normalisation


def test_line_breaks_stay_inside_a_paragraph_and_are_joined_in_one_line_fields():
    assert normalise_text("Mali\r\nNiger\u2028\n \nChad\t ") == "Mali\nNiger\nChad"
    assert normalise_text(" A\ntitle\u0085here\x07 ", one_line=True) == "A title here"
    assert normalise_text("a\u00a0b\u3000c") == "a b c" and len(normalise_text("x\u00a0\u2009y")) == 4
