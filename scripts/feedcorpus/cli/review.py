"""`feedcorpus disputes` and `feedcorpus adjudicate`: adjudication without Label Studio Enterprise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from feedcorpus.cli.common import label_schema, local_studio, project_dir_option, reports_errors
from feedcorpus.errors import StudioError
from feedcorpus.paths import ProjectPaths

project_option = click.option(
    "--project", "title", default=None, help="Label Studio project title [default: feedcorpus news NER]."
)


def _connect(project_dir: Path, title: str | None) -> tuple[Any, Any]:
    from feedcorpus.studio.client import Studio
    from feedcorpus.studio.connection import resolve_connection
    from feedcorpus.studio.push import DEFAULT_PROJECT, find_project
    from feedcorpus.studio.state import PushState

    studio = Studio(resolve_connection(local_studio(project_dir)))
    title = title or DEFAULT_PROJECT
    project = find_project(studio, title, PushState(ProjectPaths(project_dir).studio_dir / "push-state.json"))
    if project is None:
        raise StudioError(f"no Label Studio project {title!r} at {studio.url}; run `feedcorpus push` first")
    return studio, project


@click.command()
@project_option
@project_dir_option
@reports_errors
def disputes(title: str | None, project_dir: Path) -> None:
    """List the tasks whose annotators disagree and that have no ground truth yet, with their links.

    These are the tasks `export` leaves out (--on-disagreement exclude). Open one, decide, and mark the
    annotation you keep with `feedcorpus adjudicate`; the next export takes it as gold.

    \b
    Example:
      feedcorpus disputes
      feedcorpus adjudicate 42 --take annotator-b
    """
    from feedcorpus.release.disputes import disputes as find
    from feedcorpus.release.snapshot import read_snapshot

    studio, project = _connect(project_dir, title)
    found = find(read_snapshot(studio.export_snapshot(project.id)), label_schema(ProjectPaths(project_dir)).names)
    for dispute in found:
        click.echo(dispute.summary(f"{studio.url}/projects/{project.id}/data?task={dispute.task_id}"))
    click.echo(f"{len(found)} disputed tasks in project {project.id} ({project.title})")


@click.command()
@click.argument("task_id", type=int)
@click.option(
    "--take",
    "annotator",
    default=None,
    metavar="ANNOTATOR",
    help="The annotator whose annotation wins (email or the part before @).",
)
@click.option("--annotation", "annotation_id", type=int, default=None, help="The id of the annotation that wins.")
@project_dir_option
@reports_errors
def adjudicate(task_id: int, annotator: str | None, annotation_id: int | None, project_dir: Path) -> None:
    """Make one annotation of a task its ground truth, so the next `export` takes it as gold.

    The other annotations of the task stop being ground truth; nothing is deleted, and agreement figures
    still compare the annotators' own passes.

    \b
    Example:
      feedcorpus adjudicate 42 --take annotator-b
      feedcorpus adjudicate 42 --annotation 317
    """
    from feedcorpus.studio.client import Studio
    from feedcorpus.studio.connection import resolve_connection
    from feedcorpus.studio.review import pick

    if (annotator is None) == (annotation_id is None):
        raise click.UsageError("give exactly one of --take ANNOTATOR and --annotation ID")
    studio = Studio(resolve_connection(local_studio(project_dir)))
    annotations = studio.task_annotations(task_id)
    try:
        chosen = pick(annotations, annotator=annotator, annotation_id=annotation_id)
    except ValueError as exc:
        raise StudioError(f"task {task_id}: {exc}") from exc
    for number, _, _ in annotations:
        studio.set_ground_truth(number, number == chosen)
    who = next(email for number, email, _ in annotations if number == chosen)
    click.echo(f"task {task_id}: annotation {chosen} by {who} is now the ground truth")
