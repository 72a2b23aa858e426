"""index.html: the dataset's figures, its charts, and the documents sorted by the errors of a prediction set."""

from __future__ import annotations

from collections import Counter

from feedcorpus.release.contracts import SPLITS
from feedcorpus.report import sections, svg
from feedcorpus.report.diff import ERRORS, DocumentErrors
from feedcorpus.report.layout import doc_href, esc, legend, link, num, page, table, td
from feedcorpus.report.model import ReportData

SPLIT_COLORS = {"train": "#4c78a8", "validation": "#f58518", "test": "#54a24b"}


def _splits(data: ReportData) -> list[str]:
    """The release's splits in the usual order, then any other split name the rows use."""
    used = {d.split for d in data.documents}
    return [s for s in SPLITS if s in used] + sorted(used - set(SPLITS))


def _per_split(counts: Counter[str], splits: list[str]) -> str:
    return ", ".join(f"{esc(split)} {counts[split]}" for split in splits)


def figures(data: ReportData) -> str:
    release, splits = data.release, _splits(data)
    documents = Counter(d.split for d in data.documents)
    entities = Counter({split: 0 for split in splits})
    for document in data.documents:
        entities[document.split] += len(document.entities)
    sources = sorted({d.source for d in data.documents if d.source})
    excluded = f"; {len(release.disputed)} left out as disputed" if release.disputed else ""
    items = [
        ("Version", esc(release.name)),
        ("Created", esc(release.created_at[:19].replace("T", " ")) + " UTC"),
        ("Release format", esc(release.release_format)),
        ("Sources", esc(", ".join(sources)) or "–"),
        ("Documents", f"{len(data.documents)} ({_per_split(documents, splits)})"),
        ("Entities", f"{sum(entities.values())} ({_per_split(entities, splits)})"),
        ("Tokens", str(sum(d.tokens for d in data.documents))),
        (
            "Label Studio tasks",
            f"{release.snapshot_tasks} in the snapshot{excluded} (gold policy: {esc(release.policy)})",
        ),
        ("Annotation passes", esc(", ".join(sorted(data.passes))) or "–"),
        ("Prediction sets", "<br>".join(esc(p.title) for p in data.predictions) or "–"),
        ("Disagreements", f'<a href="disagreements.html">{len(data.disagreements)} task(s)</a>'),
        ("Labels", legend(list(data.labels), data.colors)),
    ]
    notes = "".join(f"<li>{esc(note)}</li>" for note in data.notes)
    return (
        '<section id="figures"><h2>The dataset</h2><dl class="figures">'
        + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in items)
        + "</dl>"
        + (f'<ul class="note">{notes}</ul>' if notes else "")
        + "</section>"
    )


def entities_per_label(data: ReportData) -> str:
    splits = _splits(data)
    counts: dict[str, Counter[str]] = {split: Counter() for split in splits}
    for document in data.documents:
        counts[document.split].update(e.label for e in document.entities)
    labels = list(data.labels) + sorted({name for c in counts.values() for name in c} - set(data.labels))
    series = [
        svg.Series(split, SPLIT_COLORS.get(split, "#999"), tuple(float(counts[split][label]) for label in labels))
        for split in splits
    ]
    swatches = [data.colors.get(label, "#ddd") for label in labels]
    chart = svg.bars("Gold entities per label and split", labels, series, stacked=True, swatches=swatches)
    rows = [
        [
            td(esc(label)),
            *[num(counts[split][label]) for split in splits],
            num(sum(counts[split][label] for split in splits)),
        ]
        for label in labels
    ]
    rows.append(
        [
            td("<b>all</b>"),
            *[num(sum(counts[s].values())) for s in splits],
            num(sum(sum(c.values()) for c in counts.values())),
        ]
    )
    headers = ["label", *[esc(s) for s in splits], "total"]
    return (
        '<section id="entities"><h2>Entities per label and split</h2>'
        f"{chart}{table(headers, rows, table_id='entities-per-label', numeric=range(1, len(splits) + 2))}</section>"
    )


def documents_table(data: ReportData, ordered: list[DocumentErrors]) -> str:
    primary = data.primary
    if primary is None:
        scope = "No prediction set, so no error counts."
    else:
        scope = (
            f"Errors of <b>{esc(primary.title)}</b> against gold ({', '.join(ERRORS)}; see a document's "
            "diff view), most first. Click a column header to sort by it."
        )
    headers = ["document", "title", "split", "gold entities", "errors", *[esc(k) for k in ERRORS]]
    rows = []
    for item in ordered:
        document = item.document
        counts = (
            [num(item.errors)] + [num(item.kinds[k]) for k in ERRORS]
            if item.scored
            else [td("–", sort=-1, numeric=True) for _ in range(len(ERRORS) + 1)]
        )
        rows.append(
            [
                td(f'<a href="{doc_href(document.id)}">{esc(document.id)}</a>', sort=document.id, css="id"),
                td(esc(document.title)),
                td(esc(document.split)),
                num(len(document.entities)),
                *counts,
            ]
        )
    return (
        f'<section id="documents"><h2>Documents</h2><p class="note">{scope}</p>'
        f"{table(headers, rows, table_id='document-table', sortable=True, numeric=range(3, 5 + len(ERRORS)))}"
        "</section>"
    )


def render_index(data: ReportData, ordered: list[DocumentErrors]) -> str:
    body = "".join(
        [
            f"<h1>Release {esc(data.release.name)}</h1>",
            f'<p class="meta">A report on the gold release, the Label Studio snapshot it was built from and '
            f"{len(data.predictions)} prediction set(s). "
            f"{link('disagreements.html', 'Tasks where annotators disagree')}.</p>",
            figures(data),
            entities_per_label(data),
            sections.prediction_quality(data),
            sections.provenance(data),
            sections.agreement(data),
            sections.seen_unseen(data),
            documents_table(data, ordered),
        ]
    )
    return page(f"Release {data.release.name}: report", body, script=True)
