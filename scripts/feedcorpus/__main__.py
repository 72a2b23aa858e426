"""`python -m feedcorpus` runs the same CLI as the console script."""

from feedcorpus.cli import main

main()
