"""The release's columns, declared once as Hugging Face `Features`; the Arrow schema is derived from them.

The only module of the release stage that imports pyarrow or datasets. Parquet files carry no timestamps,
so the same rows always give the same bytes (what `versions --rebuild` checks).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from feedcorpus.errors import ReleaseError
from feedcorpus.labels import LabelSchema

REQUIRED = ("id", "text")  # columns that may not be null (the rest may, e.g. a feed without dates)
ENTITY_FIELDS = {"start": "int32", "end": "int32", "label": "string", "text": "string", "provenance": "string"}
# Release formats: 1 = v1.0.0 (hash splits); 2 = near-copy cluster splits, entity kb_id, a cluster column;
# 3 = language, sentence offsets and a grouped cross-validation fold per document, and a `sentences` config.
FORMAT = 3


def features(schema: LabelSchema, release_format: int = FORMAT) -> Any:
    """The Hugging Face features: ner_tags is Sequence(ClassLabel) with names in label-schema order."""
    from datasets import ClassLabel, Features, Sequence, Value

    entity = {name: Value(kind) for name, kind in ENTITY_FIELDS.items()}
    columns: dict[str, Any] = {
        "id": Value("string"),
        "url": Value("string"),
        "title": Value("string"),
        "source": Value("string"),
        "published": Value("timestamp[us, tz=UTC]"),
        "text": Value("string"),
        "entities": [entity],
        "tokens": Sequence(Value("string")),
        "ner_tags": Sequence(ClassLabel(names=schema.tag_names())),
        "split": Value("string"),
        "annotators": Sequence(Value("string")),
        "annotated_at": Value("timestamp[us, tz=UTC]"),
    }
    if release_format >= 2:
        entity["kb_id"] = Value("string")
        columns["cluster"] = Value("string")
    if release_format >= 3:
        columns = {
            "id": columns.pop("id"),
            "language": Value("string"),
            **columns,
            "sentences": [{name: Value("int32") for name in ("start", "end", "token_start", "token_end")}],
            "fold": Value("int32"),
        }
    return Features(columns)


def sentence_features(schema: LabelSchema) -> Any:
    """The `sentences` configuration (format 3): one row per sentence, offsets relative to the sentence."""
    from datasets import ClassLabel, Features, Sequence, Value

    entity = {name: Value(kind) for name, kind in ENTITY_FIELDS.items()} | {"kb_id": Value("string")}
    return Features(
        {
            "doc_id": Value("string"),
            "sentence": Value("int32"),
            "start": Value("int32"),
            "end": Value("int32"),
            "language": Value("string"),
            "text": Value("string"),
            "tokens": Sequence(Value("string")),
            "ner_tags": Sequence(ClassLabel(names=schema.tag_names())),
            "entities": [entity],
            "split": Value("string"),
            "cluster": Value("string"),
            "fold": Value("int32"),
        }
    )


def arrow_schema(hf_features: Any) -> pa.Schema:
    """The Arrow schema the features give, with `id` (or `doc_id`) and `text` declared non-null."""
    schema = pa.schema(hf_features.type)
    for name in (n for n in (*REQUIRED, "doc_id") if schema.get_field_index(n) >= 0):
        index = schema.get_field_index(name)
        schema = schema.set(index, schema.field(name).with_nullable(False))
    return schema


def arrow_table(rows: list[dict[str, Any]], schema: LabelSchema, version: str, hf_features: Any) -> pa.Table:
    """Rows → an Arrow table with the derived schema; version, labels and HF features in its metadata."""
    metadata = {
        b"feedcorpus.version": version.encode(),
        b"feedcorpus.label_schema_sha256": schema.sha256.encode(),
        b"feedcorpus.labels": json.dumps(schema.names).encode(),
        b"feedcorpus.ner_tags": json.dumps(schema.tag_names()).encode(),
        b"huggingface": json.dumps({"info": {"features": hf_features.to_dict()}}, sort_keys=True).encode(),
    }
    return pa.Table.from_pylist(rows, schema=arrow_schema(hf_features)).replace_schema_metadata(metadata)


def parquet_bytes(table: pa.Table) -> bytes:
    """Parquet without timestamps: the same table always gives the same bytes."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", use_dictionary=True, write_statistics=True)
    return buffer.getvalue()


def split_tables(table: pa.Table, splits: tuple[str, ...]) -> dict[str, pa.Table]:
    """The non-empty per-split parts of a release table."""
    column = table.column("split")
    parts = {split: table.filter(pc.equal(column, split)) for split in splits}
    return {split: part for split, part in parts.items() if part.num_rows}


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a release Parquet file; a damaged file is a one-line ReleaseError."""
    try:
        return list(pq.read_table(path).to_pylist())
    except (OSError, pa.ArrowException) as exc:
        raise ReleaseError(f"cannot read Parquet ({str(exc).splitlines()[0]})", path=path) from exc
