"""The sources file (corpus/sources.yaml): the feeds `fetch` polls, who to contact, how far to backfill.

Pure parsing: text in, frozen records out, every problem one line naming the file and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from feedcorpus.documents import slugify
from feedcorpus.errors import FeedcorpusError

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # a folder under corpus/feeds/
_FIELDS = {"name", "url", "language", "rights", "notes", "backfill"}


class SourcesError(FeedcorpusError):
    """A sources file that cannot be used as it is."""


@dataclass(frozen=True)
class Source:
    """One feed to poll. `backfill`: how many pages to walk (WordPress ?paged=2…N or rel="next"); 0 or 1 is
    the feed alone."""

    name: str
    url: str
    language: str | None = None
    rights: str | None = None
    notes: str | None = None
    backfill: int = 0


@dataclass(frozen=True)
class Sources:
    contact: str | None
    sources: tuple[Source, ...]

    def for_url(self, url: str) -> Source:
        """The listed source with this URL, or an unlisted one named after the URL."""
        return next((s for s in self.sources if s.url == url), None) or Source(name_for_url(url), url)


def name_for_url(url: str) -> str:
    """A folder name from a URL: https://example.org/tag/mali/feed/ → example-org-tag-mali-feed."""
    parts = urlsplit(url)
    return slugify(f"{parts.hostname or 'feed'} {parts.path} {parts.query}", 64) or "feed"


def check_url(url: str) -> str | None:
    """Why a URL cannot be fetched, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    return None


def check_contact(contact: str) -> str | None:
    if not re.match(r"^(https?://[^\s/]+\S*|mailto:[^\s@]+@[^\s@]+)$", contact):
        return "contact must be an http(s) URL or a mailto: address where site owners can reach you"
    return None


def parse_sources(text: str, path: Path) -> Sources:
    """The sources of a sources file. Raises SourcesError naming the file and the first bad entry."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SourcesError(f"not valid YAML ({str(exc).splitlines()[0]})", path=path) from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources", []), list):
        raise SourcesError("expected a mapping with a `sources:` list", path=path)
    contact = data.get("contact")
    if contact is not None and (not isinstance(contact, str) or check_contact(contact)):
        raise SourcesError(f"contact: {check_contact(str(contact))}", path=path)
    sources = [_source(entry, number, path) for number, entry in enumerate(data.get("sources") or [], 1)]
    for key in ("name", "url"):
        seen: set[str] = set()
        for source in sources:
            if getattr(source, key) in seen:
                raise SourcesError(f"two sources have the {key} {getattr(source, key)!r}", path=path)
            seen.add(getattr(source, key))
    return Sources(contact, tuple(sources))


def _source(entry: Any, number: int, path: Path) -> Source:
    record = f"source {number}"
    if not isinstance(entry, dict):
        raise SourcesError("expected a mapping (name, url, …)", path=path, record=record)
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        known = ", ".join(sorted(_FIELDS))
        raise SourcesError(f"unknown field {unknown[0]!r} (known: {known})", path=path, record=record)
    url = entry.get("url")
    if not isinstance(url, str) or check_url(url):
        problem = check_url(url) if isinstance(url, str) else "missing"
        raise SourcesError(f"url: {problem}", path=path, record=record)
    name = entry.get("name", name_for_url(url))
    if not isinstance(name, str) or not NAME.match(name):
        raise SourcesError("name: lower-case letters, digits and dashes, at most 64", path=path, record=record)
    backfill = entry.get("backfill", 0)
    if not isinstance(backfill, int) or isinstance(backfill, bool) or not 0 <= backfill <= 10_000:
        raise SourcesError("backfill: a number of pages from 0 to 10000", path=path, record=f"source {name}")
    texts = {key: entry.get(key) for key in ("language", "rights", "notes")}
    for key, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise SourcesError(f"{key}: expected text", path=path, record=f"source {name}")
    return Source(name, url, texts["language"], texts["rights"], texts["notes"], backfill)
