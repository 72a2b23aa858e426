"""`preannotate --engine ray` on a local Ray instance started here (`ray.init(num_cpus=2)`): the same spans as
the local engine, byte for byte, on real and non-ASCII documents; one prediction shard per archive shard,
written whole; an interrupted run resumes; shards of another schema are refused."""

from __future__ import annotations

import json
import shutil
import warnings

import pyarrow.parquet as pq
import pytest
import ray
from click.testing import CliRunner

from feedcorpus.annotate import preannotate as stage
from feedcorpus.annotate.pipeline import DEFAULT_MODEL
from feedcorpus.annotate.preannotator import build_preannotator, reference_patterns
from feedcorpus.cli import cli
from feedcorpus.documents import Document
from feedcorpus.engines import ray as engine
from feedcorpus.errors import StoreError
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import load_label_schema
from feedcorpus.paths import ProjectPaths
from feedcorpus.stores.archive import ArchiveStore
from feedcorpus.stores.documents import JsonDocumentStore
from feedcorpus.stores.predictions import PredictionStore, read_shards
from testdata_paths import REPO


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def setup():
    """The shipped corpus and both unseen sets (curly quotes, Goïta, em dashes): 49 real documents."""
    paths = ProjectPaths(REPO)
    schema = load_label_schema(paths.schema("labels.yaml"))
    documents = JsonDocumentStore(REPO / "corpus" / "documents").documents()
    for folder in ("dev-unseen", "test-unseen"):
        for line in (REPO / "tests" / "data" / folder / "articles.jsonl").read_text("utf-8").splitlines():
            a = json.loads(line)
            offset = len(a["title"]) + 2
            documents.append(Document(a["id"], folder, None, None, a["title"], "", None, None, [], a["text"], offset,
                                      sha256_text(a["text"]), folder))  # fmt: skip
    pipeline = build_preannotator(paths, schema)
    return paths, schema, documents, pipeline


def archive_of(folder, documents, shard_rows=20):
    store = ArchiveStore(folder, shard_rows=shard_rows)
    for document in documents:
        store.put(document)
    store.close()
    return folder


def run_ray(setup, archive, out, **options):
    paths, schema, _, pipeline = setup
    return engine.preannotate_ray(
        archive,
        PredictionStore(out),
        model=DEFAULT_MODEL,
        model_version=pipeline.model_version,
        patterns=reference_patterns(paths, schema).patterns,
        rules=True,
        schema=schema,
        concurrency=2,
        batch_size=8,
        **options,
    )


def test_ray_gives_the_local_engines_spans_byte_for_byte(local_ray, setup, tmp_path):
    _, schema, documents, pipeline = setup
    assert any("Goïta" in d.text for d in documents) and any("—" in d.text for d in documents)
    archive = archive_of(tmp_path / "archive", documents)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = run_ray(setup, archive, tmp_path / "ray")
    deprecated = [str(w.message) for w in caught if "ray_remote_args" in str(w.message)]
    assert not deprecated  # removed in Ray 2.64, which pyproject allows: the named read parameters instead
    assert (report.shards_done, report.documents) == (3, len(documents))
    local = PredictionStore(tmp_path / "local")
    stage.preannotate(documents, local, pipeline, schema)
    by_local = local.read(pipeline.model_version)
    by_ray = PredictionStore(tmp_path / "ray").read(pipeline.model_version)
    assert by_ray == by_local
    assert report.spans == sum(len(r.spans) for r in by_local.values()) > 1000
    texts = {d.id: d.text for d in documents}
    assert all(texts[r.doc_id][s.start : s.end] == s.text for r in by_ray.values() for s in r.spans)
    written = sorted(p.name for p in (tmp_path / "ray" / pipeline.model_version).iterdir())
    assert written == [p.name for p in ArchiveStore(archive).shards()]


def test_an_interrupted_ray_run_leaves_whole_shards_and_resumes(local_ray, setup, tmp_path):
    _, _, documents, pipeline = setup
    archive = archive_of(tmp_path / "archive", documents[:30], shard_rows=10)
    out = tmp_path / "ray" / pipeline.model_version

    def stop_after_first(shard):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_ray(setup, archive, tmp_path / "ray", on_shard=stop_after_first)
    first = [p.name for p in out.iterdir()]
    assert len(first) == 1 and pq.read_metadata(out / first[0]).num_rows == 10  # one whole shard, no temporary
    again = run_ray(setup, archive, tmp_path / "ray")
    assert (again.shards_skipped, again.shards_done, again.documents) == (1, 2, 20)
    assert len(list(read_shards(out))) == 30
    done = run_ray(setup, archive, tmp_path / "ray")
    assert (done.shards_skipped, done.shards_done) == (3, 0)  # nothing left to do


def test_an_archive_shard_of_another_schema_is_refused_before_ray_starts(setup, tmp_path):
    _, _, documents, _ = setup
    archive = archive_of(tmp_path / "archive", documents[:5])
    shard = archive / "part-000000.parquet"
    table = pq.read_table(shard)
    pq.write_table(table.replace_schema_metadata({b"feedcorpus.archive_schema": b"0"}), shard)
    with pytest.raises(StoreError, match="written with archive schema 0, this feedcorpus reads 1"):
        run_ray(setup, archive, tmp_path / "ray")


def test_a_prediction_shard_of_another_schema_is_refused(setup, tmp_path, local_ray):
    _, _, documents, pipeline = setup
    archive = archive_of(tmp_path / "archive", documents[:5])
    run_ray(setup, archive, tmp_path / "ray")
    shard = tmp_path / "ray" / pipeline.model_version / "part-000000.parquet"
    pq.write_table(pq.read_table(shard).replace_schema_metadata({}), shard)
    with pytest.raises(StoreError, match="written with predictions schema none, this feedcorpus reads 1"):
        PredictionStore(tmp_path / "ray").read(pipeline.model_version)


def test_the_cli_engine_needs_an_archive_and_then_writes_prediction_shards(local_ray, project, tmp_path):
    shutil.copy(REPO / "corpus" / "feeds" / "thedefensepost-mali-2024.txt", project / "corpus" / "feeds" / "seed.txt")
    runner = CliRunner()
    missing = runner.invoke(cli, ["preannotate", "--engine", "ray", "--project-dir", str(project)])
    assert missing.exit_code == 1 and "the ray engine reads the Parquet archive" in missing.output
    feed = str(project / "corpus" / "feeds" / "seed.txt")
    assert runner.invoke(cli, ["split", "--store", "parquet", feed, "--project-dir", str(project)]).exit_code == 0
    done = runner.invoke(cli, ["preannotate", "--engine", "ray", "--project-dir", str(project)])
    assert done.exit_code == 0, done.output
    assert "10 documents annotated on Ray (1 shards, 0 already done)" in done.stdout
    versions = PredictionStore(project / "corpus" / "predictions").versions()
    assert len(versions) == 1 and (project / "corpus" / "predictions" / versions[0] / "part-000000.parquet").exists()
