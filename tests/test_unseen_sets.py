"""The unseen evaluation sets: articles.jsonl is what tests/data/build_unseen.py builds from the sources."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from testdata_paths import REPO

DATA = REPO / "tests" / "data"


def builder():
    spec = importlib.util.spec_from_file_location("build_unseen", DATA / "build_unseen.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_unseen", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("folder", "prefix", "count"), [("dev-unseen", "dev", 25), ("test-unseen", "test", 14)])
def test_built_set_matches_its_sources(folder, prefix, count):
    build = builder()
    articles = build.load_articles(DATA / folder)
    assert len(articles) == count and all(a["id"].startswith(f"{prefix}-") for a in articles)
    assert (DATA / folder / "articles.jsonl").read_text("utf-8") == build.render_jsonl(articles)
    for article in articles:
        assert all(article["text"][e["start"] : e["end"]] == e["text"] for e in article["entities"])


def test_a_source_under_the_other_sets_prefix_is_refused(tmp_path):
    build = builder()
    source = next((DATA / "dev-unseen" / "src").glob("*.md"))
    folder = tmp_path / "test-unseen"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / source.name).write_text(source.read_text("utf-8"), "utf-8")
    with pytest.raises(build.UnseenSetError, match=f"does not match the file name .*'test-{source.stem}'"):
        build.load_articles(folder)
