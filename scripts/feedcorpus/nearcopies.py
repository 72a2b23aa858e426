"""Near-duplicate articles (wire copy): which documents share text, grouped into clusters.

News feeds repeat agency copy: the same AFP paragraphs under several headlines, the same story syndicated by
two outlets. Two documents are linked when (datasketch MinHash LSH over word 5-grams, thresholds below):
- a body paragraph of at least PARAGRAPH_MIN_WORDS words has an estimated Jaccard similarity of at least
  PARAGRAPH_THRESHOLD with a paragraph of the other (shared wire copy, reordered or lightly edited), or
- the whole texts have an estimated Jaccard similarity of at least DOCUMENT_THRESHOLD (a near copy with a
  new lede), or
- their bodies are identical once case and punctuation are ignored (an exact copy: flagged, never merged).
Linked documents form clusters (connected components); a cluster is named by its smallest document id, so
the same documents always give the same clusters. Pure logic: texts in, clusters out.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SHINGLE_WORDS = 5
PARAGRAPH_MIN_WORDS = 12
PARAGRAPH_THRESHOLD = 0.5
DOCUMENT_THRESHOLD = 0.5
NUM_PERM = 64
SEED = 1
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(tokens: list[str], size: int = SHINGLE_WORDS) -> set[bytes]:
    if len(tokens) < size:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    return {" ".join(tokens[i : i + size]).encode("utf-8") for i in range(len(tokens) - size + 1)}


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    kind: str  # "paragraph", "document" or "exact"


@dataclass
class Clustering:
    cluster_of: dict[str, str] = field(default_factory=dict)  # doc id → cluster id (its smallest member)
    links: list[Link] = field(default_factory=list)

    def members(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for doc_id, cluster in sorted(self.cluster_of.items()):
            found[cluster].append(doc_id)
        return dict(found)

    def exact_copies(self) -> list[tuple[str, str]]:
        return sorted((link.a, link.b) for link in self.links if link.kind == "exact")

    def report(self) -> list[str]:
        """One line per cluster with copies: "3 documents repeat wire copy of thedefensepost-81981"."""
        lines = []
        for cluster, docs in sorted(self.members().items()):
            if len(docs) > 1:
                others = len(docs) - 1
                verb = "documents repeat" if others > 1 else "document repeats"
                lines.append(f"{others} {verb} wire copy of {cluster}")
        lines += [f"{a} and {b} have the same text (a syndicated copy; both kept)" for a, b in self.exact_copies()]
        return lines


def _band_hash(band: bytes) -> int:
    """Bands are kept as 64-bit integers, not byte strings: a quarter of datasketch's default memory."""
    return int.from_bytes(hashlib.blake2b(band, digest_size=8).digest(), "little")


class _Index:
    """One MinHash LSH index that is queried, then added to, one item at a time: only the signatures stay
    in memory (uint32, NUM_PERM per item), never the shingle sets; items are numbered, not named."""

    def __init__(self, threshold: float) -> None:
        from datasketch import MinHash, MinHashLSH

        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, hashfunc=_band_hash)
        self.signatures: list[Any] = []
        self.owners: list[str] = []
        self.permutations = MinHash(num_perm=NUM_PERM, seed=SEED).permutations  # made once, shared

    def add(self, owner: str, shingle_set: set[bytes]) -> list[str]:
        """Insert an item of `owner` (a document); returns the owners of the items already there that are
        similar enough (checked on the signatures, not just LSH candidates)."""
        import numpy as np
        from datasketch import LeanMinHash, MinHash

        minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=self.permutations)
        minhash.update_batch(list(shingle_set))
        signature = minhash.hashvalues.astype(np.uint32)
        lean = LeanMinHash(minhash)
        similar = [
            self.owners[other]
            for other in self.lsh.query(lean)
            if float(np.mean(self.signatures[other] == signature)) >= self.threshold
        ]
        self.lsh.insert(len(self.owners), lean, check_duplication=False)
        self.signatures.append(signature)
        self.owners.append(owner)
        return similar


class _Components:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_documents(documents: Iterable[tuple[str, str, int]]) -> Clustering:
    """Clusters of (doc id, text, body offset) triples; the title is left out of the comparison."""
    components = _Components()
    links: dict[tuple[str, str], str] = {}
    whole, paragraphs = _Index(DOCUMENT_THRESHOLD), _Index(PARAGRAPH_THRESHOLD)
    exact: dict[str, str] = {}
    ids = []
    for doc_id, text, body_offset in sorted(documents):
        ids.append(doc_id)
        components.find(doc_id)
        body = text[body_offset:]
        tokens = words(body)
        digest = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
        if tokens and digest in exact:
            links[(exact[digest], doc_id)] = "exact"
        exact.setdefault(digest, doc_id)
        for other in whole.add(doc_id, shingles(tokens)):
            links.setdefault((other, doc_id), "document")
        for paragraph in body.split("\n\n"):
            paragraph_words = words(paragraph)
            if len(paragraph_words) < PARAGRAPH_MIN_WORDS:
                continue
            for other_doc in paragraphs.add(doc_id, shingles(paragraph_words)):
                if other_doc != doc_id:
                    links.setdefault((other_doc, doc_id), "paragraph")
    for a, b in links:
        components.union(a, b)
    clustering = Clustering(links=[Link(a, b, kind) for (a, b), kind in sorted(links.items())])
    clustering.cluster_of = {doc_id: components.find(doc_id) for doc_id in ids}
    return clustering
