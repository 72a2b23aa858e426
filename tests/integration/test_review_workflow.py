"""The review workflow Label Studio's open-source edition lacks, against the real server: instructions from
the guidelines, Data Manager columns and hotkeys, disputes, adjudication, annotator accounts and progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from integration.sdk_helpers import create_annotation, ensure_user, task_predictions

pytestmark = pytest.mark.integration
TITLE = "review workflow"


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project-dir", str(project)])


@pytest.fixture(scope="module")
def pushed(studio, seed_project):
    result = run(seed_project, "push", "--project", TITLE)
    assert result.exit_code == 0, result.output
    client = studio.client()
    return client, client.find_project(TITLE)


def test_push_shows_the_guidelines_before_labeling_with_columns_and_hotkeys(pushed):
    client, project = pushed
    raw = client.client.projects.get(project.id)
    assert raw.show_instruction and "<h1>Annotation guidelines" in raw.expert_instruction
    assert "<table>" in raw.expert_instruction and "<script" not in raw.expert_instruction
    assert 'hotkey="1"' in raw.label_config and 'hotkey="9"' in raw.label_config
    task = next(iter(client.client.tasks.list(project=project.id, fields="all", page_size=1)))
    assert {"title", "source", "published", "url", "doc_id", "text"} <= set(task.data)


def test_disputes_are_listed_and_adjudication_makes_them_gold(pushed, seed_project):
    client, project = pushed
    index = client.task_index(project.id)
    doc_id = sorted(index)[0]
    task_id = index[doc_id][0].id
    (prediction,) = task_predictions(client, task_id)
    a = ensure_user(client, "review-a@feedcorpus.local", "review-a-Secret-1")
    b = ensure_user(client, "review-b@feedcorpus.local", "review-b-Secret-1")
    create_annotation(client, task_id, prediction.result, completed_by=a, parent_prediction=prediction.id)
    second = create_annotation(client, task_id, prediction.result[1:], completed_by=b, parent_prediction=prediction.id)

    listed = run(seed_project, "disputes", "--project", TITLE)
    assert listed.exit_code == 0, listed.output
    assert f"task {task_id} ({doc_id}): 2 annotators disagree on 1 spans" in listed.stdout
    assert f"{client.url}/projects/{project.id}/data?task={task_id}" in listed.stdout
    assert "1 disputed tasks" in listed.stdout

    wrong = run(seed_project, "adjudicate", str(task_id), "--take", "nobody")
    assert wrong.exit_code == 1 and "0 annotations by 'nobody'" in wrong.stderr
    done = run(seed_project, "adjudicate", str(task_id), "--take", "review-b")
    assert done.exit_code == 0, done.output
    assert f"annotation {second} by review-b@feedcorpus.local is now the ground truth" in done.stdout
    assert "0 disputed tasks" in run(seed_project, "disputes", "--project", TITLE).stdout
    export = run(seed_project, "export", "--project", TITLE, "--version", "5.0.0", "--dry-run")
    assert export.exit_code == 0 and "1 documents" in export.stdout


def test_add_annotator_creates_an_account_and_status_shows_progress(pushed, seed_project):
    result = run(seed_project, "studio", "add-annotator", "newcomer@feedcorpus.local")
    assert result.exit_code == 0, result.output
    password = result.stdout.split("password:")[1].split()[0]
    assert len(password) >= 12
    for path in (seed_project / ".studio").rglob("*"):
        if path.is_file() and path.suffix in (".json", ".log"):
            assert password not in path.read_text("utf-8", errors="replace")
    again = run(seed_project, "studio", "add-annotator", "newcomer@feedcorpus.local")
    assert again.exit_code == 1 and "exists already" in again.stderr
    status = run(seed_project, "studio", "status")
    assert status.exit_code == 0, status.output
    assert f"({TITLE}): 10 tasks" in status.stdout
    assert "review-a@feedcorpus.local: 1 done, 0 skipped, 9 remaining" in status.stdout
    assert "newcomer@feedcorpus.local: 0 done, 0 skipped, 10 remaining" in status.stdout
