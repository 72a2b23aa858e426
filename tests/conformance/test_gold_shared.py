"""Gold resolution on real Label Studio example exports, read in place from SHARED_TESTDATA/label-studio-exports
(see its NOTES.md for where each file comes from)."""

from __future__ import annotations

import copy
import json

import pytest

from feedcorpus.errors import ReleaseError
from feedcorpus.release import gold
from feedcorpus.release.snapshot import read_snapshot
from testdata_paths import SHARED_TESTDATA

DATA = SHARED_TESTDATA


def resolve(tasks: list, labels, **options) -> gold.Resolution:
    """Gold resolution of a list of task dicts, read the way `export` reads a snapshot file."""
    return gold.resolve(read_snapshot(json.dumps(tasks).encode("utf-8")), labels, **options)


def test_real_export_whose_data_key_does_not_match_fails_loudly():
    """label-studio-frontend's rich_text_plain example: to_name 'text' but the data key is 'ner'."""
    item = json.loads(
        (DATA / "label-studio-exports" / "lsf_rich_text_plain_annotations_1_datakey_mismatch.json").read_text()
    )
    result = resolve([item], ["Date", "Location", "Person"])
    with pytest.raises(ReleaseError, match="data has no doc_id/text"):
        gold.check(result)


def test_real_legacy_export_with_inclusive_end_offsets_is_refused():
    """LS ≤ 0.9 example: (343, 353) says 'February 22' but text[343:353] is 'February 2'."""
    item = json.loads((DATA / "label-studio-exports" / "ls_examples_named_entity_completions_0.json").read_text())
    item = copy.deepcopy(item)
    item["data"]["doc_id"] = "legacy-0"
    result = resolve([item], ["Date", "Location"])
    assert any("'February 22'" in e and "'February 2'" in e for e in result.errors)
