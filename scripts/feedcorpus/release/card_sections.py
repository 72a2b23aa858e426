"""The body sections of the dataset card that report measurements: leakage, actors, pre-annotation quality,
provenance, agreement, and how to load the files. Every value that comes from the data is escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from feedcorpus.labels import LabelSchema
from feedcorpus.markdown import code, md
from feedcorpus.metrics import Score
from feedcorpus.release.actors import ActorLinks, card_lines
from feedcorpus.release.overlap import LEAK_LIMIT, NGRAM

if TYPE_CHECKING:
    from feedcorpus.release.contracts import Built


def _score_row(name: str, score: Score) -> str:
    return f"| {name} | {score.precision:.3f} | {score.recall:.3f} | {score.f1:.3f} | {score.tp + score.fn} |"


def overlap(built: Built) -> list[str]:
    parts = built.stats.overlap
    if not parts:
        return []
    lines = [
        "### Leakage between splits",
        "",
        f"For each held-out split, the share of its word {NGRAM}-grams also found in train (overall, and for its "
        "worst document), and the share of its entity mentions whose (text, label) occurs in train — seen "
        "entities — against unseen ones, as WNUT-17 separates them. Report results on seen and unseen mentions "
        "separately (`feedcorpus evaluate` does).",
        "",
        f"| split vs train | documents | {NGRAM}-grams in train | worst document | mentions | seen | unseen |",
        "|---|---|---|---|---|---|---|",
    ]
    for part in parts:
        worst = f"{md(part.worst_document)} ({part.worst_share:.1%})" if part.worst_document else "–"
        lines.append(
            f"| {part.split} | {part.documents} | {part.ngram_share:.1%} | {worst} | {part.mentions} | "
            f"{part.seen_mentions} ({part.seen_share:.0%}) | {part.mentions - part.seen_mentions} |"
        )
    if built.report.leaks:
        lines += ["", "Held-out documents above the limit: " + "; ".join(md(leak) for leak in built.report.leaks) + "."]
    else:
        lines += ["", f"No held-out document shares more than {LEAK_LIMIT:.0%} of its {NGRAM}-grams with train."]
    return [*lines, ""]


def actors(built: Built) -> list[str]:
    if built.release_format < 2:
        return []
    return card_lines(ActorLinks(built.stats.actors, built.report.unmatched_actors))


def quality(built: Built, schema: LabelSchema, settings: dict[str, Any]) -> list[str]:
    predictions = built.stats.quality.predictions
    if not predictions:
        return []
    described = settings.get("prediction_sets") or {}
    versions = list(predictions)
    lines = [
        "### Pre-annotation quality against this gold",
        "",
        "Entity-level, exact span and label, on the released documents.",
        "",
        "| prediction set | P | R | F1 | gold entities |",
        "|---|---|---|---|---|",
    ]
    for version in versions:
        name = code(version, table=True) + (f" ({md(described[version])})" if version in described else "")
        lines.append(_score_row(name, predictions[version]["overall"]))
    lines += [
        "",
        "F1 per label:",
        "",
        "| label | " + " | ".join(code(v, table=True) for v in versions) + " |",
        "|---|" + "---|" * len(versions),
    ]
    for label in schema.names:
        support = predictions[versions[0]][label].tp + predictions[versions[0]][label].fn
        if support:
            f1s = " | ".join(f"{predictions[v][label].f1:.3f}" for v in versions)
            lines.append(f"| {label} ({support}) | {f1s} |")
    if settings.get("quality_note"):
        lines += ["", settings["quality_note"].strip()]
    return [*lines, ""]


def provenance(built: Built) -> list[str]:
    provenance = built.stats.provenance
    if not sum(provenance.values()):
        return []
    kept = provenance["accepted"]
    total = sum(v for k, v in provenance.items() if k != "rejected")
    return [
        "### What the pre-annotation saved",
        "",
        "Each gold entity against the prediction it was corrected from:",
        "",
        "| accepted | relabeled | resized | added | rejected predictions |",
        "|---|---|---|---|---|",
        f"| {provenance['accepted']} | {provenance['relabeled']} | {provenance['resized']} | "
        f"{provenance['added']} | {provenance['rejected']} |",
        "",
        f"{kept} of {total} gold entities ({kept / total:.0%}) were accepted as predicted." if total else "",
        "",
    ]


def agreement(built: Built) -> list[str]:
    agreement = built.stats.quality.agreement
    if not agreement:
        return []
    a, b = (md(name) for name in agreement.between)
    lines = [
        f"### Inter-annotator agreement ({a} vs {b}, {agreement.documents} documents)",
        "",
        "Entity-level F1 between the two independent passes, before adjudication.",
        "",
        "| label | P | R | F1 | entities |",
        "|---|---|---|---|---|",
    ]
    for name, score in agreement.scores.items():
        if name == "overall" or score.tp + score.fn or score.fp:
            lines.append(_score_row(name, score))
    return [*lines, ""]


def loading(built: Built, settings: dict[str, Any]) -> list[str]:
    lines = [
        "## How to load it",
        "",
        "```python",
        "from datasets import load_dataset",
        f'ds = load_dataset("annotations/{built.version}")  # offline, from a clone of the repository',
        'names = ds["train"].features["ner_tags"].feature.names',
        "```",
        "",
        "`gold.parquet` holds every document in one file for pandas, polars or DuckDB "
        f"(`SELECT * FROM 'annotations/{built.version}/gold.parquet'`); its key-value metadata carries the "
        "version, the label names and the label schema's hash. `manifest.json` lists every file's sha256; "
        "`source/label-studio-export.json` is the Label Studio snapshot the release was built from, so "
        "anyone can rebuild it and compare checksums with `feedcorpus versions --rebuild`.",
        "",
        *(_other_formats(built) if built.release_format >= 2 else []),
        "## Rights",
        "",
        settings["rights"].strip(),
        f"The annotations (spans, labels, tokens and tags) are released under {settings['license'].upper()}.",
        "",
    ]
    if settings["citation"]:
        lines += ["## Citation", "", "```bibtex", settings["citation"].strip(), "```", ""]
    return lines


def _other_formats(built: Built) -> list[str]:
    return [
        "Also in the release, for code that does not read Parquet:",
        "",
        "- `spacy/{train,dev,test}.spacy`: spaCy `DocBin` files with the gold entities (aligned to tokens as the "
        "tags are): `DocBin().from_disk(path).get_docs(nlp.vocab)`, or "
        f"`python -m spacy train config.cfg --paths.train annotations/{built.version}/spacy/train.spacy "
        f"--paths.dev annotations/{built.version}/spacy/dev.spacy`;",
        "- `conll/{train,validation,test}.txt`: CoNLL-2003-style `token tag` lines (IOB2), a blank line between "
        "documents, each document opened by `-DOCSTART- <id>`;",
        "- `source/actors.yaml`: the actor registry the `kb_id`s come from;",
        "- a `cluster` column: the near-copy cluster of each document (see Splits).",
        "",
    ]
