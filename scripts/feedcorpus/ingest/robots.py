"""robots.txt for the fetch client (RFC 9309): read once per host and run, its rules and Crawl-delay kept.

A 4xx answer means the host has no rules (everything allowed); a server error means everything is
disallowed until it answers; an unreachable host fails the URL with the network error itself.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO
from urllib.robotparser import RobotFileParser

from feedcorpus.errors import FeedcorpusError

AGENT = "feedcorpus"  # the token robots.txt groups are matched against
ROBOTS_BYTES = 512_000  # RFC 9309: a crawler may ignore what follows the first 500 KiB


class RobotsDenied(FeedcorpusError):
    """robots.txt forbids the URL, or cannot be read and so forbids everything."""


class Robots:
    """The robots.txt rules of every host a run visits. `fetch(url, sink)` reads one file into sink and
    raises a FeedcorpusError with a `status` attribute (the HTTP status, or None for a network failure)."""

    def __init__(self, fetch: Callable[[str, IO[bytes]], None], max_delay: float) -> None:
        self.fetch, self.max_delay = fetch, max_delay
        self.rules: dict[str, RobotFileParser | None] = {}
        self.delays: dict[str, float] = {}

    def check(self, host: str, url: str) -> None:
        """Raise RobotsDenied when the host's robots.txt does not let AGENT fetch url."""
        if host not in self.rules:
            self.rules[host] = self._load(host)
        rules = self.rules[host]
        if rules is not None and not rules.can_fetch(AGENT, url):
            raise RobotsDenied(f"{host}/robots.txt disallows this URL for {AGENT}")

    def delay(self, host: str) -> float:
        return self.delays.get(host, 0.0)

    def _load(self, host: str) -> RobotFileParser | None:
        body = io.BytesIO()
        try:
            self.fetch(f"{host}/robots.txt", body)
        except FeedcorpusError as failed:
            status = getattr(failed, "status", None)
            if status is not None and 400 <= status < 500:
                return None
            if status is not None:
                raise RobotsDenied(f"{host}/robots.txt answered HTTP {status}: taken as disallowing all") from None
            raise RobotsDenied(f"{failed.message} (while reading {host}/robots.txt)") from None
        rules = RobotFileParser()
        rules.parse(body.getvalue().decode("utf-8", "replace").splitlines())
        delay = rules.crawl_delay(AGENT)
        if delay is not None:
            self.delays[host] = min(float(delay), self.max_delay)
        return rules
