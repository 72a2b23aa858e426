"""Training runs started by the backend: one at a time, each a child process (`serve.retrain`), watched by
a thread that records the outcome and promotes the candidate when the run says so.

Each run has a folder `.studio/serve/runs/NNNN/` (request, snapshot, outcome or error, log). Whatever the
child does — fail, crash, get killed — the serving model changes only through `on_promote`, called after a
complete outcome file was read.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from feedcorpus.fileio import PRIVATE_FILE, atomic_write_text, private_dir, read_json
from feedcorpus.serve.registry import Registry, RunRecord, Serving
from feedcorpus.serve.retrain import TrainingRequest


@dataclass(frozen=True)
class TrainingPlan:
    """How the backend trains: when (every N changed annotations), from what base, how long, and the rule."""

    base: str
    every: int = 20
    epochs: int = 30
    folds: int = 5
    rehearsal: bool = True
    promote: str = "not-worse"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Trainer:
    def __init__(
        self,
        runs_dir: Path,
        registry: Registry,
        project_dir: Path,
        plan: TrainingPlan,
        on_promote: Callable[[str], str | None],
    ) -> None:
        self.runs_dir = runs_dir
        self.registry = registry
        self.project_dir = project_dir
        self.plan = plan
        self.on_promote = on_promote
        self._lock = threading.Lock()
        self.running: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    def start(self, project: int, annotations: list[int], current_model: str) -> int | None:
        """Start a run unless one is going; returns its number (None when busy)."""
        with self._lock:
            if self.running is not None:
                return None
            run = self.registry.next_run()
            run_dir = private_dir(self.runs_dir / f"{run:04d}")
            request = TrainingRequest(
                project_dir=str(self.project_dir.resolve()),
                project=project,
                run=run,
                current_model=current_model,
                base=self.plan.base,
                epochs=self.plan.epochs,
                folds=self.plan.folds,
                rehearsal=self.plan.rehearsal,
                promote=self.plan.promote,
            )
            atomic_write_text(run_dir / "request.json", _json(asdict(request)))
            log_fd = os.open(run_dir / "log.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
            with os.fdopen(log_fd, "wb") as log:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "feedcorpus.serve.retrain", str(run_dir)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            self.running = run
            started = _now()
            self._thread = threading.Thread(
                target=self._watch, args=(self._process, run, project, annotations, started), daemon=True
            )
            self._thread.start()
            return run

    def _watch(
        self, process: subprocess.Popen[bytes], run: int, project: int, annotations: list[int], started: str
    ) -> None:
        code = process.wait()
        run_dir = self.runs_dir / f"{run:04d}"
        snapshot = str(run_dir / "snapshot.json") if (run_dir / "snapshot.json").exists() else None
        try:
            outcome = read_json(run_dir / "outcome.json") if code == 0 else None
        except (OSError, ValueError):
            outcome = None
        record = RunRecord(run, project, "failed", started, _now(), annotations=annotations, snapshot=snapshot)
        serving = None
        if not isinstance(outcome, dict):
            record = replace(record, error=_failure(run_dir, code))
        else:
            model, version = str(outcome.get("model")), str(outcome.get("model_version"))
            record = replace(record, status="kept", model=model, model_version=version)
            record = replace(record, figures=outcome.get("figures") or {})
            if outcome.get("promote"):
                try:
                    promoted = self.on_promote(model)
                    if promoted is None:  # the server serves a pinned model
                        record = replace(record, error="not served: `serve --model` pins the serving model")
                    else:
                        serving = Serving(model, promoted)
                        record = replace(record, status="promoted", model_version=promoted)
                except Exception as exc:  # a candidate that cannot be loaded is not served
                    record = replace(record, status="failed", error=f"loading the candidate failed: {exc}")
        record = replace(record, finished_at=_now())
        self.registry.add(record, serving=serving)
        with self._lock:
            self.running = None

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current run (if any) is recorded; for tests and a clean shutdown."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def stop(self) -> None:
        """End a running child (the server is shutting down); it is recorded as failed."""
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
        self.wait(30)


def _failure(run_dir: Path, code: int) -> str:
    try:
        found = read_json(run_dir / "error.json")
        if isinstance(found, dict) and found.get("error"):
            return str(found["error"])
    except (OSError, ValueError):
        pass
    return f"the training process exited with code {code} before writing its outcome (see {run_dir / 'log.txt'})"


def _json(data: object) -> str:
    import json

    return json.dumps(data, indent=1) + "\n"
