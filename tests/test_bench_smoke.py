"""The benchmarks stay runnable: each runs end to end on a tiny input (their figures come from `make bench`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from testdata_paths import REPO

BENCH = REPO / "bench"


def run(script: str, *args: str, out) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FEEDCORPUS_BENCH_OUT": str(out)}
    return subprocess.run(
        [sys.executable, str(BENCH / script), *args], cwd=BENCH, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    ("script", "args", "saved"),
    [
        ("bench_split.py", ["--articles", "40"], "split"),
        ("bench_export.py", ["--tasks", "40"], "export"),
        ("bench_preannotate.py", ["--words", "3000", "--repeat", "1"], "preannotate"),
    ],
)
def test_benchmark_runs_on_a_tiny_input(script, args, saved, tmp_path):
    done = run(script, *args, out=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ratio" in done.stdout or "/bare" in done.stdout
    assert json.loads((tmp_path / f"{saved}.json").read_text())


def test_push_benchmark_explains_itself(tmp_path):
    done = run("bench_push.py", "--help", out=tmp_path)
    assert done.returncode == 0 and "--tasks" in done.stdout
