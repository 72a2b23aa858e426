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
from feedcorpus.release import card_sections
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
    """The card's template is this module and its sections: a change to either excuses the card (only) from
    byte-identical rebuilds."""
    from feedcorpus.release import card_dataset, card_fields

    parts = (Path(__file__), Path(card_sections.__file__), Path(card_dataset.__file__), Path(card_fields.__file__))
    return sha256_bytes(b"".join(path.read_bytes() for path in parts))


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


def header(built: Built, settings: dict[str, Any], hf_features: Any, schema: LabelSchema | None = None) -> str:
    """The YAML header, through DatasetCardData and the `datasets` helpers for configs and dataset_info.

    From format 3: the `sentences` configuration beside `default`, languages and multilinguality from the
    rows, and the licence as the Hub reads it (`other` with a name and a link when texts and annotations
    carry different rights)."""
    from datasets import DatasetInfo
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCardData

    docs = built.stats.documents
    present = [s for s in SPLITS if docs[s]]
    v3 = built.release_format >= 3
    languages = sorted({str(r["language"]) for r in built.rows}) if v3 else settings["language"]
    licence = {"license": settings["license"]}
    if v3 and settings["license"] == "other":
        licence.update(license_name=settings.get("license_name", "other"), license_link="LICENSE.md")
    data = DatasetCardData(
        pretty_name=settings["pretty_name"],
        **licence,
        language=languages,
        task_categories=["token-classification"],
        task_ids=["named-entity-recognition"],
        annotations_creators=settings["annotations_creators"],
        language_creators=["found"],
        multilinguality=["multilingual" if len(languages) > 1 else "monolingual"],
        source_datasets=["original"],
        size_categories=[size_category(built.stats.total_documents)],
    )
    configs = {"default": {"data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in present]}}
    infos = {"default": DatasetInfo(features=hf_features, splits=_split_infos(present, built.stats.split_bytes, docs))}
    if v3 and schema is not None:
        from feedcorpus.release.parquet import sentence_features

        configs["sentences"] = {"data_files": [{"split": s, "path": f"sentences/{s}-*.parquet"} for s in present]}
        infos["sentences"] = DatasetInfo(
            features=sentence_features(schema),
            splits=_split_infos(present, built.stats.sentence_bytes, built.stats.sentences),
        )
    MetadataConfigs(configs).to_dataset_card_data(data)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    return str(data.to_yaml())


def _split_infos(present: list[str], sizes: dict[str, int], counts: dict[str, int]) -> Any:
    from datasets import SplitDict, SplitInfo

    splits = SplitDict()
    for s in present:
        splits.add(SplitInfo(name=s, num_bytes=sizes[s], num_examples=counts[s]))
    return splits


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
        + (
            "spaCy's tokenizer for the document's language, with a slash and double quotation marks split off so "
            "that names never share a token with them (whitespace tokens left out); sentences from spaCy's "
            "`sentencizer`, a line break always ending one, never inside an entity."
            if built.release_format >= 3
            else "spaCy's English tokenizer (whitespace tokens left out)."
        ),
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


def _splits(built: Built) -> str:
    if built.release_format < 2:
        return (
            "train/validation/test ≈ 80/10/10 from a hash of the document id; a document keeps its split in later "
            f"releases.{_moves(built.report)}"
        )
    clusters = len({r["cluster"] for r in built.rows})
    if built.release_format >= 3:
        docs = built.stats.documents
        return (
            "documents that share wire copy (near-copy clusters: a body paragraph or the whole text with an "
            "estimated Jaccard similarity of word 5-grams of at least 0.5, found with datasketch MinHash LSH, or an "
            "exact copy) are one cluster, and a whole cluster goes to one split, chosen by a hash of the cluster "
            "id (hash ranges of 80/10/10 %: with few clusters the real shares are far from that). This release "
            f"has {clusters} clusters for {len(built.rows)} documents"
            + (f" ({'; '.join(md(c) for c in built.report.copies)})" if built.report.copies else "")
            + f": {docs['train']}/{docs['validation']}/{docs['test']} documents in train/validation/test (sizes "
            "in Data splits). A document keeps its split in every later release of the same MAJOR version; an "
            f"empty split is filled with the cluster nearest to its hash range.{_moves(built.report)}"
        )
    return (
        "documents that share wire copy (near-copy clusters: a body paragraph or the whole text with an estimated "
        "Jaccard similarity of word 5-grams of at least 0.5, found with datasketch MinHash LSH, or an exact copy) "
        "are one cluster, and a whole cluster goes to one split: train/validation/test ≈ 80/10/10 from a hash of "
        f"the cluster id. This release has {clusters} clusters for {len(built.rows)} documents"
        + (f" ({'; '.join(md(c) for c in built.report.copies)})" if built.report.copies else "")
        + ". A document keeps its split in every later release of the same MAJOR version; with few clusters, an "
        f"empty split is filled with the cluster nearest to its hash range.{_moves(built.report)}"
    )


def _how_made(built: Built) -> list[str]:
    return [
        "## How it was made",
        "",
        "- **Source**: articles split from the publishers' RSS feeds; `text` is the title, a blank line, then the "
        "body paragraphs, boilerplate removed, the words as published.",
        "- **Pre-annotation**: spaCy NER plus curated domain patterns, shown to annotators as predictions in "
        "Label Studio. Predictions are never gold.",
        f"- **Gold policy**: {_policy(built.report)}",
        f"- **Splits**: {_splits(built)}",
        "",
    ]


def render(
    built: Built, schema: LabelSchema, hf_features: Any, guidelines: str, settings: dict[str, Any] | None = None
) -> str:
    from huggingface_hub import DatasetCard

    settings = {**DEFAULTS, **(settings or {})}
    stats = built.stats
    lines = [
        "---",
        header(built, settings, hf_features, schema),
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
    if built.release_format >= 3:
        return _render_v3(built, schema, guidelines, settings, lines)
    lines += _labels(built, schema) + _guidelines(guidelines) + _how_made(built)
    lines += card_sections.overlap(built) + card_sections.actors(built)
    lines += card_sections.quality(built, schema, settings) + card_sections.provenance(built)
    lines += card_sections.agreement(built) + card_sections.loading(built, settings)
    card = DatasetCard("\n".join(lines).rstrip() + "\n")
    return str(card.content)


def _render_v3(built: Built, schema: LabelSchema, guidelines: str, settings: dict[str, Any], lines: list[str]) -> str:
    """Format 3: the Hugging Face template's sections (structure, fields, splits, sensitive information,
    limitations, licensing, citation) around the measurements of earlier formats."""
    from huggingface_hub import DatasetCard

    from feedcorpus.release import card_dataset

    expanded = len(built.report.expanded_spans)
    lines += card_dataset.structure(built, schema) + _labels(built, schema)
    lines += [
        f"Spans widened to token boundaries: {expanded}"
        + (
            " (released with --allow-expanded; see manifest.json)."
            if expanded
            else ": every gold span is token-aligned."
        ),
        "",
    ]
    lines += _guidelines(guidelines) + _how_made(built)
    lines += card_sections.overlap(built) + card_sections.actors(built)
    lines += card_sections.quality(built, schema, settings) + card_sections.provenance(built)
    lines += card_sections.agreement(built) + card_dataset.sensitive(built) + card_dataset.limitations(built, schema)
    lines += card_dataset.loading(built) + card_dataset.licensing(built, settings)
    lines += card_dataset.citation(built, settings)
    return str(DatasetCard("\n".join(lines).rstrip() + "\n").content)
