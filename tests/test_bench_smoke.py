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
    ("script", "args", "saved", "printed"),
    [
        ("bench_split.py", ["--articles", "40"], "split", "/bare"),
        ("bench_export.py", ["--tasks", "40", "--repeat", "1"], "export", "export/bare"),
        ("bench_preannotate.py", ["--words", "3000", "--repeat", "1"], "preannotate", "ratio"),
        ("bench_clusters.py", ["--articles", "300"], "clusters", "ratio"),
        ("bench_ray.py", ["--words", "3000"], "ray", "ratio"),
        ("bench_select.py", ["--articles", "200,400", "--count", "5"], "select", "GB peak"),
        ("bench_fetch.py", ["--items", "100", "--large-mb", "1", "--repeat", "1"], "fetch", "fetch/bare"),
        ("bench_serve.py", ["--words", "3000", "--requests", "5", "--warmup", "2", "--repeat", "1"], "serve", "ratio"),
    ],
)
def test_benchmark_runs_on_a_tiny_input(script, args, saved, printed, tmp_path):
    done = run(script, *args, out=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert printed in done.stdout
    assert json.loads((tmp_path / f"{saved}.json").read_text())


@pytest.mark.parametrize(("script", "option"), [("bench_push.py", "--tasks"), ("bench_quality.py", "--epochs")])
def test_heavy_benchmarks_explain_themselves(tmp_path, script, option):
    """These start a server or train six models: `make bench` runs them; here they must at least load."""
    done = run(script, "--help", out=tmp_path)
    assert done.returncode == 0 and option in done.stdout
