"""Paths of the repository and of the test data, shared by every test module."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
FEEDS = DATA / "feeds"
SEED = FEEDS / "seed_thedefensepost_mali.txt"
