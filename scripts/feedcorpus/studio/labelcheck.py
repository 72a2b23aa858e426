"""Predictions checked against the labeling config before Label Studio stores them (it stores anything)."""

from __future__ import annotations

import json
from typing import Any

from label_studio_sdk.label_interface.interface import LabelInterface

from feedcorpus.errors import StudioError


class ConfigValidator:
    """The SDK's LabelInterface checks a region's structure (names, type, labels, value types), not its
    offsets, which `spans.check_span` checks against the text. So each distinct region shape is validated
    once: 10,000 tasks with 16 regions each cost a few hundred checks instead of 160,000.
    """

    def __init__(self, label_config: str) -> None:
        self.interface = LabelInterface(label_config)
        self._valid_shapes: set[str] = set()

    @staticmethod
    def _shape(region: dict[str, Any]) -> str:
        value = region.get("value")
        if isinstance(value, dict):
            value = {k: v if k not in ("start", "end", "text") else type(v).__name__ for k, v in value.items()}
        return json.dumps({**region, "value": value, "id": type(region.get("id")).__name__}, sort_keys=True)

    def validate(self, predictions: list[dict[str, Any]], *, record: str = "") -> None:
        for item in predictions:
            result = item.get("result")
            shapes: dict[str, dict[str, Any]] = {}
            if isinstance(result, list) and all(isinstance(r, dict) for r in result):
                shapes = {self._shape(r): r for r in result}
                fresh = [r for key, r in shapes.items() if key not in self._valid_shapes]
                item = {**item, "result": fresh}
            errors = self.interface.validate_prediction(item, return_errors=True)  # type: ignore[no-untyped-call]
            if errors:
                raise StudioError(f"prediction does not fit the labeling config: {errors[0]}", record=record)
            self._valid_shapes.update(shapes)

    def labels(self) -> set[str]:
        """Every label value the config's Labels controls offer."""
        found: set[str] = set()
        for control in self.interface.controls:
            found.update(getattr(control, "labels", None) or [])
        return found
