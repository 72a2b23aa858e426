"""docs/<id>.html: a document's gold entities, each prediction set, and each set's diff against gold.

The text is rendered by spaCy's displaCy (`style="ent"`, manual mode), which escapes the text and the
entities' text but not labels or titles: labels are escaped here and titles never go through displaCy.
displaCy cannot draw overlapping spans; an overlapping one is left out and counted under the view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from feedcorpus import metrics
from feedcorpus.report.diff import ERRORS, KIND_COLORS, KIND_HELP, KINDS, DiffItem, DocumentErrors, counts, diff
from feedcorpus.report.layout import chip, doc_href, esc, legend, link, page, safe_url, studio_link, table, td
from feedcorpus.report.model import PredictionSet, ReportData, ReportDocument
from feedcorpus.spans import Span

UNKNOWN_COLOR = "#dddddd"


def displacy_html(text: str, marks: Sequence[tuple[int, int, str]], colors: Mapping[str, str]) -> str:
    """Text with marked spans through displaCy; returns the HTML and notes spans it could not draw."""
    from spacy import displacy

    ents: list[dict[str, Any]] = []
    palette: dict[str, str] = {}
    end, hidden = 0, 0
    for start, stop, label in sorted(marks):
        if start < end:
            hidden += 1
            continue
        shown = esc(label)  # displaCy puts labels into its markup as they are
        ents.append({"start": start, "end": stop, "label": shown})
        palette[shown.upper()] = colors.get(label, UNKNOWN_COLOR)
        end = stop
    options = {"colors": palette, "ents": sorted(palette)}
    markup = displacy.render({"text": text, "ents": ents}, style="ent", manual=True, options=options)
    note = f'<p class="note">{hidden} overlapping span(s) not drawn.</p>' if hidden else ""
    return str(markup) + note


def _spans_view(document: ReportDocument, spans: Sequence[Span], colors: Mapping[str, str]) -> str:
    return displacy_html(document.text, [(s.start, s.end, s.label) for s in spans], colors)


def _describe(span: Span | None) -> str:
    if span is None:
        return '<span class="absent">–</span>'
    return f"{esc(span.text)} <small>[{span.start}:{span.end})</small> <b>{esc(span.label)}</b>"


def _diff_view(document: ReportDocument, items: list[DiffItem]) -> str:
    colors = {item.mark: KIND_COLORS[item.kind] for item in items}
    marks = [(item.shown.start, item.shown.end, item.mark) for item in items]
    found = counts(items)
    kinds = "".join(f"<li>{chip(kind, KIND_COLORS[kind])} {found[kind]}: {esc(KIND_HELP[kind])}</li>" for kind in KINDS)
    errors = [item for item in items if item.kind in ERRORS]
    rows = [
        [
            td(chip(item.kind, KIND_COLORS[item.kind]), sort=item.kind),
            td(_describe(item.predicted)),
            td("<br>".join(_describe(g) for g in item.gold) or _describe(None)),
        ]
        for item in errors
    ]
    listing = table(["kind", "predicted", "gold"], rows) if rows else "<p>No errors.</p>"
    return (
        f'<ul class="kinds">{kinds}</ul><div class="diff">{displacy_html(document.text, marks, colors)}</div>'
        f"<details open><summary>{len(errors)} error(s), in text order</summary>{listing}</details>"
    )


def _prediction_section(number: int, item: PredictionSet, document: ReportDocument, data: ReportData) -> str:
    head = f'<section id="set-{number}" class="prediction-set"><h2>{esc(item.title)}</h2>'
    predicted = item.spans.get(document.id)
    if predicted is None:
        why = "were made for another version of its text" if document.id in item.stale else "do not include it"
        return f'{head}<p class="note">No predictions: this set\'s predictions {why}.</p></section>'
    scores = metrics.compare({document.id: list(document.entities)}, {document.id: list(predicted)}, [])
    overall = scores["overall"]
    items = diff(document.entities, predicted)
    chosen = " (the set the index's error counts use)" if number == 0 else ""
    return (
        f"{head}<p>{len(predicted)} predicted span(s); on this document P {overall.precision:.3f}, "
        f"R {overall.recall:.3f}, F1 {overall.f1:.3f}{chosen}.</p>"
        f"<h3>Diff against gold</h3>{_diff_view(document, items)}"
        f"<details><summary>Predictions as made</summary>{_spans_view(document, predicted, data.colors)}</details>"
        "</section>"
    )


def _nav(ordered: list[DocumentErrors], position: int) -> str:
    parts = ['<a href="../index.html#documents">← all documents</a>']
    if position > 0:
        before = ordered[position - 1].document
        parts.append(f'<a href="{doc_href(before.id, prefix="")}" rel="prev">← previous: {esc(before.id)}</a>')
    if position + 1 < len(ordered):
        after = ordered[position + 1].document
        parts.append(f'<a href="{doc_href(after.id, prefix="")}" rel="next">next: {esc(after.id)} →</a>')
    where = f"document {position + 1} of {len(ordered)}, in the index's order (most errors first)"
    return f'<p class="pager">{" · ".join(parts)} <span class="note">({where})</span></p>'


def render_document(data: ReportData, ordered: list[DocumentErrors], position: int) -> str:
    document = ordered[position].document
    article = safe_url(document.url)
    studio = studio_link(data.studio_url, document.project_id, document.task_id)
    meta = [esc(document.id), f"split {esc(document.split)}"]
    if document.source:
        meta.append(esc(document.source))
    if article:
        meta.append(link(article, "article", external=True))
    if document.task_id is not None:
        meta.append(
            link(studio, f"open task {document.task_id} in Label Studio", external=True)
            if studio
            else f"Label Studio task {document.task_id}"
        )
    body = "".join(
        [
            _nav(ordered, position),
            f'<h1>{esc(document.title)}</h1><p class="meta">{" · ".join(meta)}</p>',
            f'<section id="gold"><h2>Gold: {len(document.entities)} entities</h2>',
            f"<p>{legend(list(data.labels), data.colors)}</p>",
            _spans_view(document, document.entities, data.colors),
            "</section>",
            *[_prediction_section(i, item, document, data) for i, item in enumerate(data.predictions)],
            _nav(ordered, position),
        ]
    )
    return page(f"{document.title} ({document.id})", body, root="../")
