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
