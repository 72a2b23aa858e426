"""The shape of the package stays as the README's code map says: stages in sub-packages that import only
what the map allows, no import cycle, no module over 300 lines."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from testdata_paths import REPO

PACKAGE = REPO / "scripts" / "feedcorpus"
CORE = "core"
# What each part may import besides itself and the standard library / third-party packages.
ALLOWED = {
    CORE: {CORE},
    "stores": {CORE},
    "ingest": {CORE, "stores"},
    "annotate": {CORE, "stores"},
    "studio": {CORE, "stores"},
    "release": {CORE},
    "engines": {CORE, "stores", "annotate"},
    "report": {CORE, "stores", "release"},
    "selection": {CORE},
    "serve": {CORE, "stores", "annotate", "studio", "release"},
    "cli": {CORE, "stores", "ingest", "annotate", "studio", "release", "report", "engines", "selection", "serve"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part(module: str) -> str:
    if module == "feedcorpus.__main__":  # `python -m feedcorpus` is the command line
        return "cli"
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 2 or (len(pieces) == 2 and (PACKAGE / pieces[1]).is_dir()) else CORE


def imports(path: Path) -> set[str]:
    """Every feedcorpus module a file imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("feedcorpus"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("feedcorpus")}
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imports(path) - {name} for name, path in MODULES.items()}


def test_no_import_cycle():
    try:
        list(TopologicalSorter({m: {d for d in deps if d != "feedcorpus"} for m, deps in GRAPH.items()}).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle: {' → '.join(exc.args[1])}")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_code_map(module):
    mine = part(module)
    assert mine in ALLOWED, f"{module}: part {mine!r} is not in the code map"
    for target in GRAPH[module]:
        if target in ("feedcorpus", "feedcorpus.__main__"):
            continue
        theirs = part(target)
        assert theirs == mine or theirs in ALLOWED[mine], f"{module} imports {target} ({mine} may not import {theirs})"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text("utf-8").splitlines())
    assert lines <= 300, f"{module} has {lines} lines; one job per module"
