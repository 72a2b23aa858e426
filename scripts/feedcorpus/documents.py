"""The document record: stable ids, canonical URLs, the annotatable text. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feedcorpus.fileio import sha256_text

PARAGRAPH_SEPARATOR = "\n\n"

# Query parameters that only track the reader; they are dropped from canonical URLs.
TRACKING_PARAMS = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|igshid)$", re.I)
WORDPRESS_POST_ID = re.compile(r"[?&]p=(\d+)(?:&|$)")
FETCH_FIELDS = ("snapshot", "fetched_url", "fetched_at")
_SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or"}


@dataclass(frozen=True)
class Article:
    """What a feed parser extracts from one item, before it becomes a document."""

    record: str  # how to name this item in messages: "item 3 (guid …)"
    title: str
    paragraphs: tuple[str, ...]
    link: str | None = None
    guid: str | None = None
    published: datetime | None = None
    published_raw: str | None = None
    summary: str = ""
    authors: tuple[str, ...] = ()
    source: str | None = None
    cut_off: str | None = None  # why the item may be incomplete (malformed XML inside it): it is not written


@dataclass(frozen=True)
class Document:
    """One article as annotators see it; serialised to corpus/documents/<id>.json."""

    id: str
    source: str
    url: str | None
    guid: str | None
    title: str
    summary: str
    published: str | None
    published_raw: str | None
    authors: list[str]
    text: str
    body_offset: int
    sha256: str
    feed: str
    warnings: list[str] = field(default_factory=list)
    cluster: str | None = None  # the near-copy cluster (nearcopies.py): documents sharing wire copy
    # Where a fetched text came from (`feedcorpus fetch`): the snapshot file, the URL and the time it was fetched.
    snapshot: str | None = None
    fetched_url: str | None = None
    fetched_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in FETCH_FIELDS:  # optional: only fetched documents carry them
            if data[key] is None:
                del data[key]
        return data

    def same_article(self, other: Document) -> bool:
        """The same article: same guid, or same canonical URL (or, with neither, the same title and date)."""
        if self.guid and other.guid and self.guid == other.guid:
            return True
        if self.url and other.url and self.url == other.url:
            return True
        anonymous = not (self.guid or self.url or other.guid or other.url)
        return anonymous and (self.title, self.published) == (other.title, other.published)

    def renamed(self, new_id: str) -> Document:
        return replace(self, id=new_id)

    @property
    def identity(self) -> str:
        return self.guid or self.url or f"{self.title}\x00{self.published or ''}"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def canonical_url(url: str | None) -> str | None:
    """The URL without tracking parameters or fragment, with a lower-case scheme and host."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"}:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def site_label(url_or_guid: str | None) -> str | None:
    """A short readable publisher label from a URL or tag: URI: thedefensepost.com → thedefensepost."""
    if not url_or_guid:
        return None
    host = urlsplit(url_or_guid).hostname
    if host is None and url_or_guid.startswith("tag:"):
        host = url_or_guid[4:].split(",", 1)[0]
    if not host:
        return None
    labels = [label for label in host.lower().split(".") if label and label not in {"www", "feeds", "rss"}]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        labels = labels[:-2]
    elif len(labels) >= 2:
        labels = labels[:-1]
    return slugify(labels[-1]) if labels else None


def slugify(value: str, limit: int = 48) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def doc_id(*, guid: str | None, url: str | None, title: str, published: str | None) -> str:
    """A stable, readable id: `site-N` for WordPress `?p=N` guids, else `site-slug-hash8` of guid or URL."""
    if guid:
        match = WORDPRESS_POST_ID.search(guid)
        site = site_label(guid)
        if match and site:
            return f"{site}-{match.group(1)}"
    key = guid or url or f"{title}\x00{published or ''}"
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    site = site_label(url) or site_label(guid) or "doc"
    tail = ""
    if url:
        segments = [s for s in urlsplit(url).path.split("/") if s]
        tail = slugify(re.sub(r"\.[a-z]{2,5}$", "", segments[-1]) if segments else "", 40)
    if not tail:
        tail = slugify(title, 40)
    return "-".join(part for part in (site, tail, digest) if part)


_NONE = bytes(8)


def _hash8(value: str | None) -> bytes:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest() if value else _NONE


def fingerprint(document: Document) -> bytes:
    """32 bytes standing in for a document in indexes that must stay small for archives of millions: 8 of
    its text's sha256, then hashes of what `same_article` compares (guid, URL, title+date when it has neither).
    """
    anonymous = None if document.guid or document.url else f"{document.title}\x00{document.published or ''}"
    sha = bytes.fromhex(document.sha256[:16]) if document.sha256 else _NONE
    return sha + _hash8(document.guid) + _hash8(document.url) + _hash8(anonymous)


def same_article(stored: bytes, other: bytes) -> bool:
    """`Document.same_article` on fingerprints (a hash collision, 1 in 2^64, would merge two articles)."""
    return any(stored[i : i + 8] != _NONE and stored[i : i + 8] == other[i : i + 8] for i in (8, 16, 24))


def same_text(stored: bytes, other: bytes) -> bool:
    return stored[:8] == other[:8]


def has_text(stored: bytes, sha256: str | None) -> bool:
    """Whether a fingerprint is of the text with this sha256 (predictions name the text they were made on)."""
    return sha256 is not None and len(sha256) >= 16 and stored[:8] == bytes.fromhex(sha256[:16])


def disambiguated(doc_id: str, identity: str) -> str:
    """The id for an article whose readable id is taken by another article: the same id plus a hash of its
    own guid/URL, so it is stable across runs (example-5 → example-5-1a2b3c4d)."""
    return f"{doc_id[:119]}-{hashlib.sha1(identity.encode('utf-8')).hexdigest()[:8]}"


# Every space character other than U+0020 (NBSP, narrow NBSP, figure, thin, ideographic, …) and the tab.
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # invisible, and no feed means them
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")


def normalise_text(value: str, *, one_line: bool = False) -> str:
    """The one text policy of split, whatever the input format (README, "Text as annotators see it"): NFC, so
    Goïta is one string however the feed composed it; every Unicode space and the tab become U+0020 one for one
    (offsets into a document stay put); every line break becomes \\n, and a paragraph keeps its line breaks
    (<br>, list items) without blank lines, while a title, summary or name (`one_line`) is joined with spaces;
    other control characters are dropped. Quotes, dashes and emoji stay as published."""
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", _SPACES.sub(" ", unicodedata.normalize("NFC", value))))
    if one_line:
        return " ".join(line.strip() for line in text.split("\n") if line.strip())
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def build_text(title: str, paragraphs: tuple[str, ...] | list[str]) -> tuple[str, int]:
    """The annotatable text (title, blank line, paragraphs separated by blank lines) and the body's offset."""
    head = title + PARAGRAPH_SEPARATOR
    return head + PARAGRAPH_SEPARATOR.join(paragraphs), len(head)


def iso_utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_document(article: Article, *, feed: str, fallback_source: str | None = None) -> Document:
    """Turn a parsed article into a document. Raises ValueError naming what is missing."""
    title = normalise_text(article.title, one_line=True)
    paragraphs = tuple(p for p in (normalise_text(p) for p in article.paragraphs) if p)
    if not title:
        raise ValueError("no title")
    if not paragraphs:
        raise ValueError("no body text")
    url = canonical_url(article.link)
    published = iso_utc(article.published)
    text, body_offset = build_text(title, paragraphs)
    warnings = []
    if published is None:
        raw = f" ({article.published_raw!r} not understood)" if article.published_raw else ""
        warnings.append(f"no publication date{raw}; published is null")
    source = article.source or fallback_source or (urlsplit(url).hostname if url else None) or "unknown"
    return Document(
        id=doc_id(guid=article.guid, url=url, title=title, published=published),
        source=source,
        url=url,
        guid=article.guid,
        title=title,
        summary=normalise_text(article.summary, one_line=True),
        published=published,
        published_raw=article.published_raw,
        authors=list(dict.fromkeys(n for n in (normalise_text(a, one_line=True) for a in article.authors if a) if n)),
        text=text,
        body_offset=body_offset,
        sha256=sha256_text(text),
        feed=feed,
        warnings=warnings,
    )
