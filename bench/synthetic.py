"""A synthetic news corpus built from the seed's own words, for the benchmarks.

Every article gets a unique guid (?p=N) and 3–8 paragraphs drawn with a fixed seed, so runs are comparable.
Each paragraph is a seed paragraph with the words of every sentence shuffled (the first one kept): the same
vocabulary, names and lengths as the seed, but no wire copy shared by chance. With `copies`, that share of
the articles are near-copies of an earlier one (reordered paragraphs, a new lede, one shared paragraph
lightly edited, or an exact copy), recorded in `copy_of` so a benchmark can measure recall.
Writers produce the same articles as a tag-stripped WordPress dump, RSS 2.0 (content:encoded) and Atom 1.0.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from feedcorpus.ingest.wpdump import parse_dump

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "feeds" / "thedefensepost-mali-2024.txt"
SITE = "https://thedefensepost.com"


@dataclass(frozen=True)
class SyntheticArticle:
    number: int
    title: str
    paragraphs: list[str]
    published: datetime
    copy_of: int | None = None  # the number of the article this one copies (injected near-copies)
    copy_kind: str | None = None

    @property
    def guid(self) -> str:
        return f"{SITE}/?p={self.number}"

    @property
    def link(self) -> str:
        return f"{SITE}/2024/01/01/synthetic-{self.number}/?utm_source=rss&utm_medium=rss"


def seed_pool() -> tuple[list[str], list[str]]:
    """The seed's titles and body paragraphs."""
    articles, _ = parse_dump(SEED.read_text("utf-8"))
    return [a.title for a in articles], [p for a in articles for p in a.paragraphs]


def shuffled(paragraph: str, rng: random.Random) -> str:
    sentences = []
    for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
        words = sentence.rstrip(".!?").split()
        if len(words) > 2:
            rest = words[1:]
            rng.shuffle(rest)
            words = [words[0], *rest]
        sentences.append(" ".join(words) + ".")
    return " ".join(sentences)


COPY_KINDS = ("reordered", "new-lede", "shared-paragraph", "exact")


def near_copy(original: list[str], kind: str, rng: random.Random, fresh: list[str]) -> list[str]:
    if kind == "reordered":
        body = list(original)
        rng.shuffle(body)
        return body
    if kind == "new-lede":
        return [fresh[0], *original[1:]]
    if kind == "shared-paragraph":
        shared = original[rng.randrange(len(original))].split()
        for _ in range(max(1, len(shared) // 20)):  # about 5 % of its words changed
            shared[rng.randrange(len(shared))] = rng.choice(shared)
        return [*fresh[:2], " ".join(shared)]
    return list(original)


def articles(count: int, *, seed: int = 7, copies: float = 0.0) -> Iterator[SyntheticArticle]:
    titles, paragraphs = seed_pool()
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    made: list[list[str]] = []
    for i in range(count):
        body = [shuffled(p, rng) for p in rng.sample(paragraphs, rng.randint(3, 8))]
        title = f"{rng.choice(titles)} ({i})"
        copy_of = kind = None
        if made and rng.random() < copies:
            copy_of, kind = rng.randrange(len(made)), rng.choice(COPY_KINDS)
            body = near_copy(made[copy_of], kind, rng, body)
        made.append(body)
        number = 100000 + i
        yield SyntheticArticle(
            number, title, body, start + timedelta(minutes=7 * i), None if copy_of is None else 100000 + copy_of, kind
        )


def word_count(items: list[SyntheticArticle]) -> int:
    return sum(len(a.title.split()) + sum(len(p.split()) for p in a.paragraphs) for a in items)


def write_dump(items: list[SyntheticArticle], path: Path) -> None:
    footer = "The post {title} appeared first on The Defense Post."
    with path.open("w", encoding="utf-8") as out:
        out.write(f"Mali {SITE}/tag/mali/ Your Gateway to Defense News Tue, 24 Sep 2024 05:07:21 +0000 en-US hourly 1 ")
        for n, a in enumerate(items):
            date = format_datetime(a.published)
            lead = a.paragraphs[0][:200]
            header = f"{a.title} {a.link} {date} {a.guid} {lead}"
            out.write(header if n == 0 else f"\n{header}")
            out.write(f"\n\n{footer.format(title=a.title)}\n\n]]>\n")
            out.write("\n\n".join(a.paragraphs))
            out.write(f"\n\n{footer.format(title=a.title)}\n\n]]>\n")


def write_rss(items: list[SyntheticArticle], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ')
        out.write('xmlns:content="http://purl.org/rss/1.0/modules/content/" ')
        out.write('xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel><title>Mali</title>')
        out.write(f"<link>{SITE}/tag/mali/</link><description>Synthetic</description>\n")
        for a in items:
            html = "".join(f"<p>{escape(p)}</p>\n" for p in a.paragraphs)
            out.write(
                f"<item><title>{escape(a.title)}</title><link>{escape(a.link)}</link>"
                f"<dc:creator><![CDATA[Staff Writer]]></dc:creator>"
                f"<pubDate>{format_datetime(a.published)}</pubDate>"
                f'<guid isPermaLink="false">{a.guid}</guid>'
                f"<description><![CDATA[{a.paragraphs[0][:200]}]]></description>"
                f"<content:encoded><![CDATA[{html}]]></content:encoded></item>\n"
            )
        out.write("</channel></rss>\n")


def write_atom(items: list[SyntheticArticle], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n')
        out.write(f"<title>Mali</title><id>{SITE}/tag/mali/</id><updated>2024-09-24T05:07:21Z</updated>\n")
        for a in items:
            html = "".join(f"<p>{escape(p)}</p>\n" for p in a.paragraphs)
            out.write(
                f"<entry><title>{escape(a.title)}</title>"
                f'<link rel="alternate" href="{escape(a.link)}"/><id>{a.guid}</id>'
                f"<author><name>Staff Writer</name></author>"
                f"<published>{a.published.isoformat()}</published><updated>{a.published.isoformat()}</updated>"
                f'<summary type="html">{escape(a.paragraphs[0][:200])}</summary>'
                f'<content type="html">{escape(html)}</content></entry>\n'
            )
        out.write("</feed>\n")


WRITERS = {"dump": write_dump, "rss": write_rss, "atom": write_atom}
