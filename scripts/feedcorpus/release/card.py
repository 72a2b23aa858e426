"""The dataset card (README.md) of a release: a Hub YAML header and a body whose numbers come from the data.

The header is built with huggingface_hub's DatasetCardData, and its `configs`/`dataset_info` with the
`datasets` helpers that push_to_hub uses, from the same Features the Parquet files are written with. The
body says what a researcher needs: labels with definitions and counts per split, how the data was made
(source, pre-annotation quality, gold policy, agreement, provenance), how to load and cite it, the rights.
Project wording (title, licence, who annotated) comes from annotations/release.yaml; every value that comes
from the data (publisher names, ids, model versions) is escaped (`markdown.md`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedcorpus.fileio import sha256_bytes
from feedcorpus.labels import LabelSchema
from feedcorpus.markdown import md
from feedcorpus.metrics import Score
from feedcorpus.release.contracts import SPLITS, ReleaseReport

if TYPE_CHECKING:
    from feedcorpus.release.contracts import Built

DEFAULTS: dict[str, Any] = {
    "pretty_name": "feedcorpus news NER",
    "license": "cc-by-4.0",
    "annotations_creators": ["expert-generated"],
    "language": ["en"],
    "annotators_note": "",
    "rights": (
        "The article texts are quoted from their publishers' public feeds and remain the publishers' "
        "property. Use them for research (text and data mining); do not republish the articles."
    ),
    "citation": "",
}


def template_sha256() -> str:
    """The card's template is this module: a change to it excuses the card (only) from byte-identical rebuilds."""
    return sha256_bytes(Path(__file__).read_bytes())


def size_category(count: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if count < limit:
            return name
    return "n>1M"


def guidelines_summary(guidelines: str) -> list[str]:
    """The bold rule titles of the guidelines' "Span boundaries" section."""
    section = re.search(r"^## Span boundaries\n(.*?)(?=^## )", guidelines, flags=re.S | re.M)
    if not section:
        return []
    return [re.sub(r"\s+", " ", m) for m in re.findall(r"^\d+\. \*\*(.+?)\*\*", section.group(1), flags=re.M)]


def header(built: Built, settings: dict[str, Any], hf_features: Any) -> str:
    """The YAML header, through DatasetCardData and the `datasets` helpers for configs and dataset_info."""
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCardData

    docs = built.stats.documents
    present = [s for s in SPLITS if docs[s]]
    data = DatasetCardData(
        pretty_name=settings["pretty_name"],
        license=settings["license"],
        language=settings["language"],
        task_categories=["token-classification"],
        task_ids=["named-entity-recognition"],
        annotations_creators=settings["annotations_creators"],
        language_creators=["found"],
        multilinguality=["monolingual"],
        source_datasets=["original"],
        size_categories=[size_category(built.stats.total_documents)],
    )
    files = [{"split": s, "path": f"data/{s}-*.parquet"} for s in present]
    MetadataConfigs({"default": {"data_files": files}}).to_dataset_card_data(data)
    splits = SplitDict()
    for s in present:
        splits.add(SplitInfo(name=s, num_bytes=built.stats.split_bytes[s], num_examples=docs[s]))
    DatasetInfosDict({"default": DatasetInfo(features=hf_features, splits=splits)}).to_dataset_card_data(data)
    return str(data.to_yaml())


def _score_row(name: str, score: Score) -> str:
    return f"| {name} | {score.precision:.3f} | {score.recall:.3f} | {score.f1:.3f} | {score.tp + score.fn} |"


def _labels(built: Built, schema: LabelSchema) -> list[str]:
    docs, entities = built.stats.documents, built.stats.entities
    lines = ["## Labels", "", "| label | definition | train | validation | test | total |", "|---|---|---|---|---|---|"]
    for label in schema.labels:
        per = [entities[s].get(label.name, 0) for s in SPLITS]
        definition = re.sub(r"\s+", " ", label.definition).replace("|", "/")
        lines.append(f"| {label.name} | {definition} | {per[0]} | {per[1]} | {per[2]} | {sum(per)} |")
    return [
        *lines,
        f"| documents | | {docs['train']} | {docs['validation']} | {docs['test']} | {built.stats.total_documents} |",
        "",
        f"`ner_tags` are IOB2 over `tokens`, as a ClassLabel with {len(schema.tag_names())} names in this order: "
        + ", ".join(f"`{t}`" for t in schema.tag_names())
        + ". The character spans in `entities` are the truth; tokens and tags are derived from them with "
        "spaCy's English tokenizer (whitespace tokens left out).",
        "",
    ]


def _guidelines(guidelines: str) -> list[str]:
    summary = guidelines_summary(guidelines)
    if not summary:
        return []
    return [
        "## Annotation guidelines (summary)",
        "",
        *[f"- {rule}" for rule in summary],
        "",
        "Every mention is annotated, every occurrence, in the title and the body. "
        "The full guidelines with the hard cases are `schemas/guidelines.md` in the repository.",
        "",
    ]


def _policy(report: ReleaseReport) -> str:
    how = ", ".join(f"{md(k)} {v}" for k, v in report.resolved_by.items())
    return (
        "cancelled annotations are ignored; one annotation marked ground truth wins, else a single annotation, "
        "else identical annotations agree; other tasks are disputed and "
        f"{'left out' if report.policy == 'exclude' else 'resolved by the latest annotation'}. "
        f"This release: {report.released} of {report.tasks} tasks ({how}); {len(report.unannotated)} "
        f"without annotation and {len(report.disputed)} disputed left out."
    )


def _moves(report: ReleaseReport) -> str:
    if not report.split_moves:
        return ""
    return " To keep every split non-empty, " + "; ".join(md(m) for m in report.split_moves) + "."


def _how_made(built: Built) -> list[str]:
    return [
        "## How it was made",
        "",
        "- **Source**: articles split from the publishers' RSS feeds; `text` is the title, a blank line, then the "
        "body paragraphs, boilerplate removed, the words as published.",
        "- **Pre-annotation**: spaCy NER plus curated domain patterns, shown to annotators as predictions in "
        "Label Studio. Predictions are never gold.",
        f"- **Gold policy**: {_policy(built.report)}",
        f"- **Splits**: train/validation/test ≈ 80/10/10 from a hash of the document id; a document keeps its "
        f"split in later releases.{_moves(built.report)}",
        "",
    ]


def _quality(built: Built, schema: LabelSchema, settings: dict[str, Any]) -> list[str]:
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
        name = f"`{md(version)}`" + (f" ({md(described[version])})" if version in described else "")
        lines.append(_score_row(name, predictions[version]["overall"]))
    lines += [
        "",
        "F1 per label:",
        "",
        "| label | " + " | ".join(f"`{md(v)}`" for v in versions) + " |",
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


def _provenance(built: Built) -> list[str]:
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


def _agreement(built: Built) -> list[str]:
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


def _loading(built: Built, settings: dict[str, Any]) -> list[str]:
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
        "## Rights",
        "",
        settings["rights"].strip(),
        f"The annotations (spans, labels, tokens and tags) are released under {settings['license'].upper()}.",
        "",
    ]
    if settings["citation"]:
        lines += ["## Citation", "", "```bibtex", settings["citation"].strip(), "```", ""]
    return lines


def render(
    built: Built, schema: LabelSchema, hf_features: Any, guidelines: str, settings: dict[str, Any] | None = None
) -> str:
    from huggingface_hub import DatasetCard

    settings = {**DEFAULTS, **(settings or {})}
    stats = built.stats
    lines = [
        "---",
        header(built, settings, hf_features),
        "---",
        "",
        f"# {settings['pretty_name']} ({built.version})",
        "",
    ]
    lines += [
        f"Named-entity annotations of {stats.total_documents} news articles "
        f"({', '.join(md(s) for s in stats.sources)}), {stats.tokens:,} tokens, {stats.total_entities} entities, "
        "made with the feedcorpus toolkit: feed → documents → spaCy pre-annotation → correction in Label Studio "
        "→ this release.",
        "",
    ]
    if settings["annotators_note"]:
        lines += ["**Who annotated.** " + settings["annotators_note"].strip(), ""]
    lines += _labels(built, schema) + _guidelines(guidelines) + _how_made(built)
    lines += _quality(built, schema, settings) + _provenance(built) + _agreement(built) + _loading(built, settings)
    card = DatasetCard("\n".join(lines).rstrip() + "\n")
    return str(card.content)
