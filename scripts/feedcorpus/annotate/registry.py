"""The actor registry (schemas/actors.yaml): the one source for armed groups' ids, names and aliases.

It generates the ARMED_GROUP ruler patterns (each carrying the actor's id) and, for a release, maps an
annotated mention back to its actor by alias. Checked on load: the JSON schema, every alias unique across
actors, every parent/successor/predecessor an existing id.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from feedcorpus.errors import ModelError
from feedcorpus.labels import yaml_problem

# A generic head after a name stays outside the span ("the Wagner group" → Wagner), except in AFP's fixed
# name "Islamic State group", which is an alias itself; matching tolerates it the same way.
_HEADS = re.compile(r"\s+(?:group|fighters|militants|militia|militiamen|mercenaries|rebels|jihadists)$")


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    acled_name: str
    kind: str
    parent: str | None
    countries: tuple[str, ...]
    active: tuple[int | None, int | None]
    predecessors: tuple[str, ...]
    successor: str | None
    aliases: tuple[str, ...]
    sources: tuple[str, ...]


def normal(text: str) -> str:
    """How mentions are compared with aliases: NFC, straight apostrophes, one space, case-folded, no 'the'."""
    text = unicodedata.normalize("NFC", text).replace("’", "'").replace("‘", "'")
    text = " ".join(text.split()).casefold()
    return text.removeprefix("the ")


@dataclass(frozen=True)
class ActorRegistry:
    actors: tuple[Actor, ...]
    source_text: str = ""

    @cached_property
    def by_id(self) -> dict[str, Actor]:
        return {actor.id: actor for actor in self.actors}

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Normalised alias → actor id."""
        return {normal(alias): actor.id for actor in self.actors for alias in actor.aliases}

    def match(self, mention: str) -> str | None:
        """The id of the actor a mention names, by alias (None when the registry does not know it)."""
        key = normal(mention)
        found = self.aliases.get(key)
        if found is None and (stripped := _HEADS.sub("", key)) != key:
            found = self.aliases.get(stripped)
        return found


def _check(actors: list[Actor], origin: str) -> None:
    ids = {actor.id for actor in actors}
    if len(ids) != len(actors):
        raise ModelError("an actor id is used twice", path=origin)
    owner: dict[str, str] = {}
    for actor in actors:
        if actor.name not in actor.aliases:
            raise ModelError(f"{actor.id}: the canonical name {actor.name!r} is not among its aliases", path=origin)
        for alias in actor.aliases:
            key = normal(alias)
            if owner.setdefault(key, actor.id) != actor.id:
                raise ModelError(f"alias {alias!r} belongs to both {owner[key]} and {actor.id}", path=origin)
        for ref in [actor.parent, actor.successor, *actor.predecessors]:
            if ref is not None and ref not in ids:
                raise ModelError(f"{actor.id}: refers to unknown actor {ref!r}", path=origin)


def parse_registry(text: str, schema: dict[str, Any], *, origin: str = "actors.yaml") -> ActorRegistry:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ModelError(f"not valid YAML ({yaml_problem(exc)})", path=origin) from exc
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(file)"
        raise ModelError(f"{where}: {error.message}", path=origin)
    actors = [
        Actor(
            id=a["id"],
            name=a["name"],
            acled_name=a["acled_name"],
            kind=a["kind"],
            parent=a["parent"],
            countries=tuple(a["countries"]),
            active=(a["active"][0], a["active"][1]),
            predecessors=tuple(a["predecessors"]),
            successor=a["successor"],
            aliases=tuple(a["aliases"]),
            sources=tuple(a["sources"]),
        )
        for a in data["actors"]
    ]
    _check(actors, origin)
    return ActorRegistry(tuple(actors), text)


def load_registry(path: Path, schema_path: Path) -> ActorRegistry:
    try:
        text = Path(path).read_text(encoding="utf-8")
        schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the actor registry ({exc})", path=path) from exc
    return parse_registry(text, schema, origin=str(path))
