"""The actor registry and the gazetteers: schema-valid, every alias unique, ids stable, sources everywhere."""

from __future__ import annotations

import json

import pytest
import yaml

from feedcorpus.annotate.gazetteers import load_gazetteers, pycountry_entries
from feedcorpus.annotate.registry import load_registry, normal, parse_registry
from feedcorpus.errors import ModelError
from testdata_paths import DATA, REPO

SCHEMAS = REPO / "schemas"
REGISTRY = load_registry(SCHEMAS / "actors.yaml", SCHEMAS / "actors.schema.json")
SCHEMA = json.loads((SCHEMAS / "actors.schema.json").read_text("utf-8"))
ENTRIES = load_gazetteers(SCHEMAS / "gazetteers", SCHEMAS / "gazetteer.schema.json")


def test_ids_are_stable_ids_only_ever_get_added():
    """tests/data/actor-ids.txt lists every id ever published; an id is never removed or renamed."""
    lines = (DATA / "actor-ids.txt").read_text("utf-8").splitlines()
    published = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert set(published) <= set(REGISTRY.by_id), sorted(set(published) - set(REGISTRY.by_id))


def test_the_sahel_actors_are_there_with_their_renamings():
    by_id = REGISTRY.by_id
    assert by_id["katiba-macina"].successor == "jnim" or by_id["katiba-macina"].parent == "jnim"
    assert by_id["csp-psd"].successor == "csp-dpa" and by_id["csp-dpa"].successor == "fla"
    assert by_id["isgs"].successor == "issp" and by_id["wagner"].successor == "africa-corps"
    assert by_id["jnim"].acled_name.startswith("JNIM: ")
    assert all(actor.sources for actor in REGISTRY.actors)


@pytest.mark.parametrize(
    ("mention", "actor"),
    [
        ("JNIM", "jnim"),
        ("Jama’at Nusrat al-Islam wal Muslimeen", "jnim"),
        ("Jama'at Nasr al-Islam wal Muslimin", "jnim"),
        ("Group for Support of Islam and Muslims", "jnim"),
        ("the Wagner group", "wagner"),
        ("Wagner Group", "wagner"),
        ("Islamic State group", "islamic-state"),
        ("Islamic State in the Greater Sahara", "isgs"),
        ("Azawad Liberation Front", "fla"),
        ("Volunteers for the Defence of the Homeland", "vdp"),
    ],
)
def test_mentions_map_to_actors_by_alias(mention, actor):
    assert REGISTRY.match(mention) == actor


def test_unknown_mentions_have_no_actor():
    assert REGISTRY.match("the Sahel Liberation Army of Nowhere") is None
    assert normal("  The  Jama’at ") == "jama'at"


def registry_text(change) -> str:
    data = yaml.safe_load((SCHEMAS / "actors.yaml").read_text("utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["actors"][1]["aliases"].append(d["actors"][0]["aliases"][0]), "belongs to both"),
        (lambda d: d["actors"][0].update(kind="gang"), "kind"),
        (lambda d: d["actors"][0].update(successor="no-such-actor"), "unknown actor 'no-such-actor'"),
        (lambda d: d["actors"][0].update(id="Bad Id"), "does not match"),
        (lambda d: d["actors"][0]["aliases"].remove(d["actors"][0]["name"]), "is not among its aliases"),
        (lambda d: d["actors"][0]["aliases"].append("Jama’at"), "does not match"),
    ],
)
def test_a_broken_registry_is_refused_naming_what_is_wrong(change, message):
    with pytest.raises(ModelError, match=message):
        parse_registry(registry_text(change), SCHEMA)


def test_every_gazetteer_form_is_unique_within_a_label_and_not_an_actor_alias():
    seen: dict[str, str] = {}
    aliases = set(REGISTRY.aliases)
    for entry in ENTRIES:
        assert entry.sources, entry.id
        for form in entry.forms:
            key = f"{entry.label}:{form}"
            assert seen.setdefault(key, entry.id) == entry.id, (form, seen[key], entry.id)
            assert normal(form) not in aliases or entry.label == "ARMED_GROUP", form


def test_gazetteers_cover_the_three_countries_first_level_units():
    import pycountry

    forms = {form for entry in ENTRIES if entry.label == "GPE" for form in entry.forms}
    for country in ("ML", "BF", "NE"):
        for unit in pycountry.subdivisions.get(country_code=country):
            assert unit.name in forms or any(unit.code in s for e in ENTRIES for s in e.sources), unit.code
    assert pycountry_entries([]), "pycountry gives entries for units places.yaml does not list"


def test_spelling_variants_and_ambiguities_follow_the_decisions():
    label_of = {form: entry.label for entry in ENTRIES for form in entry.forms}
    for a, b in (("Tinzaouatene", "Tin Zaouatine"), ("Ménaka", "Menaka"), ("Tillabéri", "Tillaberi")):
        assert label_of[a] == label_of[b] == "GPE"
    assert label_of["Niger"] == "GPE" and label_of["Niger River"] == "LOC"
    assert "Say" not in label_of  # the Nigerien town is also an English verb
