"""nlp.pipe holds a whole batch at once: pre-annotation caps characters per batch, not documents per batch."""

from __future__ import annotations

import spacy

from feedcorpus.annotate import preannotate as stage
from feedcorpus.annotate.pipeline import Pipeline
from feedcorpus.annotate.preannotator import reference_patterns
from feedcorpus.documents import Document, build_text
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import load_label_schema
from feedcorpus.paths import ProjectPaths
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")


class Spy:
    """Wraps a pipeline's nlp and records the texts of every batch nlp.pipe receives."""

    def __init__(self, nlp):
        self.nlp, self.batches = nlp, []
        self.max_length = nlp.max_length

    def pipe(self, texts, batch_size, n_process=1):
        batch = []
        for text in texts:
            batch.append(text)
            if len(batch) == batch_size:
                self.batches.append(batch)
                batch = []
            yield self.nlp(text)
        if batch:
            self.batches.append(batch)


def test_a_two_megabyte_document_never_puts_more_than_the_budget_in_one_batch():
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(reference_patterns(ProjectPaths(REPO), SCHEMA).patterns)
    spy = Spy(nlp)
    paragraph = "Fighters of JNIM attacked Bamako on Tuesday. Goïta’s junta — in Sénou — denied it."
    text, offset = build_text("Long", [paragraph] * (2_000_000 // (len(paragraph) + 2)))
    document = Document("big", "t", None, None, "Long", "", None, None, [], text, offset, sha256_text(text), "t")
    ((_, spans),) = list(stage.annotate(Pipeline(spy, "spy", ["entity_ruler"]), [document], SCHEMA, batch_size=32))
    assert max(sum(map(len, batch)) for batch in spy.batches) <= stage.BATCH_CHARS
    assert "".join(t for batch in spy.batches for t in batch) == text
    assert len([s for s in spans if s.text == "Bamako"]) == text.count("Bamako")
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_the_chunk_limit_follows_the_batch_size():
    assert stage.chunk_limit(32, 1_000_000) == stage.BATCH_CHARS // 32
    assert stage.chunk_limit(1, 1_000_000) == stage.CHUNK_CHARS
    assert stage.chunk_limit(10_000, 1_000_000) == stage.MIN_CHUNK
