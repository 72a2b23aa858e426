"""The dataset card (README.md) of a release: Hub YAML header and a body whose numbers come from the data.

Everything a researcher needs: labels with definitions and counts per split, how the data was made
(source, pre-annotation quality against gold, gold policy, agreement, provenance), how to load and cite
it, and the rights on the text. Project-specific wording (title, licence, who annotated) comes from
annotations/release.yaml when it exists, so no prose about a particular corpus is hard-coded here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from feedcorpus.labels import LabelSchema

if TYPE_CHECKING:
    from feedcorpus.release import Built

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


def header(built: Built, settings: dict[str, Any], hf_features: Any) -> dict[str, Any]:
    docs = built.stats["documents"]
    present = [s for s in ("train", "validation", "test") if docs[s]]
    return {
        "pretty_name": settings["pretty_name"],
        "license": settings["license"],
        "language": settings["language"],
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "annotations_creators": settings["annotations_creators"],
        "language_creators": ["found"],
        "multilinguality": ["monolingual"],
        "source_datasets": ["original"],
        "size_categories": [size_category(sum(docs.values()))],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in present],
            }
        ],
        "dataset_info": {
            "config_name": "default",
            "features": hf_features._to_yaml_list(),
            "splits": [
                {"name": s, "num_bytes": built.stats["split_bytes"][s], "num_examples": docs[s]} for s in present
            ],
        },
    }


def _score_row(name: str, score: dict[str, Any]) -> str:
    return f"| {name} | {score['precision']:.3f} | {score['recall']:.3f} | {score['f1']:.3f} | {score['support']} |"


def render(built: Built, schema: LabelSchema, hf_features: Any, guidelines: str, settings: dict | None = None) -> str:
    settings = {**DEFAULTS, **(settings or {})}
    stats, report = built.stats, built.report
    docs, entities = stats["documents"], stats["entities"]
    total_docs = sum(docs.values())
    lines = ["---", yaml.safe_dump(header(built, settings, hf_features), sort_keys=False, allow_unicode=True).rstrip()]
    lines += ["---", "", f"# {settings['pretty_name']} ({built.version})", ""]
    lines += [
        f"Named-entity annotations of {total_docs} news articles ({', '.join(stats['sources'])}), "
        f"{stats['tokens']:,} tokens, {sum(sum(c.values()) for c in entities.values())} entities, made with the "
        "feedcorpus toolkit: feed → documents → spaCy pre-annotation → correction in Label Studio → this release.",
        "",
    ]
    if settings["annotators_note"]:
        lines += ["**Who annotated.** " + settings["annotators_note"].strip(), ""]

    lines += [
        "## Labels",
        "",
        "| label | definition | train | validation | test | total |",
        "|---|---|---|---|---|---|",
    ]
    for label in schema.labels:
        per = [entities[s].get(label.name, 0) for s in ("train", "validation", "test")]
        definition = re.sub(r"\s+", " ", label.definition).replace("|", "/")
        lines.append(f"| {label.name} | {definition} | {per[0]} | {per[1]} | {per[2]} | {sum(per)} |")
    lines += [
        f"| documents | | {docs['train']} | {docs['validation']} | {docs['test']} | {total_docs} |",
        "",
        f"`ner_tags` are IOB2 over `tokens`, as a ClassLabel with {len(schema.tag_names())} names in this order: "
        + ", ".join(f"`{t}`" for t in schema.tag_names())
        + ". The character spans in `entities` are the truth; tokens and tags are derived from them with "
        "spaCy's English tokenizer (whitespace tokens left out).",
        "",
    ]
    summary = guidelines_summary(guidelines)
    if summary:
        lines += ["## Annotation guidelines (summary)", ""]
        lines += [f"- {rule}" for rule in summary]
        lines += [
            "",
            "Every mention is annotated, every occurrence, in the title and the body. "
            "The full guidelines with the hard cases are `schemas/guidelines.md` in the repository.",
            "",
        ]

    lines += ["## How it was made", ""]
    lines += [
        "- **Source**: articles split from the publishers' RSS feeds; `text` is the title, a blank line, then the "
        "body paragraphs, boilerplate removed, the words as published.",
        "- **Pre-annotation**: spaCy NER plus curated domain patterns, shown to annotators as predictions in "
        "Label Studio. Predictions are never gold.",
        f"- **Gold policy**: {_policy(report)}",
        f"- **Splits**: train/validation/test ≈ 80/10/10 from a hash of the document id; a document keeps its "
        f"split in later releases.{_moves(report)}",
        "",
    ]
    quality = stats["quality"]
    if quality["predictions"]:
        described = settings.get("prediction_sets") or {}
        versions = list(quality["predictions"])
        lines += [
            "### Pre-annotation quality against this gold",
            "",
            "Entity-level, exact span and label, on the released documents.",
            "",
            "| prediction set | P | R | F1 | gold entities |",
            "|---|---|---|---|---|",
        ]
        for version in versions:
            name = f"`{version}`" + (f" ({described[version]})" if version in described else "")
            lines.append(_score_row(name, quality["predictions"][version]["overall"]))
        lines += [
            "",
            "F1 per label:",
            "",
            "| label | " + " | ".join(f"`{v}`" for v in versions) + " |",
            "|---|" + "---|" * len(versions),
        ]
        for label in schema.names:
            support = quality["predictions"][versions[0]][label]["support"]
            if support:
                f1s = " | ".join(f"{quality['predictions'][v][label]['f1']:.3f}" for v in versions)
                lines.append(f"| {label} ({support}) | {f1s} |")
        if settings.get("quality_note"):
            lines += ["", settings["quality_note"].strip()]
        lines.append("")
    provenance = stats["provenance"]
    if sum(provenance.values()):
        kept = provenance["accepted"]
        total = sum(v for k, v in provenance.items() if k != "rejected")
        lines += [
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
    agreement = quality.get("agreement")
    if agreement:
        a, b = agreement["between"]
        lines += [
            f"### Inter-annotator agreement ({a} vs {b}, {agreement['documents']} documents)",
            "",
            "Entity-level F1 between the two independent passes, before adjudication.",
            "",
            "| label | P | R | F1 | entities |",
            "|---|---|---|---|---|",
        ]
        for name, score in agreement["scores"].items():
            if name == "overall" or score["support"] or score["fp"]:
                lines.append(_score_row(name, score))
        lines.append("")

    lines += [
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
    return "\n".join(lines).rstrip() + "\n"


def _policy(report: dict[str, Any]) -> str:
    how = ", ".join(f"{k} {v}" for k, v in report["resolved_by"].items())
    return (
        "cancelled annotations are ignored; one annotation marked ground truth wins, else a single annotation, "
        "else identical annotations agree; other tasks are disputed and "
        f"{'left out' if report['policy'] == 'exclude' else 'resolved by the latest annotation'}. "
        f"This release: {report['released']} of {report['tasks']} tasks ({how}); {report['unannotated']} "
        f"without annotation and {len(report['disputed'])} disputed left out."
    )


def _moves(report: dict[str, Any]) -> str:
    if not report["split_moves"]:
        return ""
    return " To keep every split non-empty, " + "; ".join(report["split_moves"]) + "."
