"""Gazetteers from reference data (schemas/gazetteers/*.yaml, plus pycountry's subdivisions): places,
people, organisations and groups, each entry with the label it gets and every surface form.

Where each list comes from is in schemas/gazetteers/README.md; nothing here is taken from the articles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from feedcorpus.documents import slugify
from feedcorpus.errors import ModelError
from feedcorpus.labels import yaml_problem

FAMILIES = {"places": None, "people": "PERSON", "organisations": "ORG", "groups": "NORP"}  # file → default label
PYCOUNTRY_COUNTRIES = ("ML", "BF", "NE")  # first-level units of the three countries the corpus covers


@dataclass(frozen=True)
class Entry:
    id: str
    label: str
    name: str
    forms: tuple[str, ...]  # the name first, then its variants
    sources: tuple[str, ...]


def _entries(family: str, items: list[dict[str, Any]]) -> list[Entry]:
    default = FAMILIES[family]
    found = []
    for item in items:
        label = str(item.get("label") or default)
        forms = tuple(dict.fromkeys([item["name"], *item.get("variants", [])]))
        found.append(Entry(f"{family}:{slugify(item['name'], 64)}", label, item["name"], forms, tuple(item["sources"])))
    return found


def pycountry_entries(places: list[dict[str, Any]], countries: tuple[str, ...] = PYCOUNTRY_COUNTRIES) -> list[Entry]:
    """GPE entries for the first-level units pycountry knows that places.yaml does not list."""
    import pycountry

    listed = {item.get("pycountry") for item in places}
    forms = {form for item in places for form in [item["name"], *item.get("variants", [])]}
    found = []
    for country in countries:
        units: Any = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
        for unit in units or []:
            if unit.code in listed or unit.name in forms:
                continue
            source = f"pycountry ISO 3166-2 {unit.code} ({unit.type})"
            found.append(Entry(f"places:{slugify(unit.name, 64)}", "GPE", unit.name, (unit.name,), (source,)))
    return found


def load_gazetteers(folder: Path, schema_path: Path) -> list[Entry]:
    """Every gazetteer entry, checked against schemas/gazetteer.schema.json."""
    try:
        schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the gazetteer schema ({exc})", path=schema_path) from exc
    validator = jsonschema.Draft202012Validator(schema)
    entries: list[Entry] = []
    for family in FAMILIES:
        path = Path(folder) / f"{family}.yaml"
        if not path.exists():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ModelError(f"not valid YAML ({yaml_problem(exc)})", path=path) from exc
        except OSError as exc:
            raise ModelError(f"cannot read ({exc.strerror or exc})", path=path) from exc
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(file)"
            raise ModelError(f"{where}: {error.message}", path=path)
        items = data.get(family) or []
        entries += _entries(family, items)
        if family == "places":
            entries += pycountry_entries(items)
    return entries


def gazetteer_files(folder: Path) -> list[Path]:
    return [Path(folder) / f"{family}.yaml" for family in FAMILIES if (Path(folder) / f"{family}.yaml").exists()]
