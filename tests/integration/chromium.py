"""Headless Chromium for the browser checks: the one binary, the flags this closed network needs, a page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from testdata_paths import REPO

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
ARTIFACTS = REPO / "test-artifacts"  # screenshots, kept for people to look at


def require_chromium() -> None:
    """Fail, never skip, when the browser is missing: a skipped browser check would pass unseen."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing; `make browser` installs Debian's chromium")


@contextmanager
def chromium_page(width: int, height: int = 1000) -> Iterator[Any]:
    """A playwright page in headless Chromium; the browser is closed however the block ends."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()
