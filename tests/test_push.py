"""push's logic against the in-memory fake: batches, retries after lost answers and partial commits,
predictions of a new model version, refusals. The real server proves the same in tests/integration."""

from __future__ import annotations

import pytest

from fakes.studio import FakeStudio
from feedcorpus.documents import Document, build_text
from feedcorpus.errors import StudioError
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import label_config_xml, load_label_schema
from feedcorpus.spans import Span
from feedcorpus.stores.predictions import PredictionRecord
from feedcorpus.studio import push as stage
from feedcorpus.studio.state import PushState
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
CONFIG = label_config_xml(SCHEMA)


def documents(count: int) -> list[Document]:
    docs = []
    for i in range(count):
        title = f"Report {i} from Goïta’s Mali"
        text, offset = build_text(title, [f"Fighters attacked Bamako on day {i}."])
        docs.append(
            Document(
                f"doc-{i:03d}", "test", None, None, title, "", None, None, [], text, offset, sha256_text(text), "t"
            )
        )
    return docs


def predictions(docs: list[Document], version: str = "m1") -> dict[str, PredictionRecord]:
    records = {}
    for doc in docs:
        start = doc.text.index("Bamako")
        spans = (Span(start, start + 6, "GPE", "Bamako"),)
        records[doc.id] = PredictionRecord(doc.id, doc.sha256, version, spans)
    return records


def push(studio: FakeStudio, docs, preds=None, **options):
    options.setdefault("backoff", 0)
    return stage.push(studio, docs, preds or {}, SCHEMA, CONFIG, title="unit", **options)


def test_first_push_imports_in_batches_and_a_second_changes_nothing():
    studio, docs = FakeStudio(), documents(7)
    report = push(studio, docs, predictions(docs), batch_size=3)
    assert (report.created_project, report.pushed, report.already_present) == (True, 7, 0)
    assert studio.calls.count("import_tasks") == 3 and "task_index" not in studio.calls  # a new project is empty
    project = studio.find_project("unit")
    assert studio.doc_counts(project.id) == {d.id: 1 for d in docs}
    assert all(len(t.predictions) == 1 for t in studio.tasks.values())
    assert studio.projects[project.id].model_version == "m1"
    again = push(studio, docs, predictions(docs), batch_size=3)
    assert (again.created_project, again.pushed, again.already_present, again.predictions_added) == (False, 0, 7, 0)


def test_a_batch_committed_before_its_answer_was_lost_is_not_sent_again():
    studio, docs = FakeStudio(), documents(6)
    studio.fail_next("import_tasks", lambda _, payload: len(payload))  # commits all, then the answer is lost
    report = push(studio, docs, batch_size=3)
    assert report.retries == 1 and report.pushed == 6
    assert studio.doc_counts(studio.find_project("unit").id) == {d.id: 1 for d in docs}
    assert studio.calls.count("import_tasks") == 2  # the retry found the first batch there and had nothing to send


def test_a_partly_committed_batch_sends_only_the_rest():
    studio, docs = FakeStudio(), documents(5)
    studio.fail_next("import_tasks", lambda _, payload: 3)
    report = push(studio, docs, batch_size=5)
    assert report.retries == 1 and report.pushed == 5
    assert studio.doc_counts(studio.find_project("unit").id) == {d.id: 1 for d in docs}
    assert studio.calls.count("import_tasks") == 2


def test_a_refusal_is_not_retried_and_retries_give_up():
    def refuse(_, __):
        raise StudioError("Label Studio answered 400 while importing", status_code=400)

    studio, docs = FakeStudio(), documents(2)
    studio.fail_next("import_tasks", refuse)
    with pytest.raises(StudioError, match="400"):
        push(studio, docs)
    assert studio.calls.count("import_tasks") == 1
    flaky = FakeStudio()
    for _ in range(3):
        flaky.fail_next("import_tasks", lambda _, __: 0)
    with pytest.raises(StudioError, match="fake import_tasks failed"):
        push(flaky, docs, attempts=3)
    assert flaky.calls.count("import_tasks") == 3


def test_predictions_made_for_another_text_are_refused_before_anything_is_sent():
    studio, docs = FakeStudio(), documents(2)
    stale = predictions(docs)
    stale["doc-001"] = PredictionRecord("doc-001", "0" * 64, "m1", stale["doc-001"].spans)
    with pytest.raises(StudioError, match="doc-001: the predictions were made for another version"):
        push(studio, docs, stale)
    assert studio.calls == []


def test_a_new_model_version_adds_predictions_and_counts_each_once_even_after_a_lost_answer():
    studio, docs = FakeStudio(), documents(5)
    push(studio, docs, predictions(docs, "m1"))
    studio.fail_next("import_predictions", lambda _, payload: 2)
    report = push(studio, docs, predictions(docs, "m2"), batch_size=5)
    assert (report.pushed, report.already_present, report.predictions_added, report.retries) == (0, 5, 5, 1)
    assert all(sorted(p["model_version"] for p in t.predictions) == ["m1", "m2"] for t in studio.tasks.values())
    again = push(studio, docs, predictions(docs, "m2"))
    assert again.predictions_added == 0


def test_dry_run_changes_nothing():
    studio, docs = FakeStudio(), documents(3)
    report = push(studio, docs, dry_run=True)
    assert report.pushed == 3 and studio.projects == {} and studio.tasks == {}


def test_the_remembered_project_is_found_after_it_was_renamed(tmp_path):
    studio, docs = FakeStudio(), documents(2)
    state = PushState(tmp_path / "push-state.json")
    first = push(studio, docs, state=state)
    studio.update_project(first.project_id, title="renamed by an annotator")
    again = push(studio, docs, state=state)
    assert again.project_id == first.project_id and not again.created_project and again.pushed == 0


def test_duplicates_already_on_the_server_are_reported_and_dedupe_keeps_the_annotated_task():
    studio, docs = FakeStudio(), documents(3)
    push(studio, docs)
    project = studio.find_project("unit")
    studio.import_tasks(project.id, [{"data": {"doc_id": "doc-001", "text": docs[1].text}}] * 2)  # another tool
    first, second, third = sorted(t.id for t in studio.tasks.values() if t.data["doc_id"] == "doc-001")
    studio.tasks[second].annotations = 1
    report = push(studio, docs)
    assert report.duplicates == {"doc-001": [first, second, third]} and report.removed_duplicates == []
    cleaned = push(studio, docs, dedupe=True)
    assert cleaned.removed_duplicates == [first, third]
    assert [t.id for t in studio.tasks.values() if t.data["doc_id"] == "doc-001"] == [second]


def test_tasks_without_predictions_get_them_on_the_next_push_duplicates_included():
    studio, docs = FakeStudio(), documents(3)
    push(studio, docs)  # no predictions yet (e.g. a push that lost its predictions, or --no-predictions)
    project = studio.find_project("unit")
    studio.import_tasks(project.id, [{"data": {"doc_id": "doc-002", "text": docs[2].text}}])
    report = push(studio, docs, predictions(docs))
    assert report.predictions_added == 4
    assert all(len(t.predictions) == 1 for t in studio.tasks.values())


def test_a_config_missing_labels_the_predictions_use_is_refused_unless_updated():
    studio, docs = FakeStudio(), documents(2)
    studio.create_project("unit", CONFIG.replace('value="GPE"', 'value="PLACE"'))
    with pytest.raises(StudioError, match="labeling config has no label GPE that the predictions use; re-run with"):
        push(studio, docs, predictions(docs))
    assert studio.tasks == {}
    report = push(studio, docs, predictions(docs), update_config=True)
    assert report.config_updated and report.pushed == 2
    assert studio.find_project("unit").label_config == CONFIG


def test_a_config_that_differs_but_has_every_label_is_only_reported():
    studio, docs = FakeStudio(), documents(2)
    studio.create_project("unit", CONFIG.replace('value="EVENT"', 'value="INCIDENT"'))
    report = push(studio, docs, predictions(docs))
    assert report.config_differs and not report.config_updated and report.pushed == 2
