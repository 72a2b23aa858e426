"""Syndication boilerplate, in one visible place: every rule that removes words from an article is here.

Each rule matches a whole paragraph. Everything not matched is the article's own words and is kept exactly
as published (typos, missing spaces after full stops and all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    why: str


RULES: tuple[Rule, ...] = (
    Rule(
        "wordpress-appeared-first",
        re.compile(r"^The post .+ appeared first on .+\.?$", re.DOTALL),
        "WordPress/Yoast syndication footer added to every feed item, not part of the article",
    ),
    Rule(
        "cdata-marker",
        re.compile(r"^\]\]>$"),
        "end-of-CDATA marker left behind when a feed's tags were stripped",
    ),
    Rule(
        "oped-disclaimer",
        re.compile(r"^The views and opinions expressed here are those of the author"),
        "The Defense Post's op-ed disclaimer footer",
    ),
    Rule(
        "oped-call-for-submissions",
        re.compile(r"^The Defense Post aims to publish a wide range of high-quality opinion"),
        "The Defense Post's call for op-ed submissions (footer)",
    ),
    Rule(
        "author-bio-headshot",
        re.compile(r"^Headshot (?P<author>[^\W\d][\w.' -]{1,60}?)(?P=author)\b"),
        "op-ed author box: headshot alt text glued to the author's bio; the author's name is kept as metadata",
    ),
)

_APPEARED_FIRST = re.compile(r"^The post (?P<title>.+) appeared first on (?P<site>.+?)\.?$", re.DOTALL)


def is_boilerplate(paragraph: str) -> Rule | None:
    """The rule a paragraph matches, or None when it is the article's own text."""
    for rule in RULES:
        if rule.pattern.search(paragraph):
            return rule
    return None


def author_from_bio(paragraph: str) -> str | None:
    """The author named in an op-ed author box ("Headshot Charlie WerbCharlie Werb is …")."""
    match = RULES[-1].pattern.search(paragraph)
    return match.group("author").strip() if match else None


def appeared_first(paragraph: str) -> tuple[str, str] | None:
    """(title, site) from a "The post TITLE appeared first on SITE." footer."""
    match = _APPEARED_FIRST.match(paragraph.strip())
    return (match.group("title"), match.group("site")) if match else None
