"""The repository's actor registry as the release build sees it (what `feedcorpus export` passes)."""

from __future__ import annotations

from feedcorpus.cli.common import project_actors
from feedcorpus.paths import ProjectPaths
from testdata_paths import REPO

ACTORS = project_actors(ProjectPaths(REPO))
