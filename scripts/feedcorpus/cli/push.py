"""`feedcorpus push`: documents and predictions → Label Studio tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from feedcorpus.cli.common import (
    corpus_documents,
    echo_err,
    label_schema,
    local_studio,
    project_dir_option,
    reports_errors,
    store_option,
)
from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths


@click.command()
@click.option("--project", "title", default=None, help="Label Studio project title [default: feedcorpus news NER].")
@click.option(
    "--predictions",
    "model_version",
    default=None,
    metavar="MODEL_VERSION",
    help="Which corpus/predictions/<MODEL_VERSION>.jsonl to attach [default: the only one there].",
)
@click.option("--no-predictions", is_flag=True, help="Push documents without pre-annotations.")
@click.option(
    "--batch-size", type=click.IntRange(1, 50_000), default=500, show_default=True, help="Tasks per import request."
)
@click.option(
    "--update-config",
    is_flag=True,
    help="Replace the project's labeling config when it differs (needed when it lacks labels the predictions use).",
)
@click.option(
    "--dedupe",
    is_flag=True,
    help="Delete duplicate tasks of a document that have no annotations (the oldest, or the annotated one, stays).",
)
@click.option(
    "--selection",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Push exactly the documents of this file from `feedcorpus select` (with the predictions it scored).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be pushed; change nothing on the server.")
@store_option
@project_dir_option
@reports_errors
def push(
    title: str | None,
    model_version: str | None,
    no_predictions: bool,
    batch_size: int,
    update_config: bool,
    dedupe: bool,
    selection: Path | None,
    dry_run: bool,
    store: str,
    project_dir: Path,
) -> None:
    """Push documents with their pre-annotations to Label Studio as tasks.

    Creates the project (labeling config generated from schemas/labels.yaml, with a hotkey per label; the
    guidelines, schemas/guidelines.md, as the instructions shown before labeling) or finds it again; tasks
    carry title, source, published and URL for the Data Manager's columns. Idempotent:
    only documents not yet in the project are imported (matched by doc_id); a new model version adds
    predictions to existing tasks, never duplicate tasks, and tasks missing predictions get them. Pushes to one
    project from this folder run one at a time (a lock released even on a crash); duplicates already on the
    server are reported with their task ids. A labeling config that lacks labels the predictions use is
    refused unless --update-config. An interrupted push can simply be run again. Uses the local server
    unless LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY are set.

    \b
    Example:
      feedcorpus push
      feedcorpus push --project "Mali NER" --dry-run
      feedcorpus push --selection corpus/selections/selection-001.json
    """
    from feedcorpus.labels import label_config_xml
    from feedcorpus.stores.predictions import PredictionStore
    from feedcorpus.studio import push as stage
    from feedcorpus.studio.client import Studio
    from feedcorpus.studio.connection import resolve_connection
    from feedcorpus.studio.lock import PushLock
    from feedcorpus.studio.review import instructions_html
    from feedcorpus.studio.state import PushState

    paths = ProjectPaths(project_dir)
    schema = label_schema(paths)
    if selection is not None:
        documents, model_version = selected_documents(paths, selection, store, model_version)
    else:
        documents = corpus_documents(paths, store)
    saved = PredictionStore(paths.predictions)
    only = {d.id for d in documents}
    predictions = {} if no_predictions else saved.read(saved.choose(model_version), only=only)
    connection = resolve_connection(local_studio(project_dir))
    report = stage.push(
        Studio(connection),
        documents,
        predictions,
        schema,
        label_config_xml(schema),
        title=title or stage.DEFAULT_PROJECT,
        instructions=instructions_html(paths.schema("guidelines.md").read_text("utf-8")),
        state=PushState(paths.studio_dir / "push-state.json"),
        lock=PushLock(paths.studio_dir / "locks"),
        on_wait=lambda pid: echo_err(f"waiting for another push to this project (pid {pid or '?'}) to finish…"),
        batch_size=batch_size,
        update_config=update_config,
        dedupe=dedupe,
        dry_run=dry_run,
    )
    if report.config_differs and not report.config_updated:
        echo_err(
            "Warning: the project's labeling config differs from schemas/labels.yaml; "
            "re-run with --update-config to replace it"
        )
    removed = set(report.removed_duplicates)
    for doc_id, task_ids in report.duplicates.items():
        left = [t for t in task_ids if t not in removed]
        gone = [t for t in task_ids if t in removed]
        if len(left) > 1:
            ids = ", ".join(map(str, task_ids))
            echo_err(f"Warning: document {doc_id} is in the project {len(task_ids)} times: tasks {ids} (--dedupe)")
        elif gone:
            echo_err(f"Removed duplicate tasks {', '.join(map(str, gone))} of {doc_id}; task {left[0]} stays")
    verb = "would push" if dry_run else "pushed"
    click.echo(
        f"{verb} {report.pushed} tasks, {report.already_present} already in the project, "
        f"{report.predictions_added} predictions added to existing tasks"
        + (f", {report.without_predictions} documents without predictions" if report.without_predictions else "")
        + (f", {report.retries} retries" if report.retries else "")
    )
    if report.instructions_updated:
        echo_err("Updated the project's instructions from schemas/guidelines.md")
    if report.project_url:
        total = report.pushed + report.already_present
        click.echo(f"project: {report.project_url} ({total} tasks for annotators)")


def selected_documents(
    paths: ProjectPaths, file: Path, choice: str, model_version: str | None
) -> tuple[list[Any], str | None]:
    """The documents a selection names, exactly, from either store; each must still have the text it was
    chosen on. Returns them with the model version to push (the one given, else the selection's)."""
    from feedcorpus.cli.common import document_store
    from feedcorpus.stores.selections import SelectionStore

    chosen = SelectionStore.read(file)
    store = document_store(paths, chosen.store if choice == "auto" else choice)
    found = store.get_many(chosen.ids)
    missing = [doc_id for doc_id in chosen.ids if doc_id not in found]
    if missing:
        raise FeedcorpusError(f"{len(missing)} selected documents are not in {store.folder}: {', '.join(missing[:5])}",
                              path=file)  # fmt: skip
    changed = [c.doc_id for c in chosen.documents if c.sha256 and found[c.doc_id].sha256 != c.sha256]
    if changed:
        raise FeedcorpusError(
            f"{len(changed)} selected documents changed since they were chosen ({', '.join(changed[:5])}); "
            "run `feedcorpus select` again",
            path=file,
        )
    return [found[doc_id] for doc_id in chosen.ids], model_version or chosen.predictions or None
