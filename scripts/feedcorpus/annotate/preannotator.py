"""The project's pre-annotator, as `feedcorpus preannotate` builds it: a spaCy pipeline, the EntityRuler fed
from the actor registry, the gazetteers and any project patterns, and the guideline rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedcorpus.annotate import patterns as ruler
from feedcorpus.annotate.gazetteers import gazetteer_files, load_gazetteers
from feedcorpus.annotate.pipeline import DEFAULT_MODEL, Pipeline, load_pipeline
from feedcorpus.annotate.registry import load_registry
from feedcorpus.annotate.rules import RULES
from feedcorpus.labels import LabelSchema
from feedcorpus.paths import ProjectPaths


@dataclass(frozen=True)
class ReferencePatterns:
    patterns: list[dict[str, Any]]
    sources: list[Path]  # the files they were made from (hashed into the model version)


def reference_patterns(paths: ProjectPaths, schema: LabelSchema) -> ReferencePatterns:
    """Ruler patterns from schemas/actors.yaml, schemas/gazetteers/ and schemas/patterns/*.jsonl."""
    registry_path = paths.schema("actors.yaml")
    registry = load_registry(registry_path, paths.schema("actors.schema.json"))
    gazetteers = paths.schemas / "gazetteers"
    entries = load_gazetteers(gazetteers, paths.schema("gazetteer.schema.json"))
    extra = ruler.pattern_files(paths.schemas / "patterns")
    patterns = (
        ruler.registry_patterns(registry) + ruler.gazetteer_patterns(entries) + ruler.load_patterns(extra, schema)
    )
    ruler.check_labels(patterns, schema)
    return ReferencePatterns(patterns, [registry_path, *gazetteer_files(gazetteers), *extra])


def build_preannotator(
    paths: ProjectPaths, schema: LabelSchema, *, model: str | None = None, patterns: bool = True, rules: bool = True
) -> Pipeline:
    reference = reference_patterns(paths, schema) if patterns else ReferencePatterns([], [])
    return load_pipeline(
        model or DEFAULT_MODEL,
        patterns=reference.patterns,
        pattern_paths=reference.sources,
        schema=schema,
        rules=RULES if rules else (),
    )
