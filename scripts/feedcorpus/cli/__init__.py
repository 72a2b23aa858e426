"""The `feedcorpus` command line: one small module per command group, registered on one click group.

Each command parses options, calls one library function and prints. Library code raises FeedcorpusError;
only the CLI turns errors into one-line messages and exit codes (0 success, 1 failure the user can fix,
2 wrong usage).
"""

from __future__ import annotations

import click

from feedcorpus import __version__
from feedcorpus.cli.evaluate import evaluate
from feedcorpus.cli.export import export
from feedcorpus.cli.fetch import fetch
from feedcorpus.cli.labels import labels
from feedcorpus.cli.preannotate import preannotate
from feedcorpus.cli.push import push
from feedcorpus.cli.releases import diff, versions
from feedcorpus.cli.report import report
from feedcorpus.cli.review import adjudicate, disputes
from feedcorpus.cli.select import select
from feedcorpus.cli.serve import connect_model, serve
from feedcorpus.cli.split import split
from feedcorpus.cli.studio import studio
from feedcorpus.cli.train import train


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="feedcorpus")
def cli() -> None:
    """Turn news feeds into a gold-annotated NER corpus.

    \b
    Pipeline:  [fetch →] split → preannotate → [select] → push (Label Studio) → annotate → export
    Live model: serve + studio connect-model (predictions in Label Studio, retrained from annotations)
    Example:   feedcorpus split corpus/feeds/*.txt
    """


for command in (
    fetch,
    split,
    labels,
    preannotate,
    select,
    studio,
    push,
    disputes,
    adjudicate,
    export,
    versions,
    diff,
    evaluate,
    report,
    train,
    serve,
):
    cli.add_command(command)
studio.add_command(connect_model)


def main() -> None:
    cli(prog_name="feedcorpus")
