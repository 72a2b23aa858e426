"""The label schema (schemas/labels.yaml) and everything derived from it: Label Studio config, tag names, mapping."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from xml.sax.saxutils import quoteattr

import yaml

from feedcorpus.errors import FeedcorpusError
from feedcorpus.fileio import sha256_text

FROM_NAME = "label"  # the <Labels> control's name in the Label Studio config
TO_NAME = "text"  # the <Text> object's name, and the task data key it shows
_LABEL_NAME = re.compile(r"^[A-Z][A-Z_]*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Label:
    name: str
    definition: str
    color: str
    spacy: tuple[str, ...]


@dataclass(frozen=True)
class LabelSchema:
    name: str
    version: int
    labels: tuple[Label, ...]
    dropped: tuple[str, ...]
    source_text: str

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    @cached_property
    def spacy_map(self) -> dict[str, str]:
        """spaCy label → corpus label; labels not in it (the dropped ones, or unknown) are discarded."""
        return {spacy: label.name for label in self.labels for spacy in label.spacy}

    @property
    def sha256(self) -> str:
        return sha256_text(self.source_text)

    def tag_names(self) -> list[str]:
        """IOB2 tag names in ClassLabel order: O first, then B-/I- per label in schema order."""
        return ["O"] + [f"{prefix}-{name}" for name in self.names for prefix in ("B", "I")]

    def map_spacy_label(self, spacy_label: str) -> str | None:
        if spacy_label in self.names:
            return spacy_label
        return self.spacy_map.get(spacy_label)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error on one line: where and what (PyYAML's own message spans several lines)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark is not None else str(problem)


def parse_label_schema(text: str, *, origin: str = "labels.yaml") -> LabelSchema:
    """Parse and check the label schema; errors name the file and the offending entry."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FeedcorpusError(f"not valid YAML ({yaml_problem(exc)})", path=origin) from exc
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list) or not data["labels"]:
        raise FeedcorpusError("expected a mapping with a non-empty 'labels' list", path=origin)
    labels: list[Label] = []
    seen_spacy: dict[str, str] = {}
    for index, entry in enumerate(data["labels"]):
        record = f"labels[{index}]"
        if not isinstance(entry, dict):
            raise FeedcorpusError("each label must be a mapping", path=origin, record=record)
        name = entry.get("name", "")
        if not _LABEL_NAME.match(str(name)):
            raise FeedcorpusError(f"label name {name!r} must be UPPER_CASE", path=origin, record=record)
        if name in (label.name for label in labels):
            raise FeedcorpusError(f"label {name} is defined twice", path=origin, record=record)
        if not _COLOR.match(str(entry.get("color", ""))):
            raise FeedcorpusError(f"{name}: color must look like #rrggbb", path=origin, record=record)
        if not str(entry.get("definition", "")).strip():
            raise FeedcorpusError(f"{name}: definition is missing", path=origin, record=record)
        spacy = tuple(entry.get("spacy") or ())
        for spacy_label in spacy:
            if spacy_label in seen_spacy:
                raise FeedcorpusError(
                    f"{name}: spaCy label {spacy_label} already maps to {seen_spacy[spacy_label]}",
                    path=origin,
                    record=record,
                )
            seen_spacy[spacy_label] = name
        labels.append(Label(name, " ".join(str(entry["definition"]).split()), entry["color"], spacy))
    dropped = tuple(data.get("dropped") or ())
    clash = set(dropped) & set(seen_spacy)
    if clash:
        raise FeedcorpusError(f"labels both mapped and dropped: {sorted(clash)}", path=origin)
    return LabelSchema(str(data.get("name", "labels")), int(data.get("version", 1)), tuple(labels), dropped, text)


def load_label_schema(path: Path) -> LabelSchema:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FeedcorpusError(exc.strerror or str(exc), path=path) from exc
    return parse_label_schema(text, origin=str(path))


def label_config_xml(schema: LabelSchema) -> str:
    """The Label Studio labeling config for NER over the document text: one <Label> per schema label, with its
    colour and definition, and hotkeys 1–9 in schema order."""
    lines = [
        "<View>",
        '  <Header value="$title"/>',
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}" showInline="true">',
    ]
    for number, label in enumerate(schema.labels, 1):
        hotkey = f" hotkey={quoteattr(str(number))}" if number <= 9 else ""
        lines.append(
            f"    <Label value={quoteattr(label.name)} background={quoteattr(label.color)}{hotkey} "
            f"hint={quoteattr(label.definition)}/>"
        )
    lines += ["  </Labels>", f'  <Text name="{TO_NAME}" value="${TO_NAME}"/>', "</View>", ""]
    return "\n".join(lines)
