"""Release format 3: document rows with language, sentence offsets and a grouped fold, and sentence rows.

Every document is tokenized once (`analysis.analyse`); the document rows, the sentence rows, the CoNLL files
and the DocBin files are all written from that one analysis, so every view agrees on every token and tag.
A gold span that needs widening to token boundaries is refused (`allow_expanded` lets it through, counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from feedcorpus.errors import ReleaseError
from feedcorpus.folds import grouped_folds
from feedcorpus.nearcopies import body_offset, cluster_documents
from feedcorpus.release import splits
from feedcorpus.release.actors import ActorLinks, ActorLookup, link
from feedcorpus.release.analysis import analyse
from feedcorpus.spans import Span
from feedcorpus.translations import translation_links

SUPPORTED_LANGUAGES = ("en", "fr")


@dataclass
class Layout:
    """What format 3 derives from the gold documents, before anything is serialised."""

    rows: list[dict[str, Any]]
    sentence_rows: list[dict[str, Any]]
    docs: list[Any]  # spaCy Docs, parallel to rows
    sentences: list[list[tuple[int, int]]]  # token ranges per document, parallel to rows
    links: ActorLinks
    extra: dict[str, list[str]] = field(default_factory=dict)  # report: expanded, conflicts, moves, copies

    @property
    def folds(self) -> int:
        return len({row["fold"] for row in self.rows})


def language_of(data: dict[str, Any], doc_id: str, default: str) -> str:
    """The document's language from the task (`language`, as `split` records it), else the release default."""
    language = str(data.get("language") or default).split("-")[0].lower()
    if language not in SUPPORTED_LANGUAGES:
        raise ReleaseError(f"{doc_id}: language {language!r} has no tokenizer here ({', '.join(SUPPORTED_LANGUAGES)})")
    return language


def described(doc_id: str, spans: list[Span]) -> list[str]:
    return [f"{doc_id}: {s.text!r} [{s.start}:{s.end}) {s.label}" for s in spans]


def sentence_rows(row: dict[str, Any], ranges: list[tuple[int, int]], offsets: list[tuple[int, int]]) -> list[Any]:
    """One row per sentence: its tokens, tags and the entities inside it with offsets relative to it."""
    result = []
    entities = sorted(row["entities"], key=lambda e: (e["start"], e["end"]))
    for number, (first, end) in enumerate(ranges):
        start, stop = offsets[first][0], offsets[end - 1][1]
        inside = [e for e in entities if start <= e["start"] and e["end"] <= stop]
        result.append(
            {
                "doc_id": row["id"],
                "sentence": number,
                "start": start,
                "end": stop,
                "language": row["language"],
                "text": row["text"][start:stop],
                "tokens": row["tokens"][first:end],
                "ner_tags": row["ner_tags"][first:end],
                "entities": [{**e, "start": e["start"] - start, "end": e["end"] - start} for e in inside],
                "split": row["split"],
                "cluster": row["cluster"],
                "fold": row["fold"],
            }
        )
    return result


def layout(
    documents: list[Any],
    *,
    tag_ids: dict[str, int],
    previous_splits: dict[str, str],
    actors: ActorLookup,
    base: list[dict[str, Any]],
) -> Layout:
    """Cluster, split, fold, link actors and analyse each gold document (`base`: its row without tokens)."""
    clustering = cluster_documents(((d.doc_id, d.text, body_offset(d.text)) for d in documents), fast=True)
    translated = translation_links((row["id"], row["language"], row["text"]) for row in base)
    if translated:
        clustering = clustering.joined(translated, "translation")
    assigned, moves = splits.assign_clusters(clustering.cluster_of, previous_splits)
    folds = grouped_folds(clustering.cluster_of)
    rows = [dict(row) for row in base]  # id, language, url, title, source, published, text, entities, annotators…
    links = link(rows, actors)
    result = Layout([], [], [], [], links, {"expanded_spans": [], "tag_conflicts": [], "split_moves": moves})
    result.extra["copies"] = clustering.report()
    for row in rows:
        spans = [Span(e["start"], e["end"], e["label"], e["text"], kb_id=e["kb_id"]) for e in row["entities"]]
        analysis = analyse(row["text"], spans, row["language"])
        result.extra["expanded_spans"] += described(row["id"], analysis.expanded)
        result.extra["tag_conflicts"] += described(row["id"], analysis.conflicts)
        chars = analysis.sentence_chars()
        row.update(
            tokens=analysis.tokens,
            ner_tags=[tag_ids[t] for t in analysis.tags],
            split=assigned[row["id"]],
            cluster=clustering.cluster_of[row["id"]],
            sentences=[
                {"start": a, "end": b, "token_start": first, "token_end": end}
                for (a, b), (first, end) in zip(chars, analysis.sentences, strict=True)
            ],
            fold=folds[row["id"]],
        )
        result.rows.append(row)
        result.docs.append(analysis.doc)
        result.sentences.append(analysis.sentences)
        result.sentence_rows += sentence_rows(row, analysis.sentences, analysis.offsets)
    return result
