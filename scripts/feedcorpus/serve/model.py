"""The serving model: the pre-annotator `preannotate` builds, loaded once, swapped whole on promotion.

spaCy's Language object is not safe to call from two threads at once, and the web server answers
requests on a thread pool, so predictions take a lock; a promotion loads the new pipeline outside the lock
and swaps it in one assignment, so requests never wait for a model to load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from feedcorpus.annotate.pipeline import Pipeline
from feedcorpus.annotate.preannotate import annotate
from feedcorpus.documents import Document
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import LabelSchema
from feedcorpus.serve import protocol


def text_document(doc_id: str, text: str) -> Document:
    """A document made from a task's text alone (the pipeline reads nothing else)."""
    return Document(doc_id, "", None, None, "", "", None, None, [], text, 0, sha256_text(text), "")


@dataclass(frozen=True)
class Loaded:
    model: str  # what loads it: a pipeline name or folder
    pipeline: Pipeline


class ServingModel:
    def __init__(self, loader: Callable[[str], Pipeline], model: str, schema: LabelSchema, *, batch_size: int = 32):
        self.loader = loader
        self.schema = schema
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self.current = Loaded(model, loader(model))

    @property
    def model_version(self) -> str:
        return self.current.pipeline.model_version

    def swap(self, model: str) -> str:
        """Load another model and serve it from the next request on; returns its version."""
        loaded = Loaded(model, self.loader(model))
        with self._lock:
            self.current = loaded
        return loaded.pipeline.model_version

    def predict(self, request: protocol.PredictRequest) -> list[dict[str, Any]]:
        """One prediction per task, in the tasks' order, all from the same model version."""
        documents = [text_document(f"task-{n}", task.text) for n, task in enumerate(request.tasks)]
        with self._lock:
            pipeline = self.current.pipeline
            found = list(annotate(pipeline, documents, self.schema, batch_size=self.batch_size))
        return [protocol.prediction(d.text, spans, pipeline.model_version) for d, spans in found]
