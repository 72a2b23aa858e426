"""Where the project's data lives. Everything hangs off a project directory (default: the current one)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from feedcorpus.errors import FeedcorpusError


@dataclass(frozen=True)
class ProjectPaths:
    """The standard layout under a project directory (see README, "Data layout")."""

    root: Path

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def feeds(self) -> Path:
        return self.corpus / "feeds"

    @property
    def documents(self) -> Path:
        return self.corpus / "documents"

    @property
    def archive(self) -> Path:
        """Parquet shards of documents, for archives (split --store parquet)."""
        return self.corpus / "archive"

    @property
    def selections(self) -> Path:
        """Batches chosen by `feedcorpus select`, one file per round."""
        return self.corpus / "selections"

    @property
    def predictions(self) -> Path:
        return self.corpus / "predictions"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    @property
    def annotations(self) -> Path:
        return self.root / "annotations"

    @property
    def studio_dir(self) -> Path:
        """Local Label Studio data, credentials and pid file (git-ignored)."""
        return self.root / ".studio"

    def schema(self, name: str) -> Path:
        """A schema file: the project's own copy first, else the copy shipped inside the wheel."""
        own = self.schemas / name
        if own.exists():
            return own
        shipped = resources.files("feedcorpus").joinpath("_schemas", name)
        if shipped.is_file():
            return Path(str(shipped))
        source_tree = _source_checkout()
        if source_tree is not None and (source_tree / "schemas" / name).exists():
            return source_tree / "schemas" / name
        raise FeedcorpusError(f"schema file {name!r} not found in {self.schemas} nor in the installed package")


def _source_checkout() -> Path | None:
    """The repository an editable install runs from, recognised by its pyproject naming feedcorpus."""
    for parent in Path(__file__).resolve().parents:
        pyproject = parent / "pyproject.toml"
        if pyproject.exists() and 'name = "feedcorpus"' in pyproject.read_text(encoding="utf-8"):
            return parent
    return None
