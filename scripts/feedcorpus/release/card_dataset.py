"""The Hugging Face dataset-card sections of a format-3 release, every figure computed from the rows.

Structure (configurations, one real instance, every field, split sizes), personal and sensitive information,
biases and limitations, loading in each tool, licensing and citation. What the data cannot support is said
plainly: a small corpus from one outlet has classes with few or no instances and held-out splits of one story.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from feedcorpus.labels import LabelSchema
from feedcorpus.markdown import code, md
from feedcorpus.release.card_fields import DOCUMENT_FIELDS, SENTENCE_FIELDS
from feedcorpus.release.contracts import SPLITS

if TYPE_CHECKING:
    from feedcorpus.release.contracts import Built

FEW = 10  # a label with fewer gold instances than this is called rare in the limitations


def _fields(rows: tuple[tuple[str, str, str], ...]) -> list[str]:
    return ["| field | type | meaning |", "|---|---|---|", *[f"| `{n}` | {t} | {m} |" for n, t, m in rows]]


def _instance(built: Built) -> list[str]:
    """A short train sentence showing the most labels, as `load_dataset(..., "sentences")` returns it (JSON)."""
    rows = [r for r in built.sentence_rows if len(r["text"]) <= 240] or built.sentence_rows
    row = min(
        rows,
        key=lambda r: (
            SPLITS.index(r["split"]),
            -len({e["label"] for e in r["entities"]}),
            -sum(1 for e in r["entities"] if e["kb_id"]),
            r["doc_id"],
            r["sentence"],
        ),
    )
    fields = [
        f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, default=str)}" for key, value in row.items()
    ]
    shown = "{\n" + ",\n".join(fields) + "\n}"
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", shown)), default=0))
    return [f"{fence}json", shown, fence]


def structure(built: Built, schema: LabelSchema) -> list[str]:
    stats = built.stats
    present = [s for s in SPLITS if stats.documents[s]]
    lines = [
        "## Dataset structure",
        "",
        "Two configurations of the same annotations: `default` has one row per document (whole articles, "
        "for document-level models and for mapping back to the source), `sentences` one row per sentence "
        "(the unit of conll2003, WNUT-17 and most NER benchmarks; no article exceeds a transformer window this "
        "way). Each document row lists its sentences' offsets, so either view maps to the other.",
        "",
        "### Data instance",
        "",
        "A row of the `sentences` configuration (`ner_tags` are ClassLabel ids):",
        "",
        *_instance(built),
        "",
        "### Data fields",
        "",
        "`default` (also `gold.parquet`, all splits in one file):",
        "",
        *_fields(DOCUMENT_FIELDS),
        "",
        "`sentences`:",
        "",
        *_fields(SENTENCE_FIELDS),
        "",
        "### Data splits",
        "",
        "| split | documents | clusters | sentences | tokens | entities | share of entities |",
        "|---|---|---|---|---|---|---|",
    ]
    clusters = {s: len({r["cluster"] for r in built.rows if r["split"] == s}) for s in SPLITS}
    total = stats.total_entities or 1
    for s in present:
        entities = sum(stats.entities[s].values())
        lines.append(
            f"| {s} | {stats.documents[s]} | {clusters[s]} | {stats.sentences.get(s, 0)} | "
            f"{stats.split_tokens.get(s, 0):,} | {entities} | {entities / total:.0%} |"
        )
    lines += [
        f"| total | {stats.total_documents} | {sum(clusters.values())} | {sum(stats.sentences.values())} | "
        f"{stats.tokens:,} | {stats.total_entities} | 100% |",
        "",
        *_languages(built, schema),
        f"Cross-validation: `fold` deals whole near-copy clusters to {stats.folds} folds (largest cluster first, "
        "to the fold with the fewest documents), so no two copies of one story are ever on both sides. With few "
        "documents, prefer cross-validation over the folds to the fixed test split; `feedcorpus train` uses "
        "exactly these folds.",
        "",
    ]
    return lines


def _languages(built: Built, schema: LabelSchema) -> list[str]:
    """Every figure per language, when there is more than one."""
    languages = sorted({str(r["language"]) for r in built.rows})
    if len(languages) < 2:
        return []
    lines = [
        "Per language (each language is tokenized and split into sentences by its own spaCy rules):",
        "",
        "| language | "
        + " | ".join(f"{s} documents" for s in SPLITS)
        + " | sentences | tokens | "
        + " | ".join(schema.names)
        + " |",
        "|---|" + "---|" * (len(SPLITS) + 2 + len(schema.names)),
    ]
    for language in languages:
        rows = [r for r in built.rows if r["language"] == language]
        labels = Counter(e["label"] for r in rows for e in r["entities"])
        lines.append(
            f"| {code(language)} | "
            + " | ".join(str(sum(1 for r in rows if r["split"] == s)) for s in SPLITS)
            + f" | {sum(len(r['sentences']) for r in rows)} | {sum(len(r['tokens']) for r in rows):,} | "
            + " | ".join(str(labels[name]) for name in schema.names)
            + " |"
        )
    return [*lines, ""]


def sensitive(built: Built) -> list[str]:
    people = Counter(e["text"] for r in built.rows for e in r["entities"] if e["label"] == "PERSON")
    return [
        "## Personal and sensitive information",
        "",
        f"The texts name real people ({len(people)} distinct PERSON names, {sum(people.values())} mentions): "
        "heads of state and officers, leaders of armed groups, officials, journalists, and people killed, "
        "abducted or accused in reports of violence. Everything comes from published news; the annotations add "
        "labels, not information. Do not use the data to profile or target individuals, and report a person who "
        "asks to be removed as an issue.",
        "",
    ]


def limitations(built: Built, schema: LabelSchema) -> list[str]:
    rows, stats = built.rows, built.stats
    dates = sorted(r["published"] for r in rows if r.get("published"))
    afp = sum(1 for r in rows if "AFP" in r["text"])
    totals = Counter({label: sum(stats.entities[s].get(label, 0) for s in SPLITS) for label in schema.names})
    absent = [label for label in schema.names if not totals[label]]
    rare = [f"{label} ({totals[label]})" for label in schema.names if 0 < totals[label] < FEW]
    missing_train = [label for label in schema.names if totals[label] and not stats.entities["train"].get(label)]
    test_clusters = len({r["cluster"] for r in rows if r["split"] == "test"})
    unseen = next((o.mentions - o.seen_mentions for o in stats.overlap if o.split == "test"), None)
    period = f"published between {dates[0]:%Y-%m-%d} and {dates[-1]:%Y-%m-%d}" if dates else "with no dates"
    lines = [
        "## Bias, risks and limitations",
        "",
        f"- **Sources**: {len(stats.sources)} outlet(s) ({', '.join(md(s) for s in stats.sources)}), "
        f"{stats.total_documents} articles {period}; {afp} of them mention AFP, most as the wire service the "
        "copy comes from. "
        "The vocabulary, the actors and the framing are those of this coverage, not of the region's press.",
        f"- **Languages**: {', '.join(sorted({code(r['language']) for r in rows}))} only.",
    ]
    if absent or rare or missing_train:
        what = []
        if absent:
            what.append("no instance of " + ", ".join(absent))
        if rare:
            what.append(f"fewer than {FEW} of " + ", ".join(rare))
        if missing_train:
            what.append("none in train of " + ", ".join(missing_train))
        lines.append(f"- **Classes**: {'; '.join(what)}. Scores on these classes say little or nothing.")
    if stats.documents["test"]:
        lines.append(
            f"- **Test split**: {stats.documents['test']} documents from {test_clusters} cluster(s)"
            + (f", {unseen} entity mentions not seen in train" if unseen is not None else "")
            + ": a score on it is a score on very little text; report cross-validated figures too."
        )
    lines += [
        "- **Annotation**: see Who annotated above; no agreement between independent people was measured.",
        "",
    ]
    return lines


def licensing(built: Built, settings: dict[str, Any]) -> list[str]:
    lines = [
        "## Licensing information",
        "",
        f"`license: other` ({code(settings.get('license_name', 'other'))}): two kinds of content with different "
        "rights, stated in `LICENSE.md`.",
        "",
        settings["rights"].strip(),
        "",
        f"The annotations (spans, labels, actor ids, tokens, tags, sentence offsets, splits and folds) are released "
        f"under {settings.get('annotations_license', 'CC-BY-4.0').upper()}.",
        "",
    ]
    return lines


def license_file(settings: dict[str, Any]) -> str:
    """LICENSE.md of the release (the card's `license_link`)."""
    return (
        "# Licence of this release\n\n"
        f"## Article texts\n\n{settings['rights'].strip()}\n\n"
        f"## Annotations\n\nThe annotations (spans, labels, actor ids, tokens, tags, sentence offsets, splits and "
        f"folds) are released under {settings.get('annotations_license', 'CC-BY-4.0').upper()} "
        "(https://creativecommons.org/licenses/by/4.0/).\n"
    )


def loading(built: Built) -> list[str]:
    v = built.version
    return [
        "## How to load it",
        "",
        "```python",
        "from datasets import load_dataset",
        f'docs = load_dataset("annotations/{v}")  # one row per document; offline, from a clone',
        f'sentences = load_dataset("annotations/{v}", "sentences")  # one row per sentence',
        'names = sentences["train"].features["ner_tags"].feature.names  # needs datasets >= 4.0',
        "```",
        "",
        f"- pandas / polars: `pd.read_parquet('annotations/{v}/gold.parquet')`, "
        f"`pl.read_parquet('annotations/{v}/sentences/*.parquet')`; DuckDB: "
        f"`SELECT doc_id, sentence, text FROM 'annotations/{v}/sentences/*.parquet'`. The Parquet key-value "
        "metadata carries the version, the label names and the label schema's hash.",
        "- spaCy: `spacy/{train,dev,test}.spacy` are `DocBin` files of the same tokens with the gold entities "
        "(`ent.kb_id_` set for armed groups) and sentence starts (`doc.sents`); `doc.user_data` holds `id`, "
        "`split`, `cluster`, `fold` and `language`: `DocBin().from_disk(path).get_docs(nlp.vocab)`, or "
        f"`python -m spacy train config.cfg --paths.train annotations/{v}/spacy/train.spacy "
        f"--paths.dev annotations/{v}/spacy/dev.spacy`.",
        "- CoNLL: `conll/{train,validation,test}.txt` have two space-separated columns, the token and its IOB2 "
        "tag, one token per line; a blank line ends each sentence; each document starts with the line "
        "`-DOCSTART- -X- O O` and a blank line (the delimiter `spacy convert -c ner` splits documents on; readers "
        "of conll2003 skip lines starting with `-DOCSTART-`). The document ids are in `conll/{split}.ids.txt`, "
        "the n-th line naming the n-th document, never in a column a reader could take for a tag. "
        f"`python -m spacy convert annotations/{v}/conll/train.txt . -c ner` gives the same documents and "
        "entities as the Parquet files.",
        "- `manifest.json` lists every file's sha256; `source/label-studio-export.json` is the Label Studio "
        "snapshot the release was built from and `source/actors.yaml` the actor registry the `kb_id`s come from: "
        "`feedcorpus versions --rebuild` rebuilds the release and compares checksums.",
        "",
    ]


def citation(built: Built, settings: dict[str, Any]) -> list[str]:
    url = settings.get("url")
    entry = [
        f"@misc{{{settings.get('citation_key', 'feedcorpus')}_{built.version.replace('.', '_')},",
        f"  title        = {{{settings['pretty_name']}}},",
        f"  author       = {{{settings.get('authors', '{feedcorpus contributors}')}}},",
        f"  year         = {{{settings.get('year', '')}}},",
        f"  version      = {{{built.version.lstrip('v')}}},",
        f"  howpublished = {{{url or f'annotations/{built.version} in the feedcorpus repository'}}},",
        *([f"  url          = {{{url}}},"] if url else []),
        "  note         = {Built with the feedcorpus toolkit}",
        "}",
    ]
    return ["## Citation", "", "```bibtex", *entry, "```", ""]
