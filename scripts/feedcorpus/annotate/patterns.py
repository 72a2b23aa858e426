"""EntityRuler patterns: generated from the actor registry and the gazetteers, plus optional project
patterns in schemas/patterns/*.jsonl, all checked against the label schema.

Generated variants, so the reference lists need not repeat them: a straight apostrophe also matches the
curly one (Jama'at / Jama’at); places also match in capitals, as in datelines (BAMAKO); upper-case acronyms
of four letters or more also match title-cased, as some outlets write them (Jnim, Minusma, Ecowas).
Each pattern keeps an id: the actor's registry id for armed groups (spaCy reports it as `ent.ent_id_`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from feedcorpus.annotate.gazetteers import Entry
from feedcorpus.annotate.registry import ActorRegistry
from feedcorpus.errors import ModelError
from feedcorpus.fileio import read_jsonl
from feedcorpus.labels import LabelSchema

_ACRONYM = re.compile(r"^[A-Z]{4,}$")
PLACE_LABELS = ("GPE", "LOC")


def curly_variants(pattern: str) -> list[str]:
    """A phrase with a straight apostrophe also matches the curly one (Jama'at / Jama’at)."""
    return [pattern, pattern.replace("'", "’")] if "'" in pattern else [pattern]


def variants(form: str, *, capitals: bool = False, title_acronyms: bool = False) -> list[str]:
    found = [form]
    if capitals and form.upper() != form:
        found.append(form.upper())
    if title_acronyms and _ACRONYM.match(form):
        found.append(form.capitalize())
    return [v for f in found for v in curly_variants(f)]


def registry_patterns(registry: ActorRegistry) -> list[dict[str, Any]]:
    return [
        {"label": "ARMED_GROUP", "pattern": variant, "id": actor.id}
        for actor in registry.actors
        for alias in actor.aliases
        for variant in variants(alias, title_acronyms=True)
    ]


def gazetteer_patterns(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    return [
        {"label": entry.label, "pattern": variant, "id": entry.id}
        for entry in entries
        for form in entry.forms
        for variant in variants(form, capitals=entry.label in PLACE_LABELS, title_acronyms=entry.label == "ORG")
    ]


def pattern_files(patterns_dir: Path) -> list[Path]:
    return sorted(patterns_dir.glob("*.jsonl")) if patterns_dir.is_dir() else []


def load_patterns(files: Iterable[Path], schema: LabelSchema) -> list[dict[str, Any]]:
    """Project patterns from JSONL files (one {"label", "pattern", "id"} per line), checked against the schema."""
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
            for variant in curly_variants(pattern) if isinstance(pattern, str) else [pattern]:
                patterns.append({"label": record["label"], "pattern": variant, "id": record.get("id", record["label"])})
    return patterns


def check_labels(patterns: Iterable[dict[str, Any]], schema: LabelSchema) -> None:
    unknown = sorted({p["label"] for p in patterns} - set(schema.names))
    if unknown:
        raise ModelError(f"patterns use labels that are not in the label schema: {', '.join(unknown)}")
