"""Every command explains itself (--help with an example) and is documented in the README."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from feedcorpus.cli import cli
from testdata_paths import REPO

README = (REPO / "README.md").read_text("utf-8")


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_help_and_readme(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: cli {' '.join(path)}") or result.output.startswith("Usage:")
    assert len(result.output.splitlines()) > 4
    assert f"feedcorpus {path[0]}" in README
    if path[-1] not in ("install", "stop", "studio"):
        assert "Example" in result.output, f"{path} --help has no example"


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == ["make demo", "make test"]
    assert (REPO / ".ci" / "run").read_text().strip().endswith("make test")


def test_readme_command_reference_is_what_the_commands_say():
    """The block is generated from --help (`make docs`); every option of every command is in the README."""
    from feedcorpus.cli.reference import block

    assert block(cli) in README, "README's command reference is out of date: run `make docs`"
    for path in commands():
        command = cli
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        for param in command.params:
            for flag in getattr(param, "opts", []):
                if flag.startswith("-"):
                    assert f"`{flag}" in README or f", {flag}" in README, f"{' '.join(path)} {flag} not in README"
