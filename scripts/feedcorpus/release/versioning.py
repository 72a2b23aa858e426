"""Semantic versions of data releases: vX.Y.Z folder names and the rules for the next version."""

from __future__ import annotations

import re

from feedcorpus.errors import ReleaseError

VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")
# SemVer 2.0.0 §2: non-negative integers without leading zeros (03.00.001 is not 3.0.1, it is no version).
_CANONICAL = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
# A version part past this is a typo, and once published every normal version would be "older" than it.
LARGEST_PART = 9999


def parse_version(value: str) -> tuple[int, int, int]:
    text = value.strip()
    if not VERSION.match(text):
        raise ReleaseError(f"version {value!r} is not semantic (X.Y.Z)")
    match = _CANONICAL.match(text)
    if not match:
        raise ReleaseError(f"version {value!r} has a leading zero; semantic versions have none (X.Y.Z)")
    major, minor, patch = (int(x) for x in match.groups())
    if max(major, minor, patch) > LARGEST_PART:
        raise ReleaseError(f"version {value!r} has a part above {LARGEST_PART}; releases count up one at a time")
    return major, minor, patch


def version_name(value: str) -> str:
    return "v{}.{}.{}".format(*parse_version(value))
