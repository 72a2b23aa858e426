"""Disputed tasks: annotators disagree and no annotation is ground truth yet, so `export` leaves them out.

Label Studio's open-source edition has no adjudication view; `feedcorpus disputes` lists these and
`feedcorpus adjudicate` marks the chosen annotation as ground truth, which gold resolution then takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from feedcorpus.release import gold
from feedcorpus.release.snapshot import Snapshot
from feedcorpus.spans import Span


@dataclass(frozen=True)
class Dispute:
    task_id: int
    doc_id: str
    passes: dict[str, list[Span]]  # annotator → spans

    @property
    def differing(self) -> int:
        """Spans not every annotator has (bounds and label)."""
        sets = [frozenset(s.key for s in spans) for spans in self.passes.values()]
        if not sets:
            return 0
        return len(frozenset().union(*sets) - sets[0].intersection(*sets[1:]))

    def summary(self, link: str | None = None) -> str:
        who = ", ".join(f"{name} {len(spans)} spans" for name, spans in sorted(self.passes.items()))
        where = f" — {link}" if link else ""
        head = f"task {self.task_id} ({self.doc_id}): {len(self.passes)} annotators disagree on {self.differing} spans"
        return f"{head} ({who}){where}"


def disputes(snapshot: Snapshot, labels: Iterable[str]) -> list[Dispute]:
    """Tasks whose annotators disagree and that have no ground truth yet (what `export` leaves out)."""
    resolution = gold.resolve(snapshot, labels, policy="exclude")
    task_of = {str(t.data.get("doc_id")): t.id for t in snapshot.tasks}
    return [
        Dispute(
            task_of[doc_id], doc_id, {name: docs[doc_id] for name, docs in resolution.passes.items() if doc_id in docs}
        )
        for doc_id in resolution.disputed
    ]
