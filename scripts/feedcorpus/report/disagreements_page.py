"""disagreements.html: every task whose annotations differ, their spans side by side, and the gold decision.

One row per span position (bounds) where the columns differ, one column per submitted annotation; the
gold column is added when the gold is not itself one of the columns (a ground-truth annotation is).
"""

from __future__ import annotations

from collections.abc import Sequence

from feedcorpus.report.layout import chip, doc_href, esc, link, num, page, studio_link, table, td
from feedcorpus.report.model import Disagreement, ReportData
from feedcorpus.spans import Span

CONTEXT = 40
DECISIONS = {
    "ground_truth": "Gold: the ground-truth annotation (the column marked ground truth); the release uses it.",
    "latest": "Gold: the most recently updated annotation (release policy “latest”).",
    "excluded": "No gold: left out of the release, since the annotations disagree and none is ground truth.",
}


def _labels_at(spans: Sequence[Span]) -> dict[tuple[int, int], list[str]]:
    found: dict[tuple[int, int], list[str]] = {}
    for span in spans:
        found.setdefault((span.start, span.end), []).append(span.label)
    return {bounds: sorted(labels) for bounds, labels in found.items()}


def _context(text: str, start: int, end: int) -> str:
    before = ("…" if start > CONTEXT else "") + text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT] + ("…" if end + CONTEXT < len(text) else "")
    inline = [part.replace("\n", " ") for part in (before, text[start:end], after)]
    return f'<span class="context">{esc(inline[0])}<b>{esc(inline[1])}</b>{esc(inline[2])}</span>'


def columns(item: Disagreement) -> list[tuple[str, Sequence[Span]]]:
    """(heading, spans) per column: each annotation, then the gold when it is not a ground-truth column."""
    found: list[tuple[str, Sequence[Span]]] = []
    seen: dict[str, int] = {}
    for annotation in item.annotations:
        seen[annotation.heading] = seen.get(annotation.heading, 0) + 1
        suffix = f" #{annotation.annotation_id}" if seen[annotation.heading] > 1 else ""
        found.append((annotation.heading + suffix, annotation.spans))
    if item.gold is not None and item.decision != "ground_truth":
        found.append((f"gold ({item.decision})", item.gold))
    return found


def differing_rows(item: Disagreement) -> tuple[list[tuple[int, int]], int]:
    """Span positions where the columns differ, in text order, and how many all columns share."""
    cells = [_labels_at(spans) for _, spans in columns(item)]
    bounds = sorted({b for column in cells for b in column})
    differ = [b for b in bounds if len({tuple(column.get(b, [])) for column in cells}) > 1]
    return differ, len(bounds) - len(differ)


def _task_section(item: Disagreement, data: ReportData, released: set[str]) -> str:
    heads = columns(item)
    cells = [_labels_at(spans) for _, spans in heads]
    differ, shared = differing_rows(item)
    rows = []
    for start, end in differ:
        row = [td(_context(item.text, start, end)), td(f"{start}–{end}", sort=start, numeric=True)]
        for column in cells:
            labels = column.get((start, end))
            row.append(
                td(
                    " ".join(chip(label, data.colors.get(label, "#ddd")) for label in labels)
                    if labels
                    else '<span class="absent">–</span>'
                )
            )
        rows.append(row)
    headers = ["span in context", "offsets", *[f"{esc(h)}<br><small>{len(s)} spans</small>" for h, s in heads]]
    title = esc(item.title)
    heading = f'<a href="{doc_href(item.doc_id)}">{title}</a>' if item.doc_id in released else title
    studio = studio_link(data.studio_url, item.project_id, item.task_id)
    where = [esc(item.doc_id), f"task {item.task_id}"]
    if studio:
        where.append(link(studio, "open in Label Studio", external=True))
    decision = DECISIONS.get(item.decision, f"Gold: resolved by {esc(item.decision)}.")
    return (
        f'<section id="task-{item.task_id}" class="disagreement"><h2>{heading}</h2>'
        f'<p class="meta">{" · ".join(where)}</p><p><b>{esc(decision)}</b></p>'
        f'{table(headers, rows)}<p class="note">{shared} span(s) on which every column agrees are not listed.'
        "</p></section>"
    )


def render_disagreements(data: ReportData) -> str:
    released = {d.id for d in data.documents}
    items = data.disagreements
    summary_rows = []
    for item in items:
        differ, _ = differing_rows(item)
        summary_rows.append(
            [
                td(f'<a href="#task-{item.task_id}">{item.task_id}</a>', sort=item.task_id, numeric=True),
                td(esc(item.doc_id)),
                td(esc(", ".join(a.heading for a in item.annotations))),
                num(len(differ)),
                td(esc(item.decision.replace("_", " "))),
            ]
        )
    intro = (
        '<h1>Disagreements</h1><p class="meta">Tasks of the Label Studio snapshot whose submitted annotations '
        "do not all have the same spans (bounds and label), with each annotation's labels where they differ. "
        "Gold decision: ground truth wins, else the release's policy "
        f"(“{esc(data.release.policy)}”).</p>"
    )
    if not items:
        return page(
            "Disagreements", intro + "<section><p>No disagreement: every task's annotations agree.</p></section>"
        )
    headers = ["task", "document", "annotations", "differing spans", "decision"]
    summary = table(headers, summary_rows, table_id="disagreement-table", sortable=True, numeric=[0, 3])
    body = intro + f"<section><h2>{len(items)} task(s)</h2>{summary}</section>"
    body += "".join(_task_section(item, data, released) for item in items)
    return page("Disagreements", body, script=True)
