"""A French article and its English version share names and numbers, not word 5-grams: linked, one cluster."""

from __future__ import annotations

import json

from actor_lookup import ACTORS
from feedcorpus.labels import load_label_schema
from feedcorpus.release.build import build
from feedcorpus.translations import anchors, translation_links
from testdata_paths import REPO

SCHEMA = load_label_schema(REPO / "schemas" / "labels.yaml")
EN = (
    "Attack near Ménaka\n\nGunmen killed 23 civilians in Tadjalalt near Ménaka on March 14, 2023, officials said. "
    "The Islamic State Sahel Province (ISSP) was blamed; 12 others were wounded and 340 families fled to Ménaka. "
    "Governor Daouda Maïga said 4 villages were empty and asked MINUSMA and the FAMa for help."
)
FR = (
    "Attaque près de Ménaka\n\nDes hommes armés ont tué 23 civils à Tadjalalt, près de Ménaka, le 14 mars 2023, "
    "selon les autorités. L'État islamique au Sahel (EIS) est mis en cause ; 12 autres personnes ont été blessées "
    "et 340 familles ont fui vers Ménaka. Le gouverneur Daouda Maïga a indiqué que 4 villages étaient vides et a "
    "demandé l'aide de la MINUSMA et des FAMa."
)
OTHER_EN = (
    "Drone strike in Kidal\n\nA drone strike hit a market in Kidal on October 3, 2024, killing 8 people, residents "
    "said. The FLA accused the army; Bamako said it targeted 2 jihadist commanders near Tessalit and Aguelhok."
)


def test_anchors_are_numbers_and_names_that_do_not_open_a_sentence():
    found = anchors("Gunmen killed 23 civilians near Ménaka. Officials blamed JNIM on 1,200 homes.")
    assert {"23", "1200", "ménaka", "jnim"} <= found and "gunmen" not in found and "officials" not in found


def test_a_translation_is_linked_and_an_article_on_another_event_is_not():
    docs = [("en-1", "en", EN), ("fr-1", "fr", FR), ("en-2", "en", OTHER_EN)]
    assert translation_links(docs) == [("en-1", "fr-1")]
    assert translation_links([("en-1", "en", EN), ("en-3", "en", EN)]) == []  # same language: MinHash's job


def test_a_bilingual_release_keeps_the_translation_in_the_cluster_of_its_original():
    tasks = [
        {"id": i, "data": {"text": text, "doc_id": doc_id, "language": lang}, "annotations": [{"id": i, "result": []}]}
        for i, (doc_id, lang, text) in enumerate([("a-en", "en", EN), ("b-fr", "fr", FR), ("c-en", "en", OTHER_EN)], 1)
    ]
    built = build(json.dumps(tasks).encode(), version="1.0.0", schema=SCHEMA, actors=ACTORS)
    rows = {r["id"]: r for r in built.rows}
    assert rows["a-en"]["cluster"] == rows["b-fr"]["cluster"] != rows["c-en"]["cluster"]
    assert rows["a-en"]["split"] == rows["b-fr"]["split"] and rows["a-en"]["fold"] == rows["b-fr"]["fold"]
    assert rows["b-fr"]["language"] == "fr" and "b-fr translates a-en (shared names and numbers)" in built.report.copies
    card = built.files["README.md"].decode()
    header = card.split("---")[1]
    assert "- en\n- fr" in header and "multilingual" in header
    per_language = [line for line in card.splitlines() if line.startswith("| `fr` |")]
    assert len(per_language) == 1 and per_language[0].split(" | ")[4] == str(len(rows["b-fr"]["sentences"]))


def test_a_bilingual_release_loads_with_each_language_tokenized_by_its_own_rules(tmp_path):
    from datasets import load_dataset

    from feedcorpus.release.store import ReleaseStore

    text = "Attaque à Ménaka\n\nL'armée malienne a repris Ménaka « hier ». Les FAMa l'ont annoncé."
    start = text.index("FAMa")
    region = {"type": "labels", "from_name": "label", "to_name": "text"}
    value = {"start": start, "end": start + 4, "text": "FAMa", "labels": ["ORG"]}
    tasks = [
        {"id": 1, "data": {"text": EN, "doc_id": "a-en", "language": "en"}, "annotations": [{"id": 1, "result": []}]},
        {
            "id": 2,
            "data": {"text": text, "doc_id": "b-fr", "language": "fr"},
            "annotations": [{"id": 2, "result": [{**region, "value": value}]}],
        },
    ]
    built = build(json.dumps(tasks).encode(), version="1.0.0", schema=SCHEMA, actors=ACTORS)
    target = ReleaseStore(tmp_path / "annotations").publish(built, SCHEMA)
    sentences = load_dataset(str(target), "sentences")
    rows = [r for split in sentences for r in sentences[split] if r["doc_id"] == "b-fr"]
    assert {r["language"] for r in rows} == {"fr"}
    assert [r["text"] for r in rows] == [
        "Attaque à Ménaka",
        "L'armée malienne a repris Ménaka « hier ».",
        "Les FAMa l'ont annoncé.",
    ]
    french = next(r for r in rows if r["entities"])
    assert french["tokens"][:3] == ["Les", "FAMa", "l'"] and french["entities"][0]["text"] == "FAMa"
