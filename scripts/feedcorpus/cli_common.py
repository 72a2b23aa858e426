"""Pieces every command shares: the --project-dir option, error reporting, the local server."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths


def project_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--project-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Project folder holding corpus/, schemas/ and annotations/.",
    )(func)


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into `Error: <file>: <record>: <what>` and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FeedcorpusError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def local_studio(project_dir: Path) -> Any:
    from feedcorpus.server import LocalStudio

    venv = os.environ.get("FEEDCORPUS_STUDIO_VENV") or project_dir / ".venv-studio"
    return LocalStudio(ProjectPaths(project_dir).studio_dir, Path(venv))
