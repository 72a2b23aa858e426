"""The report of the shipped v1.0.0 release in a real browser, opened from disk: the index shows the entity
counts gold.parquet has, a document page draws its gold entities, and nothing but the report's own files
is requested. Needs headless Chromium, not Label Studio."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.release.parquet import read_rows
from integration.chromium import ARTIFACTS, chromium_page, require_chromium
from testdata_paths import REPO

pytestmark = [pytest.mark.integration, pytest.mark.browser]

RELEASE = REPO / "annotations" / "v1.0.0"
DOCUMENT = "thedefensepost-85383"


def test_the_report_opens_from_disk_with_the_release_figures(tmp_path, monkeypatch):
    require_chromium()

    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    out = tmp_path / "report"
    args = ["report", "--release", "1.0.0", "--out", str(out), "--project-dir", str(REPO)]
    # a fixed Label Studio URL: the links are drawn but never followed, and no local server is asked
    result = CliRunner().invoke(cli, [*args, "--studio-url", "http://127.0.0.1:9"])
    assert result.exit_code == 0, result.output
    rows = read_rows(RELEASE / "gold.parquet")
    per_label = Counter(entity["label"] for row in rows for entity in row["entities"])
    gold_count = next(len(row["entities"]) for row in rows if row["id"] == DOCUMENT)

    requested: list[str] = []
    with chromium_page(1300) as page:
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

    assert shown.pop("all") == sum(per_label.values()) == 460
    assert {label: n for label, n in shown.items() if n} == dict(per_label)
    assert charts >= 4  # entities, two prediction sets, provenance, agreement
    assert int(first) == max(len(row["entities"]) for row in rows)
    assert marks == gold_count > 0
    assert title == next(row["title"] for row in rows if row["id"] == DOCUMENT)
    assert requested and all(url.startswith("file://") for url in requested), requested
