"""Semantic versions of data releases: vX.Y.Z folder names and the rules for the next version."""

from __future__ import annotations

import re

from feedcorpus.errors import ReleaseError

VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


def parse_version(value: str) -> tuple[int, int, int]:
    match = VERSION.match(value.strip())
    if not match:
        raise ReleaseError(f"version {value!r} is not semantic (X.Y.Z)")
    major, minor, patch = (int(x) for x in match.groups())
    return major, minor, patch


def version_name(value: str) -> str:
    return "v{}.{}.{}".format(*parse_version(value))
