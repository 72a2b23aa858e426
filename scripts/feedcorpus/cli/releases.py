"""`feedcorpus versions` and `feedcorpus diff`: the published releases, verified and compared."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from feedcorpus.cli.common import actor_lookup, card_settings, label_schema, project_dir_option, reports_errors
from feedcorpus.paths import ProjectPaths


@click.command()
@click.option("--rebuild", is_flag=True, help="Also rebuild each release from its snapshot and compare checksums.")
@project_dir_option
@reports_errors
def versions(rebuild: bool, project_dir: Path) -> None:
    """List the releases in annotations/ and verify every file against its manifest's sha256.

    With --rebuild, each release is also rebuilt from its own Label Studio snapshot and every data file
    must come out byte-identical (the card too, unless the guidelines, card settings or card template
    changed since it was written). Exits 1 when any release is damaged or does not rebuild.

    \b
    Example:
      feedcorpus versions
      feedcorpus versions --rebuild
    """
    from feedcorpus.release.compare import rebuild_problems
    from feedcorpus.release.store import ReleaseStore, read_manifest

    paths = ProjectPaths(project_dir)
    store = ReleaseStore(paths.annotations)
    found = store.releases()
    if not found:
        click.echo("no releases yet")
        return
    damaged = 0
    previous: tuple[int, dict[str, str]] = (-1, {})  # MAJOR version and splits of the release before
    for (major, _, _), path in found:
        manifest = read_manifest(path)
        problems = store.verify(path)
        if rebuild and not problems:
            problems = rebuild_problems(
                path,
                label_schema(paths),
                previous_splits=previous[1] if previous[0] == major else {},  # as export did: see check_bump
                guidelines=paths.schema("guidelines.md").read_text("utf-8"),
                settings=card_settings(paths),
                actors_from=lambda source: actor_lookup(source, paths),
            )
        previous = (major, dict(manifest.get("splits", {})))
        docs = manifest["counts"]["documents"]
        verified = "ok, rebuilt identically" if rebuild else "ok"
        state = verified if not problems else f"DAMAGED ({len(problems)} problems)"
        click.echo(
            f"{path.name}  {manifest['created_at'][:10]}  {sum(docs.values())} documents  "
            f"{len(manifest['files'])} files  {state}"
        )
        for problem in problems:
            click.echo(f"  {problem}")
        damaged += bool(problems)
    if damaged:
        sys.exit(1)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@project_dir_option
@reports_errors
def diff(old: str, new: str, as_json: bool, project_dir: Path) -> None:
    """Show what changed between two releases: columns, split moves, actor ids, documents and spans.

    \b
    Example:
      feedcorpus diff 1.0.0 1.1.0
    """
    from feedcorpus.release.compare import diff as compare
    from feedcorpus.release.store import ReleaseStore

    store = ReleaseStore(ProjectPaths(project_dir).annotations)
    result = compare(store.release_dir(old), store.release_dir(new))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(
        f"documents added: {len(result.added_documents)}, removed: {len(result.removed_documents)}, "
        f"changed: {len(result.changed_documents)}"
    )
    for column in result.added_columns:
        click.echo(f"+ column {column}")
    for column in result.removed_columns:
        click.echo(f"- column {column}")
    if result.moves:
        click.echo(f"split moves: {len(result.moves)}")
    kb_changes = sum(len(found) for found in result.kb_ids.values())
    if kb_changes:
        click.echo(f"kb_id changes: {kb_changes} entities in {len(result.kb_ids)} documents")
    for doc_id in result.added_documents:
        click.echo(f"+ {doc_id}")
    for doc_id in result.removed_documents:
        click.echo(f"- {doc_id}")
    for doc_id, change in result.changed_documents.items():
        click.echo(f"~ {doc_id}")
        for span in change.added:
            click.echo(f"    + [{span.start}:{span.end}) {span.label} {span.text!r}")
        for span in change.removed:
            click.echo(f"    - [{span.start}:{span.end}) {span.label} {span.text!r}")
        if change.split:
            click.echo(f"    split {change.split[0]} → {change.split[1]}")
        for kb in result.kb_ids.get(doc_id, []):
            click.echo(f"    kb_id [{kb.span.start}:{kb.span.end}) {kb.span.text!r}: {kb.old} → {kb.new}")
    for doc_id in sorted(set(result.kb_ids) - set(result.changed_documents)):
        click.echo(f"~ {doc_id}")
        for kb in result.kb_ids[doc_id]:
            click.echo(f"    kb_id [{kb.span.start}:{kb.span.end}) {kb.span.text!r}: {kb.old} → {kb.new}")
