"""Pre-annotation quality against the gold, and agreement between annotation passes. Pure logic."""

from __future__ import annotations

from feedcorpus import metrics
from feedcorpus.labels import LabelSchema
from feedcorpus.release.contracts import Agreement, Quality
from feedcorpus.release.gold import Resolution


def quality(resolution: Resolution, schema: LabelSchema) -> Quality:
    """P/R/F1 of every prediction set in the snapshot, and the agreement of the first two passes."""
    gold_spans = {d.doc_id: d.entities for d in resolution.documents}
    predictions = {
        version: metrics.compare(gold_spans, predicted, schema.names)
        for version, predicted in sorted(resolution.predictions.items())
    }
    agreement = None
    passes = sorted(resolution.passes)
    if len(passes) >= 2:
        first, second = passes[:2]
        shared = set(resolution.passes[first]) & set(resolution.passes[second])
        agreement = Agreement(
            (first, second),
            len(shared),
            metrics.compare(resolution.passes[first], resolution.passes[second], schema.names),
        )
    return Quality(predictions, agreement)
