"""Run one measured step in a fresh Python process, so peak memory (ru_maxrss) belongs to that step alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def in_subprocess(script: Path, *args: str) -> dict:
    """Run `script --worker args…`; the worker prints one JSON line with its seconds, items and peak memory."""
    done = subprocess.run([sys.executable, str(script), "--worker", *args], capture_output=True, text=True, cwd=BENCH)
    if done.returncode != 0:
        raise SystemExit(f"{script.name} worker {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def save(name: str, result: dict) -> None:
    """Keep a run's figures in bench/out/<name>.json (git-ignored; FEEDCORPUS_BENCH_OUT moves it)."""
    out_dir = Path(os.environ.get("FEEDCORPUS_BENCH_OUT") or BENCH / "out")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.json").write_text(json.dumps(result, indent=2))


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(cells))

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
