"""What a response body is, from its first bytes: a feed, or what came back instead (HTML, JSON, nothing).

Pure functions over bytes. The fetch client streams a body to disk and keeps only its head in memory, so
everything here looks at a bounded prefix or works chunk by chunk.
"""

from __future__ import annotations

import re

HEAD_BYTES = 65_536  # what the client keeps of a body to decide what it is and find a next-page link
_FEED_ROOTS = {"rss", "feed", "rdf"}
_PROLOG = re.compile(rb"(?:\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>))*\s*", re.S | re.I)
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_HTML_DOCTYPE = re.compile(rb"<!DOCTYPE\s+html", re.I)
_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
_LINK = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?link\b[^>]*>", re.S)
_REL_NEXT = re.compile(rb"\brel\s*=\s*[\"']next[\"']")
_HREF = re.compile(rb"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _as_utf8(head: bytes) -> bytes:
    """UTF-16 feeds (with a byte-order mark) re-encoded so the patterns below can read them."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf")


def not_a_feed(head: bytes, content_type: str | None) -> str | None:
    """None when the body starts like RSS or Atom; else what it is instead, for the error message."""
    kind = f" ({content_type})" if content_type else ""
    data = _as_utf8(head)
    if not data.strip():
        return f"an empty body{kind}"
    if data.lstrip()[:1] in (b"{", b"["):
        return f"JSON, not a feed{kind}"
    prolog = _PROLOG.match(data)
    rest = data[prolog.end() if prolog else 0 :]
    root = _ROOT.match(rest)
    if root is None:
        return f"text that is not XML{kind}"
    name = root.group(2).decode("ascii", "replace").lower()
    if name in _FEED_ROOTS:
        return None
    if name == "html" or _HTML_DOCTYPE.search(data[:1024]):
        return f"an HTML page, not a feed{kind}"
    return f"XML whose root element is <{name}>, not RSS or Atom{kind}"


def next_page(head: bytes) -> str | None:
    """The feed-level rel="next" link (RFC 5005 paged feeds) before the first item, if the feed has one."""
    data = _as_utf8(head)
    first_item = _ITEM.search(data)
    channel = data[: first_item.start()] if first_item else data
    for link in _LINK.finditer(channel):
        if _REL_NEXT.search(link.group(0)) and (href := _HREF.search(link.group(0))):
            value = (href.group(1) or href.group(2) or b"").decode("utf-8", "replace").strip()
            return value.replace("&amp;", "&") or None
    return None


class ItemCounter:
    """Counts <item>/<entry> start tags in a body given chunk by chunk (tags cut between chunks included)."""

    _TAIL = 64

    def __init__(self) -> None:
        self.count = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        data = self._tail + chunk
        self.count += sum(1 for m in _ITEM.finditer(data) if m.end() > len(self._tail))
        self._tail = data[-self._TAIL :]
