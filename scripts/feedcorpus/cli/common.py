"""Pieces every command shares: the --project-dir option, error reporting, the project's stores."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from feedcorpus.errors import DocumentError, FeedcorpusError, ReleaseError
from feedcorpus.labels import LabelSchema, load_label_schema, yaml_problem
from feedcorpus.paths import ProjectPaths

F = TypeVar("F", bound=Callable[..., Any])


def project_dir_option(func: F) -> F:
    return click.option(
        "--project-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Project folder holding corpus/, schemas/ and annotations/.",
    )(func)


def reports_errors(func: F) -> F:
    """Turn library errors and failed file operations into `Error: <file>: <record>: <what>` and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FeedcorpusError as exc:
            raise click.ClickException(terminal_safe(str(exc))) from exc
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(terminal_safe(f"{where}{exc.strerror or exc}")) from exc

    return wrapper  # type: ignore[return-value]


# C0 and C1 controls, line and paragraph separators, bidi embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """A message with feed text in it (a guid, a title, a file name) as the terminal should show it: every
    control character becomes its visible escape (\\x1b, \\n, \\u202e), so an escape sequence in a feed
    cannot retitle the window, move the cursor or hide a line, and cannot start a forged message line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def echo_err(message: str) -> None:
    """One message line on stderr (warnings, skipped items, errors), feed text in it made inert."""
    click.echo(terminal_safe(message), err=True)


def label_schema(paths: ProjectPaths) -> LabelSchema:
    return load_label_schema(paths.schema("labels.yaml"))


def store_option(func: F) -> F:
    return click.option(
        "--store",
        type=click.Choice(["auto", "json", "parquet"]),
        default="auto",
        show_default=True,
        help="Where the documents are: corpus/documents (json) or the corpus/archive shards (parquet); auto "
        "takes the archive when there is no documents folder.",
    )(func)


def document_store(paths: ProjectPaths, choice: str = "auto") -> Any:
    """The project's document store, JSON folder or Parquet archive, behind one interface."""
    from feedcorpus.stores.archive import ArchiveStore
    from feedcorpus.stores.documents import JsonDocumentStore

    if choice == "parquet" or (choice == "auto" and paths.archive.is_dir() and not paths.documents.is_dir()):
        return ArchiveStore(paths.archive)
    return JsonDocumentStore(paths.documents)


def corpus_documents(paths: ProjectPaths, choice: str = "auto") -> list[Any]:
    """The corpus's documents; an empty corpus is an error (nothing to annotate or push)."""
    store = document_store(paths, choice)
    documents = store.documents()
    if not documents:
        raise DocumentError("no documents; run `feedcorpus split FEED…` first", path=store.folder)
    return list(documents)


def local_studio(project_dir: Path) -> Any:
    from feedcorpus.studio.local_server import LocalStudio

    venv = os.environ.get("FEEDCORPUS_STUDIO_VENV") or project_dir / ".venv-studio"
    return LocalStudio(ProjectPaths(project_dir).studio_dir, Path(venv))


def card_settings(paths: ProjectPaths) -> dict[str, Any]:
    """annotations/release.yaml: the card's wording for this corpus (empty when there is none)."""
    path = paths.annotations / "release.yaml"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ReleaseError(f"not valid YAML ({yaml_problem(exc)})", path=path) from exc
    if not isinstance(data, dict):
        raise ReleaseError("expected a mapping of card settings", path=path)
    return data


def relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


def actor_lookup(source: bytes, paths: ProjectPaths) -> Any:
    """The release's view of an actor registry (annotate.registry) given its YAML: alias matching and names."""
    import json

    from feedcorpus.annotate.registry import parse_registry
    from feedcorpus.release.actors import ActorLookup

    schema = json.loads(paths.schema("actors.schema.json").read_text("utf-8"))
    registry = parse_registry(source.decode("utf-8"), schema, origin="actors.yaml")
    names = {actor.id: (actor.name, actor.acled_name) for actor in registry.actors}
    return ActorLookup(registry.match, names, source)


def project_actors(paths: ProjectPaths) -> Any:
    """The lookup for the project's current registry, schemas/actors.yaml."""
    return actor_lookup(paths.schema("actors.yaml").read_bytes(), paths)
