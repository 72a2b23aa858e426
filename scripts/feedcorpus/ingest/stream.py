"""Large XML feeds read in bounded batches, so memory does not grow with the number of items.

feedparser parses a whole document at once. For big files, ElementTree's iterparse walks the XML, each
<item>/<entry> is serialised as soon as it is complete (and freed), and every BATCH_ITEMS items are wrapped
in a small feed of the same kind and handed to feedparser: the same field normalisation, a fraction of the
memory. Item numbers run on across batches. A file the stream cannot read (not well-formed, an encoding
expat does not know) raises StreamFailed, and the caller reads it whole with feedparser instead, which
recovers what it can and marks items that malformed XML may have cut short.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from feedcorpus.ingest.xmlfeed import XmlRead, parse_xml

_ITEM_NUMBER = re.compile(r"^item (\d+)")
BATCH_ITEMS = 500
STREAM_BYTES = 8 * 1024 * 1024  # files above this size are streamed
ATOM = "{http://www.w3.org/2005/Atom}"
_ITEMS = {"item", f"{ATOM}entry"}
_ROOTS = {"rss", f"{ATOM}feed"}  # RSS 2.0/0.9x and Atom; RSS 1.0 (RDF) and others are read whole


class StreamFailed(Exception):
    """The stream could not read the file; read it whole instead, skipping the items already given."""

    def __init__(self, message: str, items_read: int = 0) -> None:
        super().__init__(message)
        self.items_read = items_read


def _wrap(items: list[str], *, atom: bool, title: str) -> bytes:
    head = f"<title>{_escape(title)}</title>"
    if atom:
        body = f'<feed xmlns="http://www.w3.org/2005/Atom">{head}{"".join(items)}</feed>'
    else:
        body = f'<rss version="2.0"><channel>{head}{"".join(items)}</channel></rss>'
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def stream_xml(path: Path, *, batch_items: int = BATCH_ITEMS) -> Iterator[XmlRead]:
    """XmlRead batches of a large feed; raises StreamFailed before the first batch it cannot give whole."""
    atom = False
    title = ""
    depth = 0
    pending: list[str] = []
    offset = 0
    try:
        context = ET.iterparse(path, events=("start", "end"))
        root = None
        for event, element in context:
            if event == "start":
                depth += 1
                if root is None:
                    if element.tag not in _ROOTS:
                        raise StreamFailed(f"{element.tag} feeds are read whole")
                    root, atom = element, element.tag == f"{ATOM}feed"
                continue
            depth -= 1
            tag = element.tag
            if tag in (f"{ATOM}title", "title") and depth <= 2 and not title:
                title = "".join(element.itertext()).strip()
            if tag in _ITEMS:
                pending.append(ET.tostring(element, encoding="unicode"))
                element.clear()
                if root is not None:
                    for child in list(root):  # items already serialised: drop them from the tree
                        if child is element or child.tag in _ITEMS:
                            root.remove(child)
                    channel = root.find("channel")
                    if channel is not None:
                        for child in list(channel):
                            if child.tag in _ITEMS:
                                channel.remove(child)
                if len(pending) >= batch_items:
                    yield _batch(pending, atom=atom, title=title, offset=offset)
                    offset += len(pending)
                    pending = []
    except (ET.ParseError, LookupError, ValueError) as exc:
        raise StreamFailed(f"{type(exc).__name__}: {exc}", offset) from exc
    if pending or offset == 0:
        yield _batch(pending, atom=atom, title=title, offset=offset)


def _batch(items: list[str], *, atom: bool, title: str, offset: int) -> XmlRead:
    """feedparser on one batch; item numbers are shifted to the item's place in the whole file."""
    read = parse_xml(_wrap(items, atom=atom, title=title))
    read.articles = [replace(a, record=_renumbered(a.record, offset)) for a in read.articles]
    read.problems = [_renumbered(problem, offset) for problem in read.problems]
    return read


def _renumbered(record: str, offset: int) -> str:
    return _ITEM_NUMBER.sub(lambda m: f"item {int(m.group(1)) + offset}", record, count=1)
