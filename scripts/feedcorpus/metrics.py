"""Entity-level precision, recall and F1 (exact span and label), overall and per label. Pure logic."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from feedcorpus.spans import Span

Key = tuple[str, int, int, str]  # doc id, start, end, label


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.tp + self.fn,
        }


def keys(spans_by_doc: Mapping[str, Iterable[Span]], docs: Iterable[str] | None = None) -> set[Key]:
    wanted = set(spans_by_doc) if docs is None else set(docs)
    return {(d, *s.key) for d, spans in spans_by_doc.items() if d in wanted for s in spans}


def score(reference: set[Key], candidate: set[Key], labels: Iterable[str]) -> dict[str, Score]:
    """'overall' plus one Score per label; reference plays gold, candidate plays prediction."""
    both = reference & candidate
    result = {"overall": Score(len(both), len(candidate) - len(both), len(reference) - len(both))}
    tp = Counter(key[3] for key in both)
    ref = Counter(key[3] for key in reference)
    cand = Counter(key[3] for key in candidate)
    for label in labels:
        result[label] = Score(tp[label], cand[label] - tp[label], ref[label] - tp[label])
    return result


def compare(
    reference: Mapping[str, Iterable[Span]], candidate: Mapping[str, Iterable[Span]], labels: Iterable[str]
) -> dict[str, Score]:
    """Score candidate against reference on the documents both have."""
    shared = set(reference) & set(candidate)
    return score(keys(reference, shared), keys(candidate, shared), list(labels))


def table(scores: Mapping[str, Score]) -> str:
    rows = [f"{'label':<12} {'P':>6} {'R':>6} {'F1':>6} {'support':>8}"]
    for name, s in scores.items():
        if name != "overall" and s.tp + s.fp + s.fn == 0:
            continue
        rows.append(f"{name:<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp + s.fn:8d}")
    return "\n".join(rows)


def seen_unseen(
    reference: Mapping[str, Iterable[Span]],
    candidate: Mapping[str, Iterable[Span]],
    seen: set[tuple[str, str]],
    docs: Iterable[str],
) -> dict[str, Score]:
    """Overall scores on the given documents, separately for mentions whose (text, label) was seen in training
    and for the others (WNUT-17's seen/unseen split): memorised names against generalisation."""
    wanted = set(docs) & set(reference) & set(candidate)
    result = {}
    for name, keep in (("seen", True), ("unseen", False)):
        ref = {(d, *s.key) for d in wanted for s in reference[d] if ((s.text, s.label) in seen) is keep}
        cand = {(d, *s.key) for d in wanted for s in candidate[d] if ((s.text, s.label) in seen) is keep}
        both = ref & cand
        result[name] = Score(len(both), len(cand) - len(both), len(ref) - len(both))
    return result
