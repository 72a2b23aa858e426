"""`feedcorpus studio …`: the project's own local Label Studio."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from feedcorpus.cli.common import local_studio, project_dir_option, reports_errors
from feedcorpus.paths import ProjectPaths
from feedcorpus.studio.local_server import ServerStatus


def print_status(status: ServerStatus) -> None:
    if not status.running:
        click.echo("Label Studio: not running (start it with `feedcorpus studio start`)")
        return
    click.echo(f"Label Studio: {status.url} ({'healthy' if status.healthy else 'not answering'}, pid {status.pid})")
    if status.credentials:
        click.echo(f"  login:     {status.credentials.username}")
        click.echo(f"  password:  {status.credentials.password}")
        click.echo(f"  API token: {status.credentials.token}")


@click.group()
def studio() -> None:
    """Run the project's own local Label Studio (SQLite, loopback only).

    Label Studio lives in its own virtual environment (.venv-studio/) and keeps its data, credentials
    (0600) and log in .studio/ (both git-ignored). Set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY to use
    your own server instead; then none of this is needed.

    \b
    Example:
      feedcorpus studio start && feedcorpus studio status
    """


@studio.command("install")
@click.option("--python", "python", default=None, help="Interpreter for the service's virtual environment.")
@project_dir_option
@reports_errors
def studio_install(python: str | None, project_dir: Path) -> None:
    """Install Label Studio 1.23.2 into .venv-studio/ (once; later runs do nothing).

    \b
    Example:
      feedcorpus studio install --python python3.11
    """
    from feedcorpus.studio.local_server import LABEL_STUDIO_REQUIREMENT

    local = local_studio(project_dir)
    if local.install(python):
        click.echo(f"installed {LABEL_STUDIO_REQUIREMENT} into {local.venv}")
    else:
        click.echo(f"Label Studio already installed in {local.venv}")


@studio.command("start")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one. A busy port is an error, never silently changed.",
)
@click.option("--timeout", type=float, default=180.0, show_default=True, help="Seconds to wait for /health.")
@project_dir_option
@reports_errors
def studio_start(port: int, timeout: float, project_dir: Path) -> None:
    """Start the local Label Studio (installing it first if needed) and print how to log in.

    \b
    Example:
      feedcorpus studio start --port 8080
    """
    local = local_studio(project_dir)
    if local.install():
        click.echo(f"installed Label Studio into {local.venv}", err=True)
    print_status(local.start(port, timeout=timeout))


@studio.command("stop")
@project_dir_option
@reports_errors
def studio_stop(project_dir: Path) -> None:
    """Stop the local Label Studio this project started (never any other process).

    \b
    Example:
      feedcorpus studio stop
    """
    stopped = local_studio(project_dir).stop()
    click.echo("Label Studio stopped" if stopped else "Label Studio was not running")


@studio.command("status")
@project_dir_option
@reports_errors
def studio_status(project_dir: Path) -> None:
    """Print the local server's URL, login, password and API token, and each annotator's progress.

    For every project this folder pushed to: its tasks, and per annotator account the tasks done, skipped
    and remaining.

    \b
    Example:
      feedcorpus studio status
    """
    status = local_studio(project_dir).status()
    print_status(status)
    _print_backend(project_dir)
    if not status.running:
        sys.exit(1)
    if status.healthy:
        _print_progress(project_dir)


def _print_backend(project_dir: Path) -> None:
    """The ML backend `serve --background` started: its URL, model version, training and counts."""
    from feedcorpus.serve.daemon import Daemon
    from feedcorpus.serve.server import basic_auth_from_env

    backend = Daemon(ProjectPaths(project_dir).studio_dir / "serve").state(auth=basic_auth_from_env())
    if not backend.running:
        click.echo("ML backend: not running (start it with `feedcorpus serve --background`)")
        return
    found = backend.status or {}
    training = f"training run {found['training']}" if found.get("training") else "idle"
    click.echo(f"ML backend: {backend.url} (pid {backend.pid}, {training})")
    click.echo(f"  model version: {found.get('model_version', '(not answering)')}")
    for project, counts in (found.get("projects") or {}).items():
        click.echo(f"  project {project}: {counts['pending']} annotations changed since the last training")
    last = found.get("last_run")
    if last:
        error = f": {last['error']}" if last.get("error") else ""
        click.echo(f"  last training run {last['run']}: {last['status']} {last.get('model_version') or ''}{error}")


def _print_progress(project_dir: Path) -> None:
    from feedcorpus.studio.client import Studio
    from feedcorpus.studio.connection import resolve_connection
    from feedcorpus.studio.ml import backends
    from feedcorpus.studio.review import progress
    from feedcorpus.studio.state import PushState

    studio = Studio(resolve_connection(local_studio(project_dir)))
    remembered = PushState(ProjectPaths(project_dir).studio_dir / "push-state.json").projects(studio.server_id())
    users = studio.users()
    for title, project_id in sorted(remembered.items()):
        if studio.get_project(project_id) is None:
            continue
        by_task = studio.annotations_by_task(project_id)
        pairs = [pair for annotations in by_task.values() for pair in annotations]
        click.echo(f"project {project_id} ({title}): {len(by_task)} tasks")
        for link in backends(studio, project_id):
            click.echo(f"  ML backend {link.url}: state {link.state}, model version {link.model_version}")
        for row in progress(len(by_task), pairs, users.values()):
            click.echo(f"  {row.annotator}: {row.done} done, {row.skipped} skipped, {row.remaining} remaining")


@studio.command("add-annotator")
@click.argument("email")
@project_dir_option
@reports_errors
def studio_add_annotator(email: str, project_dir: Path) -> None:
    """Create an annotator account with a generated password, shown once and stored nowhere.

    Give each person their own account, so two people can label the same tasks and the card and the
    report show their agreement. On your own server (LABEL_STUDIO_URL/_API_KEY), whose user API cannot set
    passwords, invite people from its Organization page instead.

    \b
    Example:
      feedcorpus studio add-annotator amina@example.org
    """
    import secrets

    from feedcorpus.errors import StudioError
    from feedcorpus.studio.client import Studio
    from feedcorpus.studio.connection import resolve_connection

    local = local_studio(project_dir)
    connection = resolve_connection(local)
    if not connection.local:
        raise StudioError("add-annotator works on the local server; on your own, invite people from Organization")
    studio = Studio(connection)
    if email in studio.users().values():
        raise StudioError(f"an account {email} exists already; its owner can change the password in Label Studio")
    password = secrets.token_urlsafe(12)
    studio.create_user(email, password)  # in the organization, but Label Studio's API drops the password…
    local.set_password(email, password)  # …so it is set as Label Studio's own reset_password does
    click.echo(f"Label Studio: {studio.url}")
    click.echo(f"  login:     {email}")
    click.echo(f"  password:  {password}   (shown once; not stored anywhere — pass it on now)")
