"""Untrusted text (feed titles, publisher names, ids from an export) made inert before it reaches Markdown.

CommonMark lets a backslash escape any ASCII punctuation, so every character that can open markup —
links, images, emphasis, code, headings, tables, raw HTML, entities — is escaped, and line breaks are
folded so a value cannot start a new block. The text still reads the same once rendered.
Inside a code span CommonMark processes no escapes (a backslash would show), so `code` fences the value
with more backticks than it contains instead.
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


def code(value: object, *, table: bool = False) -> str:
    """An inline code span showing an untrusted value literally: the fence is one backtick longer than the
    longest run of backticks in it, padded with a space when the value starts or ends with one (CommonMark
    6.1). In a GFM table cell a pipe still ends the cell, even in code, so `table` escapes it (GFM removes
    that backslash before the span is read)."""
    text = _BREAKS.sub(" ", str(value)).strip()
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"
