"""The ML backend's behaviour, free of any web framework: request bodies in, response bodies out.

`server.py` only maps routes onto these methods and PayloadError onto 400. Nothing here calls Label Studio:
predictions need only the loaded model, so an unreachable Label Studio never stops them (training, which
needs an export snapshot, fails and is recorded instead).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedcorpus.annotate.pipeline import Pipeline
from feedcorpus.fileio import private_dir
from feedcorpus.labels import LabelSchema
from feedcorpus.serve import protocol
from feedcorpus.serve.jobs import Trainer, TrainingPlan
from feedcorpus.serve.learning import Ledger
from feedcorpus.serve.model import ServingModel
from feedcorpus.serve.registry import Registry, Serving

MODEL_CLASS = "feedcorpus"


@dataclass(frozen=True)
class BackendPaths:
    """`.studio/serve/` (0700): counts, the record of models, and one folder per training run."""

    root: Path

    @property
    def ledger(self) -> Path:
        return self.root / "state.json"

    @property
    def registry(self) -> Path:
        return self.root / "versions.json"

    @property
    def runs(self) -> Path:
        return self.root / "runs"


class Backend:
    def __init__(
        self,
        project_dir: Path,
        schema: LabelSchema,
        loader: Any,
        plan: TrainingPlan,
        *,
        model: str | None = None,
        state_dir: Path | None = None,
        announce: Callable[[int, str], None] | None = None,
    ) -> None:
        """Serve `model` when given (a recorded version or a pipeline: pinned, candidates are recorded but not
        served), else the last promoted model, else the project's default pre-annotator."""
        self.paths = BackendPaths(private_dir(state_dir or project_dir / ".studio" / "serve"))
        self.registry = Registry(self.paths.registry)
        self.ledger = Ledger(self.paths.ledger)
        self._lock = threading.Lock()
        recorded = self.registry.serving()
        chosen = self.registry.resolve(model) if model else (recorded.model if recorded else plan.base)
        self.pinned = model is not None
        self.model = ServingModel(loader, chosen, schema)
        self.registry.set_serving(Serving(chosen, self.model.model_version))
        self.trainer = Trainer(self.paths.runs, self.registry, project_dir, plan, self._promote)
        self.plan = plan
        self.announce = announce
        self.projects: set[int] = set(self.ledger.projects)  # the projects that asked or told us anything
        self.announced: dict[int, str] = {}  # project → the last error telling it of a new version

    def _promote(self, model: str) -> str | None:
        """Serve the promoted model, then tell each project to show its version (best effort: Label Studio
        may be down; the project's model version can be set again with `studio connect-model`)."""
        if self.pinned:
            return None
        version = self.model.swap(model)
        announce = self.announce
        if announce is None:
            return version
        with self._lock:
            projects = sorted(self.projects)
        for project in projects:
            try:
                announce(project, version)
                self.announced.pop(project, None)
            except Exception as exc:
                self.announced[project] = f"{type(exc).__name__}: {exc}"
        return version

    def _seen(self, project: int) -> None:
        with self._lock:
            self.projects.add(project)

    # protocol ------------------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return {"status": "UP", "model_class": MODEL_CLASS, "model_version": self.model.model_version}

    def setup(self, body: Any) -> dict[str, Any]:
        """Label Studio calls /setup before predicting (and shows the version it returns)."""
        if body is not None and not isinstance(body, dict):
            raise protocol.PayloadError("/setup body must be a JSON object")
        return {"model_version": self.model.model_version}

    def predict(self, body: Any) -> dict[str, Any]:
        request = protocol.parse_predict(body)
        if request.project is not None:
            self._seen(request.project)
        results = self.model.predict(request)
        version = results[0]["model_version"] if results else self.model.model_version
        return {"results": results, "model_version": version}

    def webhook(self, body: Any) -> dict[str, Any]:
        event = protocol.parse_webhook(body)
        if event.action == protocol.TRAIN_ACTION:
            if event.project is None:
                raise protocol.PayloadError("/webhook START_TRAINING: no project id in the payload")
            self._seen(event.project)
            return self.train(event.project)
        if event.action not in protocol.ANNOTATION_ACTIONS:
            return {"status": "ignored", "action": event.action}
        assert event.project is not None
        with self._lock:
            self.projects.add(event.project)
            counted = self.ledger.record(event)
            due = counted and self.ledger.due(event.project, self.plan.every)
        answer: dict[str, Any] = {"status": "counted" if counted else "repeat", "project": event.project}
        answer["pending"] = len(self.ledger.project(event.project).pending)
        if due:
            answer["training"] = self.train(event.project)
        return answer

    def train(self, project: int) -> dict[str, Any]:
        """Start a training run for the project now (START_TRAINING, /train, or enough new annotations)."""
        with self._lock:
            if self.trainer.running is not None:
                return {"status": "busy", "run": self.trainer.running}
            annotations = list(self.ledger.project(project).pending)
            run = self.trainer.start(project, annotations, self.model.current.model)
            self.ledger.started_training(project)  # only once the run is under way: a failed start loses nothing
        return {"status": "started", "run": run, "project": project}

    # ours ----------------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        runs = self.registry.runs()
        last = runs[-1] if runs else None
        return {
            "model_version": self.model.model_version,
            "model": self.model.current.model,
            "pinned": self.pinned,
            "training": self.trainer.running,
            "train_every": self.plan.every,
            "projects": self.ledger.summary(),
            "last_run": None
            if last is None
            else {"run": last.run, "status": last.status, "model_version": last.model_version, "error": last.error},
            "runs": len(runs),
            "announce_errors": {str(k): v for k, v in sorted(self.announced.items())},
        }


def default_loader(project_dir: Path, schema: LabelSchema) -> Any:
    """Loads a model as `preannotate --model` does: with the reference lists and the guideline rules."""
    from feedcorpus.annotate.preannotator import build_preannotator
    from feedcorpus.paths import ProjectPaths

    def load(model: str) -> Pipeline:
        return build_preannotator(ProjectPaths(project_dir), schema, model=model)

    return load
