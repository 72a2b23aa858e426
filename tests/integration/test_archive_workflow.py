"""The archive path end to end, against the real Label Studio and a local Ray instance started here:
a synthetic archive of a few thousand articles → Parquet store → Ray pre-annotation → select 50 → push →
50 tasks carrying predictions; the same articles through the JSON store and the local engine give identical
predictions."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import ray
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.stores.predictions import PredictionStore
from integration.sdk_helpers import task_predictions
from testdata_paths import REPO

pytestmark = pytest.mark.integration
ARTICLES = 2500
TITLE = "archive batch"


def synthetic():
    """bench/synthetic.py: articles built from the seed's own words, with injected near-copies."""
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run(project: Path, *args: str):
    result = CliRunner().invoke(cli, [*args, "--project-dir", str(project)])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def archive(tmp_path_factory, studio):
    gen = synthetic()
    items = list(gen.articles(ARTICLES, seed=11, copies=0.1))
    feed = tmp_path_factory.mktemp("feeds") / "archive.xml"
    gen.write_rss(items, feed)
    projects = {}
    for kind in ("parquet", "json"):
        project = tmp_path_factory.mktemp(f"archive-{kind}")
        (project / "schemas").symlink_to(REPO / "schemas", target_is_directory=True)
        run(project, "split", "-q", "--store", kind, str(feed))
        projects[kind] = project
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    run(projects["parquet"], "preannotate", "--engine", "ray")
    ray.shutdown()
    run(projects["json"], "preannotate", "--n-process", "2")
    return projects, items


def test_ray_on_the_archive_and_the_local_engine_on_json_give_identical_predictions(archive):
    projects, _ = archive
    stores = {kind: PredictionStore(project / "corpus" / "predictions") for kind, project in projects.items()}
    (version,) = stores["parquet"].versions()
    assert (projects["parquet"] / "corpus" / "predictions" / version / "part-000000.parquet").exists()
    by_ray, by_local = (stores[kind].read(version) for kind in ("parquet", "json"))
    assert len(by_ray) == ARTICLES and by_ray == by_local


def test_select_50_then_push_exactly_those_with_their_predictions(archive, studio, monkeypatch):
    projects, items = archive
    project = projects["parquet"]
    chosen = run(project, "select", "50", "--seed", "3")
    path = project / "corpus" / "selections" / "selection-001.json"
    assert f"selected 50 of {ARTICLES:,} eligible documents" in chosen.stdout and str(path) in chosen.stdout
    selection = json.loads(path.read_text("utf-8"))
    ids = [d["id"] for d in selection["documents"]]
    assert len(set(ids)) == 50 and all(d["reasons"] for d in selection["documents"])
    assert sum(d["kind"] == "random" for d in selection["documents"]) == 5
    # at most one document per near-copy group, and per copy family of the synthetic archive
    groups = [d["group"] for d in selection["documents"]]
    assert None not in groups and len(set(groups)) == 50
    copy_of = {a.number: a.copy_of for a in items}

    def family(number: int) -> int:
        while copy_of[number] is not None:
            number = copy_of[number]
        return number

    families = [family(int(doc_id.rsplit("-", 1)[1])) for doc_id in ids]
    assert len(set(families)) == 50

    again = run(project, "select", "50", "--seed", "3", "--include-selected", "--dry-run")
    assert again.stdout == chosen.stdout.replace(f" → {path}", "; nothing written")  # same seed, same choice
    second = run(project, "select", "50", "--seed", "3", "--dry-run")
    assert not set(ids) & {line.split()[1] for line in second.stdout.splitlines() if line[:4].strip().isdigit()}

    monkeypatch.setenv("LABEL_STUDIO_URL", studio.status.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio.status.credentials.token)
    pushed = run(project, "push", "--selection", str(path), "--project", TITLE)
    assert "pushed 50 tasks, 0 already in the project" in pushed.stdout
    client = studio.client()
    index = client.task_index(client.find_project(TITLE).id)
    assert sorted(index) == sorted(ids)
    for doc_id in ids[:10]:
        (prediction,) = task_predictions(client, index[doc_id][0].id)
        assert prediction.model_version == selection["predictions"] and prediction.result
    rerun = run(project, "push", "--selection", str(path), "--project", TITLE)
    assert "pushed 0 tasks, 50 already in the project" in rerun.stdout
