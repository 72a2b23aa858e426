"""Actor identity on released entities: every ARMED_GROUP mention gets the id of the actor it names.

The lookup is the actor registry (schemas/actors.yaml), matched by alias from the annotated text; the
release keeps a copy of the registry it used (source/actors.yaml), so a rebuild gives the same ids. Mentions
no alias matches keep a null id and are listed, so the registry can grow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from feedcorpus.markdown import md

REGISTRY_PATH = "source/actors.yaml"


@dataclass(frozen=True)
class ActorLookup:
    match: Callable[[str], str | None]  # mention text → actor id
    names: dict[str, tuple[str, str]]  # actor id → (canonical name, ACLED-style name)
    source: bytes  # the registry file it was made from


@dataclass(frozen=True)
class ActorCount:
    id: str
    name: str
    acled_name: str
    mentions: int


@dataclass
class ActorLinks:
    counts: list[ActorCount] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # "doc: 'text'"


def link(rows: list[dict[str, Any]], lookup: ActorLookup) -> ActorLinks:
    """Set kb_id on every ARMED_GROUP entity of the rows (in place); count mentions per actor."""
    counts: Counter[str] = Counter()
    links = ActorLinks()
    for row in rows:
        for entity in row["entities"]:
            if entity["label"] != "ARMED_GROUP":
                entity["kb_id"] = None
                continue
            entity["kb_id"] = lookup.match(entity["text"])
            if entity["kb_id"] is None:
                links.unmatched.append(f"{row['id']}: {entity['text']!r}")
            else:
                counts[entity["kb_id"]] += 1
    links.counts = [
        ActorCount(actor, *lookup.names.get(actor, (actor, actor)), mentions=n)
        for actor, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return links


def card_lines(links: ActorLinks) -> list[str]:
    lines = [
        "### Actors",
        "",
        "Every ARMED_GROUP entity carries `kb_id`, the id of the actor it names in the actor registry "
        "(`schemas/actors.yaml`; the copy used is `source/actors.yaml`), matched from the annotated text by alias "
        "(English and French names, transliterations, acronyms). `kb_id` is null for other labels and for mentions "
        "the registry does not know. Count mentions per actor with `kb_id`, not with the text.",
        "",
        "| actor id | ACLED-style name | mentions |",
        "|---|---|---|",
        *[f"| `{c.id}` | {md(c.acled_name)} | {c.mentions} |" for c in links.counts],
        "",
    ]
    if links.unmatched:
        shown = "; ".join(md(u) for u in links.unmatched[:50])
        lines += [f"{len(links.unmatched)} ARMED_GROUP mentions with no registry entry: {shown}.", ""]
    else:
        lines += ["Every ARMED_GROUP mention matched a registry entry.", ""]
    return lines
