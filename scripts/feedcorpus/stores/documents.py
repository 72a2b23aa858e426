"""The document store: one validated JSON file per article under corpus/documents/, sorted by id."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import jsonschema

from feedcorpus.documents import FETCH_FIELDS, Document, fingerprint
from feedcorpus.errors import DocumentError
from feedcorpus.fileio import read_json, remove_stale_temporaries, write_json


class Put(StrEnum):
    """What storing a document did."""

    WRITTEN = "written"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class DocumentSchema:
    """schemas/document.schema.json, checked once and applied to every document a store writes."""

    path: Path

    @cached_property
    def validator(self) -> Any:
        try:
            schema = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DocumentError(f"cannot read the document schema ({exc})", path=self.path) from exc
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        return cls(schema, format_checker=cls.FORMAT_CHECKER)

    def check(self, data: dict[str, Any]) -> None:
        """Raise DocumentError naming the first field that breaks the document schema."""
        error = jsonschema.exceptions.best_match(self.validator.iter_errors(data))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(document)"
            raise DocumentError(f"{where}: {error.message}", record=data.get("id"))
        if data["text"][: len(data["title"])] != data["title"]:
            raise DocumentError("text does not start with the title", record=data.get("id"))


class DocumentStore(Protocol):
    """What every later stage needs from a store of documents, whatever its format."""

    def documents(self) -> list[Document]: ...

    def get(self, doc_id: str) -> Document | None: ...


ASSIGNED_LATER = ("feed", "cluster")  # not the article's own content: which feed gave it, its near-copy cluster


def same_article(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal but for the feed it came from and its cluster, so re-splitting the article from another feed is
    not a change (the cluster is assigned after the run, over the whole store)."""
    ignored = (*ASSIGNED_LATER, *FETCH_FIELDS)  # the same text fetched again keeps its first snapshot
    return {k: v for k, v in old.items() if k not in ignored} == {k: v for k, v in new.items() if k not in ignored}


class JsonDocumentStore:
    """corpus/documents/<id>.json: small, reviewable, diffable in git. Writes are atomic."""

    def __init__(self, folder: Path, schema: DocumentSchema | None = None) -> None:
        self.folder = Path(folder)
        self.schema = schema
        self._swept = False
        self.pending: list[Document] = []  # what a dry run would have written

    def path(self, doc_id: str) -> Path:
        return self.folder / f"{doc_id}.json"

    def _read(self, path: Path) -> dict[str, Any]:
        try:
            data = read_json(path)
        except (OSError, ValueError) as exc:
            raise DocumentError(f"not a valid document ({exc})", path=path) from exc
        if not isinstance(data, dict):
            raise DocumentError("not a valid document (not a JSON object)", path=path)
        return data

    def get(self, doc_id: str) -> Document | None:
        path = self.path(doc_id)
        return _document(self._read(path), path) if path.exists() else None

    def get_many(self, ids: Iterable[str]) -> dict[str, Document]:
        return {doc_id: document for doc_id in ids if (document := self.get(doc_id)) is not None}

    def fingerprints(self) -> Mapping[str, bytes]:
        """id → fingerprint (documents.fingerprint) of every document."""
        return {document.id: fingerprint(document) for document in self} if self.folder.is_dir() else {}

    def raw(self, doc_id: str) -> dict[str, Any] | None:
        """The stored JSON of a document, or None (also when the file is unreadable: it will be replaced)."""
        path = self.path(doc_id)
        if not path.exists():
            return None
        try:
            return self._read(path)
        except DocumentError:
            return None

    def peek(self, doc_id: str) -> Document | None:
        """The stored document, or None when there is none or it is unreadable (it will be replaced)."""
        data = self.raw(doc_id)
        if data is None:
            return None
        try:
            return _document(data, self.path(doc_id))
        except DocumentError:
            return None

    def holder(self, doc_id: str) -> bytes | None:
        """The fingerprint of the document holding an id (written, or pending in a dry run), if any."""
        held = next((d for d in reversed(self.pending) if d.id == doc_id), None) or self.peek(doc_id)
        return fingerprint(held) if held is not None else None

    def describe(self, doc_id: str) -> str:
        held = next((d for d in reversed(self.pending) if d.id == doc_id), None) or self.peek(doc_id)
        return (held.guid or held.url or held.title) if held is not None else doc_id

    def put(self, document: Document, *, dry_run: bool = False) -> Put:
        """Validate and store a document; an unchanged one is not rewritten (idempotent re-runs)."""
        data = document.to_json()
        if self.schema is not None:
            self.schema.check(data)
        existed = self.path(document.id).exists()
        old = self.raw(document.id) if existed else None
        if old is not None and same_article(old, data):
            return Put.UNCHANGED
        if old is not None and data.get("cluster") is None:
            data["cluster"] = old.get("cluster")  # kept until the next clustering pass
        if dry_run:
            self.pending.append(document)
        else:
            if not self._swept:
                remove_stale_temporaries(self.folder)
                self._swept = True
            write_json(self.path(document.id), data)
        return Put.UPDATED if existed else Put.WRITTEN

    def close(self) -> None:
        """Nothing is buffered: every document is written when it is put."""

    def set_clusters(self, clusters: dict[str, str], *, dry_run: bool = False) -> list[str]:
        """Store each document's near-copy cluster; returns the ids whose cluster changed."""
        changed = []
        for doc_id, cluster in sorted(clusters.items()):
            data = self.raw(doc_id)
            if data is not None and data.get("cluster") != cluster:
                changed.append(doc_id)
                if not dry_run:
                    write_json(self.path(doc_id), {**data, "cluster": cluster})
        return changed

    def __iter__(self) -> Iterator[Document]:
        for path in sorted(self.folder.glob("*.json")):
            yield _document(self._read(path), path)

    def documents(self) -> list[Document]:
        """Every document, sorted by id (the order every later stage uses)."""
        if not self.folder.is_dir():
            raise DocumentError("no documents folder; run `feedcorpus split` first", path=self.folder)
        return list(self)


def _document(data: dict[str, Any], path: Path) -> Document:
    try:
        document = Document.from_json(data)
    except (ValueError, TypeError, KeyError) as exc:
        raise DocumentError(f"not a valid document ({exc})", path=path) from exc
    if not isinstance(document.text, str) or not isinstance(document.id, str):
        raise DocumentError("not a valid document (id and text must be strings)", path=path)
    return document
