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


def _minhashes(shingle_sets: list[set[bytes]]) -> list[Any]:
    from datasketch import LeanMinHash, MinHash

    return [LeanMinHash(m) for m in MinHash.bulk([list(s) for s in shingle_sets], num_perm=NUM_PERM, seed=SEED)]


def _similar(keys: list[str], signatures: list[Any], threshold: float) -> Iterable[tuple[str, str]]:
    """Pairs of keys whose estimated Jaccard similarity reaches the threshold (LSH candidates, then checked)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    by_key = dict(zip(keys, signatures, strict=True))
    for key, signature in by_key.items():
        for other in lsh.query(signature):
            if signature.jaccard(by_key[other]) >= threshold:
                yield other, key
        lsh.insert(key, signature)


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
    docs = sorted(documents)
    components = _Components()
    links: dict[tuple[str, str], str] = {}
    bodies: dict[str, list[str]] = {}
    paragraph_keys, paragraph_sets, doc_keys, doc_sets = [], [], [], []
    exact: dict[str, str] = {}
    for doc_id, text, body_offset in docs:
        components.find(doc_id)
        body = text[body_offset:]
        tokens = words(body)
        bodies[doc_id] = tokens
        digest = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
        if tokens and digest in exact:
            links[(exact[digest], doc_id)] = "exact"
        exact.setdefault(digest, doc_id)
        doc_keys.append(doc_id)
        doc_sets.append(shingles(tokens))
        for number, paragraph in enumerate(body.split("\n\n")):
            paragraph_words = words(paragraph)
            if len(paragraph_words) >= PARAGRAPH_MIN_WORDS:
                paragraph_keys.append(f"{doc_id}\0{number}")
                paragraph_sets.append(shingles(paragraph_words))
    for a, b in _similar(doc_keys, _minhashes(doc_sets), DOCUMENT_THRESHOLD):
        links.setdefault((min(a, b), max(a, b)), "document")
    for a, b in _similar(paragraph_keys, _minhashes(paragraph_sets), PARAGRAPH_THRESHOLD):
        doc_a, doc_b = a.split("\0", 1)[0], b.split("\0", 1)[0]
        if doc_a != doc_b:
            links.setdefault((min(doc_a, doc_b), max(doc_a, doc_b)), "paragraph")
    for (a, b), _ in links.items():
        components.union(a, b)
    clustering = Clustering(links=[Link(a, b, kind) for (a, b), kind in sorted(links.items())])
    clustering.cluster_of = {doc_id: components.find(doc_id) for doc_id, _, _ in docs}
    return clustering
