"""What Label Studio's open-source edition leaves out, for an annotation team: each annotator's progress,
the guidelines as the project's instructions, choosing the annotation to make ground truth. Pure logic; the
CLI fetches through the client (disputed tasks themselves are gold logic: release.disputes)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from markdown_it import MarkdownIt


def instructions_html(guidelines: str) -> str:
    """The guidelines (Markdown) as the HTML Label Studio shows before labeling; raw HTML is not passed on."""
    return str(MarkdownIt("commonmark", {"html": False}).enable("table").render(guidelines))


@dataclass(frozen=True)
class Progress:
    annotator: str
    done: int
    skipped: int
    remaining: int


def progress(tasks: int, annotations: Iterable[tuple[str, bool]], annotators: Iterable[str]) -> list[Progress]:
    """Per annotator account: tasks done, skipped (cancelled) and left, from (annotator, cancelled) pairs."""
    done: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for name, cancelled in annotations:
        (skipped if cancelled else done)[name] += 1
    names = sorted(set(annotators) | set(done) | set(skipped))
    return [Progress(n, done[n], skipped[n], max(tasks - done[n] - skipped[n], 0)) for n in names]


def pick(annotations: list[tuple[int, str, bool]], *, annotator: str | None, annotation_id: int | None) -> int:
    """The annotation to make ground truth: by id, or the one annotator's (email, or its part before @)."""
    if annotation_id is not None:
        if annotation_id not in [a for a, _, _ in annotations]:
            raise ValueError(f"the task has no annotation {annotation_id}")
        return annotation_id
    matches = [a for a, email, cancelled in annotations if annotator in (email, email.split("@")[0]) and not cancelled]
    if len(matches) != 1:
        found = ", ".join(sorted({email for _, email, _ in annotations})) or "none"
        raise ValueError(f"{len(matches)} annotations by {annotator!r} in the task (annotators: {found})")
    return matches[0]
