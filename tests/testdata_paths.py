"""Paths of the repository and of the test data, shared by every test module.

`DATA` holds only files this project wrote. Other projects' files (feedparser's test suite, rss-parser,
laminas-feed and feedjira fixtures, real news feeds, Label Studio example exports) are never copied into the
repository: the conformance suite (tests/conformance/) reads them in place from `SHARED_TESTDATA`, by default
the `shared/testdata` folder next to the clone, or the folder named by $FEEDCORPUS_SHARED_TESTDATA.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
FEEDS = DATA / "feeds"  # small synthetic feeds written for these tests
SEED = REPO / "corpus" / "feeds" / "thedefensepost-mali-2024.txt"
SHARED_TESTDATA = Path(os.environ.get("FEEDCORPUS_SHARED_TESTDATA") or REPO.parent / "shared" / "testdata")
