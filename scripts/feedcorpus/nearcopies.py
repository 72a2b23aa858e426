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


def body_offset(text: str) -> int:
    """Where the body starts in a document's text (after the title and its blank line)."""
    cut = text.find("\n\n")
    return cut + 2 if cut >= 0 else 0


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
    kind: str  # "paragraph", "document", "exact" or "translation"


@dataclass
class Clustering:
    cluster_of: dict[str, str] = field(default_factory=dict)  # doc id → cluster id (its smallest member)
    links: list[Link] = field(default_factory=list)

    def members(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for doc_id, cluster in sorted(self.cluster_of.items()):
            found[cluster].append(doc_id)
        return dict(found)

    def joined(self, pairs: list[tuple[str, str]], kind: str) -> Clustering:
        """These clusters with more links (e.g. translations across languages) merged in."""
        components = _Components()
        for doc_id in self.cluster_of:
            components.find(doc_id)
        links = {(link.a, link.b): link.kind for link in self.links}
        for a, b in pairs:
            links.setdefault((min(a, b), max(a, b)), kind)
        return _clustering(list(self.cluster_of), links, components)

    def exact_copies(self) -> list[tuple[str, str]]:
        return sorted((link.a, link.b) for link in self.links if link.kind == "exact")

    def translations(self) -> list[tuple[str, str]]:
        return sorted((link.a, link.b) for link in self.links if link.kind == "translation")

    def report(self) -> list[str]:
        """One line per cluster with copies: "3 documents repeat wire copy of thedefensepost-81981"."""
        lines = []
        for cluster, docs in sorted(self.members().items()):
            if len(docs) > 1:
                others = len(docs) - 1
                verb = "documents repeat" if others > 1 else "document repeats"
                lines.append(f"{others} {verb} wire copy of {cluster}")
        lines += [f"{b} translates {a} (shared names and numbers)" for a, b in self.translations()]
        lines += [f"{a} and {b} have the same text (a syndicated copy; both kept)" for a, b in self.exact_copies()]
        return lines


def _band_hash(band: bytes) -> int:
    """Bands are kept as 64-bit integers, not byte strings: a quarter of datasketch's default memory."""
    return int.from_bytes(hashlib.blake2b(band, digest_size=8).digest(), "little")


_MERSENNE_PRIME = (1 << 61) - 1
_MAX_HASH = (1 << 32) - 1
_ROLL = 0x100000001B3  # multiplier of the rolling shingle hash (the FNV-1 64-bit prime)


class WordHashes:
    """Deterministic 64-bit hashes of words (blake2b, each distinct word hashed once), and from them the
    32-bit hash of every word 5-gram in bulk with numpy: what release format 3 clusters with, instead of one
    SHA-1 per shingle in Python (datasketch's default hash function)."""

    def __init__(self) -> None:
        self.cache: dict[str, int] = {}

    def ids(self, tokens: list[str]) -> Any:
        """The words' 64-bit hashes as a numpy array (each distinct word hashed once per clustering)."""
        import numpy as np

        cache = self.cache
        for token in set(tokens).difference(cache):
            cache[token] = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
        return np.array([cache[t] for t in tokens], dtype=np.uint64)

    def shingle_hashes(self, tokens: list[str], size: int = SHINGLE_WORDS) -> Any:
        return self.shingles_of(self.ids(tokens), size)

    @staticmethod
    def shingles_of(ids: Any, size: int = SHINGLE_WORDS) -> Any:
        """The 32-bit hashes of the word `size`-grams of a text given as word hashes (`ids`)."""
        import numpy as np

        if len(ids) < size:  # a short text is one shingle, as `shingles` makes it
            size = len(ids)
        count = len(ids) - size + 1 if len(ids) else 0
        rolled = np.zeros(count, dtype=np.uint64)
        for offset in range(size):
            rolled = rolled * np.uint64(_ROLL) + ids[offset : offset + count]
        return np.unique(rolled >> np.uint64(32))


class _Index:
    """One MinHash LSH index that is queried, then added to, one item at a time: only the signatures stay
    in memory (uint32, NUM_PERM per item), never the shingle sets; items are numbered, not named."""

    def __init__(self, threshold: float, *, compact: bool = True) -> None:
        from datasketch import MinHash, MinHashLSH

        self.threshold = threshold
        # compact: bands kept as 64-bit hashes (an archive of a million documents); else as datasketch's bytes
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, **({"hashfunc": _band_hash} if compact else {}))
        import numpy as np

        self.signatures: Any = np.zeros((64, NUM_PERM), dtype=np.uint32)  # row i: item i's signature
        self.owners: list[str] = []
        self.permutations = MinHash(num_perm=NUM_PERM, seed=SEED).permutations  # made once, shared

    def add(self, owner: str, shingle_set: set[bytes] | None = None, hashed: Any = None) -> list[str]:
        """Insert an item of `owner` (a document), as its shingles or their 32-bit hashes (`hashed`, see
        `shingle_hashes`); returns the owners of the items already there that are similar enough (checked on
        the signatures, not just LSH candidates)."""
        import numpy as np
        from datasketch import LeanMinHash, MinHash

        if hashed is None:
            minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=self.permutations)
            minhash.update_batch(list(shingle_set or ()))
            lean = LeanMinHash(minhash)
        else:  # the same permutation and minimum as MinHash.update_batch, on hashes made in bulk
            a, b = self.permutations
            values = np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64)
            if len(hashed):
                permuted = np.bitwise_and((hashed.reshape(-1, 1) * a + b) % _MERSENNE_PRIME, _MAX_HASH)
                values = np.minimum(values, permuted.min(axis=0))
            lean = LeanMinHash(seed=SEED, hashvalues=values)
        signature = lean.hashvalues.astype(np.uint32)
        candidates = sorted(self.lsh.query(lean))
        similar = []
        if candidates:  # the estimated Jaccard of every candidate at once: one row of the table each
            shares = (self.signatures[candidates] == signature).mean(axis=1)
            similar = [
                self.owners[c] for c, share in zip(candidates, shares.tolist(), strict=True) if share >= self.threshold
            ]
        self.lsh.insert(len(self.owners), lean, check_duplication=False)
        if len(self.owners) == len(self.signatures):  # grow the table by doubling
            self.signatures = np.concatenate([self.signatures, np.zeros_like(self.signatures)])
        self.signatures[len(self.owners)] = signature
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


def cluster_documents(documents: Iterable[tuple[str, str, int]], *, fast: bool = False) -> Clustering:
    """Clusters of (doc id, text, body offset) triples; the title is left out of the comparison.

    `fast` (release format 3) hashes the shingles in bulk (`WordHashes`); the default keeps datasketch's
    SHA-1 per shingle, with which format-2 releases were clustered and still rebuild byte for byte.
    """
    if fast:
        return _cluster_fast(sorted(documents))
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
    return _clustering(ids, links, components)


def _cluster_fast(documents: list[tuple[str, str, int]]) -> Clustering:
    """`cluster_documents` with shingles hashed in bulk: each paragraph's words are found and hashed once, and
    the body's word hashes are the paragraphs' joined (words never cross a blank line)."""
    import numpy as np

    hashes = WordHashes()
    components = _Components()
    links: dict[tuple[str, str], str] = {}
    whole = _Index(DOCUMENT_THRESHOLD, compact=False)
    paragraphs = _Index(PARAGRAPH_THRESHOLD, compact=False)
    exact: dict[str, str] = {}
    ids = []
    for doc_id, text, body_offset in documents:
        ids.append(doc_id)
        components.find(doc_id)
        parts = [words(paragraph) for paragraph in text[body_offset:].split("\n\n")]
        tokens = [token for part in parts for token in part]
        digest = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
        if tokens and digest in exact:
            links[(exact[digest], doc_id)] = "exact"
        exact.setdefault(digest, doc_id)
        part_ids = [hashes.ids(part) for part in parts]
        body_ids = np.concatenate(part_ids) if part_ids else np.zeros(0, dtype=np.uint64)
        for other in whole.add(doc_id, hashed=WordHashes.shingles_of(body_ids)):
            links.setdefault((other, doc_id), "document")
        for part in part_ids:
            if len(part) < PARAGRAPH_MIN_WORDS:
                continue
            for other_doc in paragraphs.add(doc_id, hashed=WordHashes.shingles_of(part)):
                if other_doc != doc_id:
                    links.setdefault((other_doc, doc_id), "paragraph")
    return _clustering(ids, links, components)


def _clustering(ids: list[str], links: dict[tuple[str, str], str], components: _Components) -> Clustering:
    for a, b in links:
        components.union(a, b)
    clustering = Clustering(links=[Link(a, b, kind) for (a, b), kind in sorted(links.items())])
    clustering.cluster_of = {doc_id: components.find(doc_id) for doc_id in ids}
    return clustering
