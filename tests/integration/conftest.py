"""A real Label Studio for the integration tests, started by the test run itself.

The session fixture runs `feedcorpus studio start --port 0` on a temporary project (its own data dir) and
stops it at the end. The service's virtual environment is the repository's .venv-studio/ (installed by
`make test`) unless FEEDCORPUS_STUDIO_VENV names another.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.studio.client import Studio
from feedcorpus.studio.connection import Connection
from feedcorpus.studio.local_server import LocalStudio, ServerStatus
from testdata_paths import REPO, SEED

STUDIO_VENV = Path(os.environ.get("FEEDCORPUS_STUDIO_VENV") or REPO / ".venv-studio")


@dataclass
class RunningStudio:
    project_dir: Path
    local: LocalStudio
    status: ServerStatus

    @property
    def connection(self) -> Connection:
        assert self.status.credentials and self.status.url
        return Connection(self.status.url, self.status.credentials.token, local=True)

    def client(self) -> Studio:
        return Studio(self.connection)

    def restart(self) -> None:
        """Stop the server if it still runs and start it again on a new free port (same data dir)."""
        self.local.stop()
        self.status = self.local.start(0)


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStudio]:
    if not (STUDIO_VENV / "bin" / "label-studio").exists():
        pytest.fail(f"Label Studio is not installed in {STUDIO_VENV}; run `make studio` (make test does)")
    os.environ["FEEDCORPUS_STUDIO_VENV"] = str(STUDIO_VENV)
    os.environ.pop("LABEL_STUDIO_URL", None)
    os.environ.pop("LABEL_STUDIO_API_KEY", None)
    project_dir = tmp_path_factory.mktemp("studio-project")
    shutil.copytree(REPO / "schemas", project_dir / "schemas")
    result = CliRunner().invoke(cli, ["studio", "start", "--port", "0", "--project-dir", str(project_dir)])
    local = LocalStudio(project_dir / ".studio", STUDIO_VENV)
    if result.exit_code != 0:
        pytest.fail(f"studio start failed: {result.output} {local.log_tail(20)}")
    running = RunningStudio(project_dir, local, local.status())
    yield running
    assert local.stop()
    assert not local.status().running


@pytest.fixture(scope="session")
def seed_project(studio: RunningStudio) -> Path:
    """split + preannotate the seed in the session's project, whose .studio/ knows the local server."""
    project = studio.project_dir
    (project / "corpus" / "feeds").mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, project / "corpus" / "feeds" / "seed.txt")
    runner = CliRunner()
    feed = str(project / "corpus" / "feeds" / "seed.txt")
    assert runner.invoke(cli, ["split", "-q", feed, "--project-dir", str(project)]).exit_code == 0
    assert runner.invoke(cli, ["preannotate", "--project-dir", str(project)]).exit_code == 0
    return project
