"""`feedcorpus labels`: the label set and the Label Studio config generated from it."""

from __future__ import annotations

from pathlib import Path

import click

from feedcorpus.cli.common import label_schema, project_dir_option, reports_errors
from feedcorpus.paths import ProjectPaths


@click.command()
@click.option("--write", is_flag=True, help="Regenerate schemas/label_config.xml from schemas/labels.yaml.")
@click.option("--check", is_flag=True, help="Exit 1 when schemas/label_config.xml differs from what the schema gives.")
@project_dir_option
@reports_errors
def labels(write: bool, check: bool, project_dir: Path) -> None:
    """Show the label set, or regenerate/check the Label Studio config derived from it.

    schemas/labels.yaml is the single source of truth; the labeling config, the dataset's ClassLabel
    names and the card's label table are generated from it.

    \b
    Example:
      feedcorpus labels            # table of labels and their spaCy mapping
      feedcorpus labels --write    # after editing schemas/labels.yaml
    """
    from feedcorpus.fileio import atomic_write_text
    from feedcorpus.labels import label_config_xml

    paths = ProjectPaths(project_dir)
    schema = label_schema(paths)
    config = label_config_xml(schema)
    target = paths.schemas / "label_config.xml"
    if write:
        atomic_write_text(target, config)
        click.echo(f"wrote {target}")
        return
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != config:
            raise click.ClickException(f"{target} is out of date; run `feedcorpus labels --write`")
        click.echo(f"{target} matches {paths.schemas / 'labels.yaml'}")
        return
    for label in schema.labels:
        mapped = ",".join(label.spacy) or "(patterns only)"
        click.echo(f"{label.name:<12} {mapped:<18} {label.definition}")
    click.echo(f"dropped spaCy labels: {', '.join(schema.dropped)}")
