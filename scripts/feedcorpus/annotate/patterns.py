"""EntityRuler patterns from schemas/patterns/*.jsonl, checked against the label schema."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from feedcorpus.errors import ModelError
from feedcorpus.fileio import read_jsonl
from feedcorpus.labels import LabelSchema


def curly_variants(pattern: str) -> list[str]:
    """A phrase with a straight apostrophe also matches the curly one (Jama'at / Jama’at)."""
    return [pattern, pattern.replace("'", "’")] if "'" in pattern else [pattern]


def pattern_files(patterns_dir: Path) -> list[Path]:
    return sorted(patterns_dir.glob("*.jsonl")) if patterns_dir.is_dir() else []


def load_patterns(files: Iterable[Path], schema: LabelSchema) -> list[dict[str, Any]]:
    """Ruler patterns from JSONL files, each checked against the label schema."""
    patterns = []
    for path in files:
        try:
            records = list(read_jsonl(path))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read patterns ({exc})", path=path) from exc
        for number, record in enumerate(records, 1):
            if not isinstance(record, dict) or record.get("label") not in schema.names or not record.get("pattern"):
                raise ModelError(
                    f"line {number}: needs a 'pattern' and a 'label' from the label schema, got {record!r}", path=path
                )
            pattern = record["pattern"]
            variants = curly_variants(pattern) if isinstance(pattern, str) else [pattern]
            for variant in variants:
                patterns.append({"label": record["label"], "pattern": variant, "id": record.get("id", record["label"])})
    return patterns
