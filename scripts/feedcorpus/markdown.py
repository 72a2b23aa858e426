"""Untrusted text (feed titles, publisher names, ids from an export) made inert before it reaches Markdown.

CommonMark lets a backslash escape any ASCII punctuation, so every character that can open markup —
links, images, emphasis, code, headings, tables, raw HTML, entities — is escaped, and line breaks are
folded so a value cannot start a new block. The text still reads the same once rendered.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~&])")
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


def md(value: object) -> str:
    """An inline, inert Markdown rendering of an untrusted value."""
    text = _BREAKS.sub(" ", str(value)).strip()
    text = _SPECIAL.sub(r"\\\1", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def code(value: object) -> str:
    """An inline code span of an untrusted value: CommonMark takes its content literally (backslash escapes
    would show), so it is fenced by more backticks than the longest run inside it and padded when needed."""
    text = _BREAKS.sub(" ", str(value)).strip()
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(markdown: str) -> str:
    """Markdown made safe inside a GFM table cell: a pipe ends the cell even inside a code span."""
    return markdown.replace("|", "\\|")
