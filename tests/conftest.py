"""Shared fixtures: the repository root, test data, and a tmp project with the real schemas; the report header
says whether the conformance suite (other projects' files, read in place from SHARED_TESTDATA) runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from testdata_paths import REPO, SHARED_TESTDATA


def pytest_report_header(config: pytest.Config) -> str:
    if SHARED_TESTDATA.is_dir():
        return f"conformance suite: reading {SHARED_TESTDATA}"
    return f"conformance suite: {SHARED_TESTDATA} not found, not collected"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder with the repository's schemas, so commands run against tmp data only."""
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / "corpus" / "feeds").mkdir(parents=True)
    return tmp_path
