"""push against the real Label Studio, off the happy path: two pushes at once, a renamed project after a
restart on another port, duplicates made by another tool, a config without the predictions' labels, and
no secret where another local user can read it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.labels import label_config_xml, load_label_schema
from testdata_paths import REPO

pytestmark = pytest.mark.integration
CONFIG = label_config_xml(load_label_schema(REPO / "schemas" / "labels.yaml"))


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project)])


def test_two_pushes_at_once_make_one_project_with_every_task_once_and_predicted(studio, seed_project):
    command = [
        sys.executable,
        "-m",
        "feedcorpus",
        "push",
        "--project",
        "concurrent",
        "--project-dir",
        str(seed_project),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    both = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in both]
    assert all(code == 0 for code, _, _ in results), results
    pushed = sorted(int(out.split()[1]) for _, out, _ in results)
    assert pushed == [0, 10], results
    client = studio.client()
    assert [p.title for p in client.client.projects.list(page_size=1000)].count("concurrent") == 1
    index = client.task_index(client.find_project("concurrent").id)
    assert len(index) == 10 and all(len(tasks) == 1 and tasks[0].model_versions for tasks in index.values())


def test_a_renamed_project_is_found_again_after_a_restart_on_another_port(studio, seed_project):
    assert run(seed_project, "push", "--project", "to be renamed").exit_code == 0
    client = studio.client()
    project = client.find_project("to be renamed")
    client.update_project(project.id, title="renamed by the annotators")
    old_url = studio.status.url
    studio.restart()
    assert studio.status.url != old_url
    again = run(seed_project, "push", "--project", "to be renamed")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("pushed 0 tasks, 10 already in the project")
    assert f"/projects/{project.id}/data" in again.stdout
    assert studio.client().find_project("to be renamed") is None


def test_duplicates_made_elsewhere_are_reported_with_their_ids_and_dedupe_removes_them(studio, seed_project):
    assert run(seed_project, "push", "--project", "duplicates").exit_code == 0
    client = studio.client()
    project = client.find_project("duplicates")
    index = client.task_index(project.id)
    doc_id = sorted(index)[0]
    original = index[doc_id][0].id
    client.client.projects.import_tasks(project.id, request=[{"data": {"doc_id": doc_id, "text": "copy"}}])
    copy = next(t.id for t in client.task_index(project.id)[doc_id] if t.id != original)
    reported = run(seed_project, "push", "--project", "duplicates")
    assert reported.exit_code == 0
    assert (
        f"Warning: document {doc_id} is in the project 2 times: tasks {original}, {copy} (--dedupe)" in reported.stderr
    )
    cleaned = run(seed_project, "push", "--project", "duplicates", "--dedupe")
    assert f"Removed duplicate tasks {copy} of {doc_id}; task {original} stays" in cleaned.stderr
    assert [t.id for t in client.task_index(project.id)[doc_id]] == [original]


def test_a_config_without_the_predictions_labels_is_refused_until_updated(studio, seed_project):
    client = studio.client()
    project = client.create_project("no GPE", CONFIG.replace('value="GPE"', 'value="PLACE"'))
    refused = run(seed_project, "push", "--project", "no GPE")
    assert refused.exit_code == 1
    assert f"project {project.id}'s labeling config has no label GPE that the predictions use" in refused.stderr
    assert client.get_project(project.id).task_number == 0
    updated = run(seed_project, "push", "--project", "no GPE", "--update-config")
    assert updated.exit_code == 0 and updated.stdout.startswith("pushed 10 tasks")


def test_no_secret_on_a_command_line_and_the_data_dir_is_private(studio):
    creds = studio.status.credentials
    group = os.getpgid(studio.status.pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) != group:
                    continue
                cmdline = (entry / "cmdline").read_bytes()
            except (OSError, ProcessLookupError):
                continue
            assert creds.password.encode() not in cmdline and creds.token.encode() not in cmdline, cmdline
    studio_dir = studio.project_dir / ".studio"
    assert studio_dir.stat().st_mode & 0o777 == 0o700
    assert (studio_dir / "data").stat().st_mode & 0o777 == 0o700
    assert (studio_dir / "credentials.json").stat().st_mode & 0o777 == 0o600
    assert (studio_dir / "server.log").stat().st_mode & 0o777 == 0o600
