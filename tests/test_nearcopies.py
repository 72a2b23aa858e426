"""Near-copy clusters: crafted wire-copy cases, the seed's own AFP repeats, and split storing them."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from feedcorpus.cli import cli
from feedcorpus.documents import build_text
from feedcorpus.nearcopies import cluster_documents
from testdata_paths import REPO, SEED

WIRE = [
    "Unidentified gunmen attacked a military post near the border town of Ménaka on Tuesday, killing at least "
    "twelve soldiers and wounding several others, according to a local official who asked not to be named.",
    "The army said in a statement that reinforcements had been sent to the area and that a search operation "
    "was under way, while residents described hours of heavy gunfire before the attackers withdrew on motorbikes.",
    "Violence linked to jihadist groups has spread from the north of the country to its centre since 2012, "
    "killing thousands of civilians and soldiers and forcing hundreds of thousands of people from their homes.",
]
OTHER = [
    "Farmers in the southern region celebrated an unusually good harvest this year after regular rains arrived "
    "early in the season, lifting hopes that food prices in local markets will fall before the end of the year.",
    "Officials from the agriculture ministry toured several cooperatives and promised new storage facilities, "
    "while traders warned that roads damaged by floods would slow deliveries to the capital in the coming weeks.",
]


def doc(doc_id: str, title: str, paragraphs: list[str]) -> tuple[str, str, int]:
    text, offset = build_text(title, paragraphs)
    return doc_id, text, offset


def test_reordered_paragraphs_a_new_lede_and_a_syndicated_copy_are_one_cluster_and_the_rest_is_not():
    lede = "A new opening paragraph written by another outlet, nothing like the wire text."
    documents = [
        doc("a-original", "Soldiers killed near Ménaka", WIRE),
        doc("b-reordered", "Attack on army post", [WIRE[2], WIRE[0], WIRE[1]]),
        doc("c-new-lede", "Mali: deadly raid", [lede, *WIRE[1:]]),
        doc("d-syndicated", "Soldiers killed near Ménaka", WIRE),
        doc("e-unrelated", "Good harvest in the south", OTHER),
    ]
    clustering = cluster_documents(documents)
    assert clustering.members() == {
        "a-original": ["a-original", "b-reordered", "c-new-lede", "d-syndicated"],
        "e-unrelated": ["e-unrelated"],
    }
    assert clustering.exact_copies() == [("a-original", "d-syndicated")]
    assert "3 documents repeat wire copy of a-original" in clustering.report()
    assert "a-original and d-syndicated have the same text (a syndicated copy; both kept)" in clustering.report()


def test_one_shared_wire_paragraph_links_two_otherwise_different_articles():
    clustering = cluster_documents([doc("x1", "One", [OTHER[0], WIRE[0]]), doc("x2", "Two", [WIRE[0], OTHER[1]])])
    assert clustering.cluster_of == {"x1": "x1", "x2": "x1"}
    assert [link.kind for link in clustering.links] == ["paragraph"]


def test_clusters_do_not_depend_on_input_order():
    documents = [doc("m", "M", WIRE), doc("k", "K", WIRE[:2]), doc("z", "Z", OTHER)]
    assert cluster_documents(documents).cluster_of == cluster_documents(reversed(documents)).cluster_of


def test_split_stores_the_seeds_clusters_and_reports_the_wire_copy(project):
    feed = project / "corpus" / "feeds" / "seed.txt"
    shutil.copy(SEED, feed)
    result = CliRunner().invoke(cli, ["split", "--project-dir", str(project), str(feed)])
    assert result.exit_code == 0, result.output
    assert "Copies: 3 documents repeat wire copy of thedefensepost-81740" in result.stderr
    clusters = {
        p.stem: json.loads(p.read_text("utf-8"))["cluster"] for p in (project / "corpus" / "documents").glob("*.json")
    }
    tinzaouatene = {"thedefensepost-81740", "thedefensepost-81853", "thedefensepost-81981", "thedefensepost-82229"}
    assert {d for d, c in clusters.items() if c == "thedefensepost-81740"} == tinzaouatene
    assert clusters == {
        p.stem: json.loads(p.read_text("utf-8"))["cluster"] for p in (REPO / "corpus" / "documents").glob("*.json")
    }
    again = CliRunner().invoke(cli, ["split", "--project-dir", str(project), str(feed)])
    assert "0 written, 0 changed, 10 unchanged" in again.stdout
