"""corpus/selections/selection-NNN.json: the batches `select` chose, one file per round, never rewritten.

Earlier rounds are what a new round must not choose again, and what counts against the tasks a Label Studio
project should hold (MAX_TASKS)."""

from __future__ import annotations

import re
from pathlib import Path

from feedcorpus.errors import FeedcorpusError
from feedcorpus.fileio import read_json, write_json
from feedcorpus.selections import Selection

NAME = re.compile(r"^selection-(\d{3,})\.json$")


class SelectionStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def paths(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted((p for p in self.folder.iterdir() if NAME.match(p.name)), key=lambda p: int(p.name[10:-5]))

    def next_path(self) -> Path:
        numbers = [int(m.group(1)) for p in self.paths() if (m := NAME.match(p.name))]
        return self.folder / f"selection-{max(numbers, default=0) + 1:03d}.json"

    @staticmethod
    def read(path: Path) -> Selection:
        try:
            return Selection.from_json(read_json(path))
        except (OSError, ValueError) as exc:
            raise FeedcorpusError(f"cannot read the selection ({exc})", path=path) from exc
        except FeedcorpusError as exc:
            raise FeedcorpusError(exc.message, path=path) from exc

    def selected(self) -> set[str]:
        """Every document chosen by an earlier round."""
        return {doc_id for path in self.paths() for doc_id in self.read(path).ids}

    def write(self, selection: Selection, path: Path | None = None) -> Path:
        """A new round's file (atomically); an existing file is never overwritten."""
        target = path or self.next_path()
        if target.exists():
            raise FeedcorpusError("exists already; a selection is never overwritten", path=target)
        write_json(target, selection.to_json())
        return target
