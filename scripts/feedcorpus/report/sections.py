"""The index's measured sections: prediction quality, provenance, agreement, seen/unseen mentions.

Each section is an SVG chart and the same figures as a table. Scores are recomputed from the spans with
`metrics.compare` (for the snapshot's sets they equal the manifest's `counts.quality`), so a prediction set
from corpus/predictions is scored the same way.
"""

from __future__ import annotations

from itertools import combinations

from feedcorpus import metrics
from feedcorpus.report import svg
from feedcorpus.report.layout import esc, num, table, td
from feedcorpus.report.model import PredictionSet, ReportData
from feedcorpus.spans import Span

SCORE_COLORS = {"precision": "#4c78a8", "recall": "#f58518", "f1": "#54a24b"}
PROVENANCE_HELP = {
    "accepted": ("#54a24b", "kept as predicted"),
    "relabeled": ("#eeca3b", "same bounds, label changed"),
    "resized": ("#f58518", "bounds changed"),
    "added": ("#4c78a8", "no prediction there"),
    "rejected": ("#e45756", "predictions the annotator deleted"),
}


def _active(scores: dict[str, metrics.Score], labels: tuple[str, ...]) -> list[str]:
    return [label for label in labels if scores[label].tp + scores[label].fp + scores[label].fn]


def prediction_quality(data: ReportData) -> str:
    """P/R/F1 per label of every prediction set against the release's gold."""
    reference = {d.id: list(d.entities) for d in data.documents}
    head = '<section id="quality"><h2>Prediction sets against gold</h2>'
    if not data.predictions:
        return f'{head}<p class="note">No prediction set.</p></section>'
    parts = [
        head,
        '<p class="note">Entity-level precision, recall and F1 per label: a prediction counts only with the '
        "same bounds and label as a gold entity. The first set is the one the document table and the diff "
        "views use.</p>",
    ]
    for item in data.predictions:
        parts.append(_one_set(item, reference, data.labels))
    parts.append("</section>")
    return "".join(parts)


def _one_set(item: PredictionSet, reference: dict[str, list[Span]], labels: tuple[str, ...]) -> str:
    candidate = {doc: list(spans) for doc, spans in item.spans.items()}
    scores = metrics.compare(reference, candidate, labels)
    shown = _active(scores, labels)
    overall = scores["overall"]
    series = [
        svg.Series(name, color, tuple(getattr(scores[label], name) for label in shown))
        for name, color in SCORE_COLORS.items()
    ]
    chart = svg.bars(f"P / R / F1 per label: {item.title}", shown, series, fmt=svg.ratio, maximum=1.0)
    rows = [
        [
            td(esc(name)),
            num(s.precision, digits=3),
            num(s.recall, digits=3),
            num(s.f1, digits=3),
            num(s.tp + s.fn),
            num(s.tp),
            num(s.fp),
            num(s.fn),
        ]
        for name, s in [("overall", overall), *((label, scores[label]) for label in shown)]
    ]
    headers = ["label", "P", "R", "F1", "gold", "tp", "fp", "fn"]
    return (
        f"<h3>{esc(item.title)}</h3><p>{len(set(reference) & set(candidate))} of {len(reference)} documents; "
        f"overall P {overall.precision:.3f}, R {overall.recall:.3f}, <b>F1 {overall.f1:.3f}</b>.</p>"
        f"{chart}<details><summary>Table</summary>{table(headers, rows, numeric=range(1, 8))}</details>"
    )


def provenance(data: ReportData) -> str:
    """What annotators did with the predictions they corrected (manifest `counts.provenance`)."""
    counts = data.release.provenance
    if not counts:
        return ""
    names = [name for name in PROVENANCE_HELP if name in counts] + [n for n in counts if n not in PROVENANCE_HELP]
    colors = [PROVENANCE_HELP.get(name, ("#999", ""))[0] for name in names]
    values = tuple(float(counts[name]) for name in names)
    chart = svg.bars(
        "Gold entities by provenance, and rejected predictions",
        names,
        [svg.Series("entities", "#607d8b", values, tuple(colors))],
    )
    rows = [[td(esc(name)), td(esc(PROVENANCE_HELP.get(name, ("", ""))[1])), num(counts[name])] for name in names]
    return (
        '<section id="provenance"><h2>Provenance</h2><p class="note">Each gold entity compared with the '
        "prediction its annotation was corrected from.</p>"
        f"{chart}{table(['provenance', 'meaning', 'count'], rows, numeric=[2])}</section>"
    )


def agreement(data: ReportData) -> str:
    """Entity-level F1 between every pair of annotation passes, per label (ground truth excluded)."""
    names = sorted(data.passes)
    pairs = list(combinations(names, 2))
    if not pairs:
        who = f" (only {esc(names[0])})" if names else ""
        return (
            f'<section id="agreement"><h2>Agreement</h2><p class="note">Fewer than two annotation passes'
            f"{who}: no agreement to measure.</p></section>"
        )
    results = []
    for first, second in pairs:
        a = {d: list(s) for d, s in data.passes[first].items()}
        b = {d: list(s) for d, s in data.passes[second].items()}
        results.append((f"{first} × {second}", len(set(a) & set(b)), metrics.compare(a, b, data.labels)))
    columns = ["overall", *[label for label in data.labels if any(_active(r[2], (label,)) for r in results)]]
    values = [[s[c].f1 if s[c].tp + s[c].fp + s[c].fn else None for c in columns] for _, _, s in results]
    tips = [
        [f"{name}, {c}: F1 {s[c].f1:.3f} ({s[c].tp} shared, {s[c].fp + s[c].fn} on one side only)" for c in columns]
        for name, _, s in results
    ]
    chart = svg.heatmap(
        "Agreement F1 per annotator pair and label", [r[0] for r in results], columns, values, tips=tips
    )
    rows = [
        [
            td(esc(name)),
            num(docs),
            num(s["overall"].f1, digits=3),
            num(s["overall"].tp),
            num(s["overall"].fp + s["overall"].fn),
        ]
        for name, docs, s in results
    ]
    headers = ["pair", "documents both annotated", "F1", "shared entities", "entities on one side only"]
    return (
        '<section id="agreement"><h2>Agreement between annotators</h2><p class="note">Entity-level F1 of '
        "one pass against the other (same bounds and label), on the documents both annotated; ground-truth "
        "(adjudication) annotations are not passes. A dash: neither annotated that label.</p>"
        f"{chart}{table(headers, rows, numeric=range(1, 5))}</section>"
    )


def seen_unseen(data: ReportData) -> str:
    """Held-out mentions seen in train or not (format-2 releases: manifest `counts.overlap`)."""
    overlap = data.release.overlap
    if not overlap:
        return ""
    splits = [o.split for o in overlap]
    series = [
        svg.Series("seen in train", "#9d755d", tuple(float(o.seen) for o in overlap)),
        svg.Series("unseen", "#b279a2", tuple(float(o.unseen) for o in overlap)),
    ]
    chart = svg.bars("Held-out mentions seen / unseen in train", splits, series, stacked=True)
    rows = [
        [
            td(esc(o.split)),
            num(o.mentions),
            num(o.seen),
            num(o.unseen),
            td(f"{o.seen / o.mentions:.1%}" if o.mentions else "–", sort=o.seen / max(o.mentions, 1), numeric=True),
            td(f"{o.ngram_share:.2%}", sort=o.ngram_share, numeric=True),
        ]
        for o in overlap
    ]
    headers = ["split", "mentions", "seen", "unseen", "seen share", "8-gram share with train"]
    return (
        '<section id="overlap"><h2>Seen and unseen mentions</h2><p class="note">A mention is seen when its '
        "(text, label) also occurs in the train split: memorised names against generalisation.</p>"
        f"{chart}{table(headers, rows, numeric=range(1, 6))}</section>"
    )
