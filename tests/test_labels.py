"""The label schema is the single source of truth; derived artefacts are checked against it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.errors import FeedcorpusError
from feedcorpus.labels import label_config_xml, load_label_schema, parse_label_schema
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")


def test_the_nine_labels_in_order():
    assert SCHEMA.names == ["PERSON", "NORP", "ORG", "ARMED_GROUP", "GPE", "LOC", "FAC", "DATE", "EVENT"]


def test_tag_names_are_iob2_with_o_first_in_schema_order():
    tags = SCHEMA.tag_names()
    assert tags[0] == "O"
    assert tags[1:5] == ["B-PERSON", "I-PERSON", "B-NORP", "I-NORP"]
    assert len(tags) == 1 + 2 * 9


def test_spacy_mapping_drops_numeric_labels():
    assert SCHEMA.map_spacy_label("GPE") == "GPE"
    assert SCHEMA.map_spacy_label("ARMED_GROUP") == "ARMED_GROUP"
    for dropped in ["CARDINAL", "ORDINAL", "TIME", "MONEY", "QUANTITY", "PERCENT"]:
        assert SCHEMA.map_spacy_label(dropped) is None
        assert dropped in SCHEMA.dropped


def test_committed_label_config_is_generated_from_the_schema():
    assert (REPO / "schemas" / "label_config.xml").read_text("utf-8") == label_config_xml(SCHEMA)


def test_label_config_parses_with_the_sdk_and_lists_every_label():
    from label_studio_sdk.label_interface import LabelInterface

    interface = LabelInterface(label_config_xml(SCHEMA))
    control = interface.get_control("label")
    assert control.to_name == ["text"]
    assert list(control.labels) == SCHEMA.names


def test_labels_check_command(tmp_path):
    import shutil

    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    ok = CliRunner().invoke(cli, ["labels", "--check", "--project-dir", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    (tmp_path / "schemas" / "label_config.xml").write_text("<View/>", "utf-8")
    stale = CliRunner().invoke(cli, ["labels", "--check", "--project-dir", str(tmp_path)])
    assert stale.exit_code == 1
    assert "is out of date; run `feedcorpus labels --write`" in stale.stderr
    CliRunner().invoke(cli, ["labels", "--write", "--project-dir", str(tmp_path)])
    assert (tmp_path / "schemas" / "label_config.xml").read_text("utf-8") == label_config_xml(SCHEMA)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("labels: []", "non-empty 'labels' list"),
        ("labels: [{name: person, color: '#000000', definition: x}]", "must be UPPER_CASE"),
        ("labels: [{name: A, color: red, definition: x}]", "color must look like #rrggbb"),
        (
            "labels: [{name: A, color: '#000000', definition: x}, {name: A, color: '#000000', definition: y}]",
            "defined twice",
        ),
        (
            "labels: [{name: A, color: '#000000', definition: x, spacy: [ORG]}, "
            "{name: B, color: '#000000', definition: y, spacy: [ORG]}]",
            "already maps to A",
        ),
        ("labels: [{name: A, color: '#000000'}]", "definition is missing"),
        ("labels: [{name: A, color: '#000000', definition: x, spacy: [DATE]}]\ndropped: [DATE]", "mapped and dropped"),
        ("labels: [", "not valid YAML"),
    ],
)
def test_bad_schemas_are_rejected_with_a_clear_message(yaml_text, message):
    with pytest.raises(FeedcorpusError, match=message):
        parse_label_schema(yaml_text, origin="schemas/labels.yaml")
