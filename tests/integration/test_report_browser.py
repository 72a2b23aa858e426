"""The report of the shipped v1.0.0 release in a real browser, opened from disk: the index shows the entity
counts gold.parquet has, a document page draws its gold entities, and nothing but the report's own files
is requested. Needs headless Chromium, not Label Studio."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.release.parquet import read_rows
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
RELEASE = REPO / "annotations" / "v1.0.0"
DOCUMENT = "thedefensepost-85383"


def test_the_report_opens_from_disk_with_the_release_figures(tmp_path, monkeypatch):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing; `make browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    out = tmp_path / "report"
    args = ["report", "--release", "1.0.0", "--out", str(out), "--project-dir", str(REPO)]
    # a fixed Label Studio URL: the links are drawn but never followed, and no local server is asked
    result = CliRunner().invoke(cli, [*args, "--studio-url", "http://127.0.0.1:9"])
    assert result.exit_code == 0, result.output
    rows = read_rows(RELEASE / "gold.parquet")
    per_label = Counter(entity["label"] for row in rows for entity in row["entities"])
    gold_count = next(len(row["entities"]) for row in rows if row["id"] == DOCUMENT)

    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.on("request", lambda request: requested.append(request.url))
            page.goto((out / "index.html").as_uri())
            page.wait_for_load_state("load")
            table = page.locator("#entities-per-label tbody tr")
            shown = {cells[0]: int(cells[-1]) for cells in (row.locator("td").all_inner_texts() for row in table.all())}
            charts = page.locator("svg.chart").count()
            page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)

            header = page.locator("#document-table thead th", has_text="gold entities")
            header.click()
            header.click()  # the second click sorts descending
            first = page.locator("#document-table tbody tr").first.locator("td").nth(3).inner_text()

            page.goto((out / "docs" / f"{DOCUMENT}.html").as_uri())
            page.wait_for_load_state("load")
            marks = page.locator("#gold mark").count()
            title = page.locator("h1").inner_text()
            page.screenshot(path=str(ARTIFACTS / "report-document.png"), full_page=True)
        finally:
            browser.close()

    assert shown.pop("all") == sum(per_label.values()) == 460
    assert {label: n for label, n in shown.items() if n} == dict(per_label)
    assert charts >= 4  # entities, two prediction sets, provenance, agreement
    assert int(first) == max(len(row["entities"]) for row in rows)
    assert marks == gold_count > 0
    assert title == next(row["title"] for row in rows if row["id"] == DOCUMENT)
    assert requested and all(url.startswith("file://") for url in requested), requested
