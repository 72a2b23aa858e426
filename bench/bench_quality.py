"""Benchmark pre-annotation quality on unseen articles, and training cost, in one run.

Four pre-annotators, each scored (entity P/R/F1 per label, exact span and label) on the development set
(tests/data/dev-unseen), the held-out test set (tests/data/test-unseen) and the seed release v1.0.0:
  stock           en_core_web_sm's ner alone, labels mapped
  stock+lists     + the EntityRuler from the actor registry and gazetteers + the guideline rules (the default)
  trained         the ner fine-tuned on v1.0.0 by `feedcorpus train`, alone
  trained+lists   the trained ner + the same ruler and rules
Training runs in its own process (time and peak memory are its own); the trained model has seen v1.0.0, so
its v1.0.0 figure is in-sample and the training report's k-fold cross-validation is printed instead.
Usage: python bench/bench_quality.py [--epochs N] [--folds K] [--no-rehearsal]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import synthetic
from feedcorpus import metrics
from feedcorpus.annotate.preannotate import annotate
from feedcorpus.annotate.preannotator import build_preannotator
from feedcorpus.documents import Document
from feedcorpus.fileio import sha256_text
from feedcorpus.labels import load_label_schema
from feedcorpus.paths import ProjectPaths
from feedcorpus.release.compare import gold_rows
from feedcorpus.spans import Span
from measure import in_subprocess, peak_mb, save, table

REPO = synthetic.REPO
SETS = {
    "dev-unseen": REPO / "tests/data/dev-unseen/articles.jsonl",
    "test-unseen": REPO / "tests/data/test-unseen/articles.jsonl",
}


def load_sets() -> dict[str, dict[str, tuple[str, list[Span]]]]:
    sets = {}
    for name, path in SETS.items():
        items = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        sets[name] = {
            a["id"]: (a["text"], [Span(e["start"], e["end"], e["label"], e["text"]) for e in a["entities"]])
            for a in items
        }
    sets["v1.0.0"] = {r.id: (r.text, r.entities) for r in gold_rows(REPO / "annotations" / "v1.0.0")}
    return sets


def scores(pipeline, items: dict[str, tuple[str, list[Span]]], schema) -> dict[str, metrics.Score]:
    docs = [
        Document(i, "", None, None, "", "", None, None, [], t, 0, sha256_text(t), "") for i, (t, _) in items.items()
    ]
    predicted = {doc.id: spans for doc, spans in annotate(pipeline, docs, schema)}
    return metrics.compare({i: g for i, (_, g) in items.items()}, predicted, schema.names)


def worker(epochs: str, folds: str, rehearsal: str) -> None:
    """Train from v1.0.0 in this process; print seconds, peak memory and the report."""
    from feedcorpus.annotate.pipeline import DEFAULT_MODEL
    from feedcorpus.annotate.train import GoldDoc, TrainSettings, train

    schema = load_label_schema(REPO / "schemas" / "labels.yaml")
    docs = [GoldDoc(r.id, r.text, tuple(r.entities), r.split) for r in gold_rows(REPO / "annotations" / "v1.0.0")]
    settings = TrainSettings(base=DEFAULT_MODEL, epochs=int(epochs), folds=int(folds), rehearsal=rehearsal == "1")
    start = time.perf_counter()
    report = train(docs, REPO / "models", release="v1.0.0", schema=schema, settings=settings, force=True)
    cv = {k: s.to_json() for k, s in report.cross_validated.items()}
    result = {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_mb(),
        "items": len(docs),
        "path": str(report.path),
    }
    print(json.dumps({**result, "cross_validated": cv, "folds": report.folds}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-rehearsal", action="store_true")
    args = parser.parse_args()
    paths = ProjectPaths(REPO)
    schema = load_label_schema(paths.schema("labels.yaml"))
    sets = load_sets()
    rehearsal = "0" if args.no_rehearsal else "1"
    trained = in_subprocess(Path(__file__), str(args.epochs), str(args.folds), rehearsal)
    print(
        f"training from v1.0.0 ({trained['items']} documents, {args.epochs} epochs, {trained['folds']}-fold CV + final "
        f"model, pseudo-rehearsal {'off' if args.no_rehearsal else 'on'}): {trained['seconds']:.0f} s, "
        f"peak {trained['peak_mb']:,.0f} MB"
    )
    configs = {
        "stock": build_preannotator(paths, schema, patterns=False, rules=False),
        "stock+lists": build_preannotator(paths, schema),
        "trained": build_preannotator(paths, schema, model=trained["path"], patterns=False, rules=False),
        "trained+lists": build_preannotator(paths, schema, model=trained["path"]),
    }
    results: dict[str, dict[str, dict]] = {}
    for set_name, items in sets.items():
        per_config = {name: scores(pipeline, items, schema) for name, pipeline in configs.items()}
        results[set_name] = {name: {k: s.to_json() for k, s in sc.items()} for name, sc in per_config.items()}
        support = per_config["stock"]
        rows = []
        for label in ["overall", *schema.names]:
            if support[label].tp + support[label].fn == 0:
                continue
            cells = [f"{per_config[name][label].f1:.3f}" for name in configs]
            rows.append([label, str(support[label].tp + support[label].fn), *cells])
        seen = " (trained configs: in-sample)" if set_name == "v1.0.0" else ""
        print(f"\nF1 on {set_name}, {len(items)} documents{seen}:")
        print(table(rows, ["label", "gold", *configs]))
        overall = [
            f"{name} P {per_config[name]['overall'].precision:.3f} R {per_config[name]['overall'].recall:.3f}"
            for name in configs
        ]
        print("  " + "; ".join(overall))
    print(f"\n{trained['folds']}-fold cross-validation of the trained ner alone on v1.0.0 (pooled):")
    cv = trained["cross_validated"]
    print(
        table(
            [
                [k, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["support"])]
                for k, v in cv.items()
                if v["support"]
            ],
            ["label", "P", "R", "F1", "gold"],
        )
    )
    print(f"\ntrained pipeline: {trained['path']} — speed: python bench/bench_preannotate.py --model {trained['path']}")
    save("quality", {"training": trained, "results": results})


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:])
    else:
        main()
