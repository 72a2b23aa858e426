"""The HTTP client for polling feeds: polite to servers, bounded in what it waits for and what it keeps.

Feed servers redirect, rate-limit, stall, send HTML or never stop sending; a file never does. So: a
User-Agent naming the tool and the operator's contact URL, robots.txt honoured (RFC 9309) for every host a
redirect leads to, one request at a time per host with a delay (Crawl-delay when longer), conditional
requests, redirects followed by hand (bounded, each hop recorded), 429/503 retried after Retry-After when
the wait is bounded, other transient failures retried with backoff, connect/read timeouts and a deadline
per body, and the body streamed into a file with a size limit, so memory stays flat whatever comes back.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import IO
from urllib.parse import urljoin, urlsplit

import httpx

from feedcorpus import __version__
from feedcorpus.errors import FeedcorpusError
from feedcorpus.ingest.robots import AGENT, ROBOTS_BYTES, Robots, RobotsDenied
from feedcorpus.ingest.sniff import HEAD_BYTES, ItemCounter, not_a_feed

ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, */*;q=0.1"
CHUNK = 65_536
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Policy:
    """How hard the client may push a server, and how long and how much it accepts. Seconds and bytes."""

    contact: str  # a URL (or mailto:) where a site's owner can reach whoever runs the fetch
    delay: float = 2.0  # between two requests to one host
    timeout: float = 30.0  # to connect, and between two reads
    deadline: float = 600.0  # for one whole body
    max_bytes: int = 256 * 1024 * 1024  # of one body, after gzip is undone
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 5.0  # first wait after a transient failure; doubles each time
    max_wait: float = 300.0  # the longest Retry-After (or Crawl-delay) honoured

    @property
    def user_agent(self) -> str:
        return f"{AGENT}/{__version__} (+{self.contact})"


@dataclass(frozen=True)
class Hop:
    """One redirect followed: its status, where it was, where it sent us."""

    status: int
    url: str
    location: str


@dataclass(frozen=True)
class Exchange:
    """A fetch that worked: 200 (the body went to the sink) or 304 (nothing was sent)."""

    url: str
    final_url: str
    status: int
    redirects: tuple[Hop, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    size: int = 0
    sha256: str | None = None
    items: int = 0
    head: bytes = b""  # the body's first bytes (what it is, a next-page link)
    attempts: int = 1


class FetchFailed(FeedcorpusError):
    """A URL that gave no feed: the message says what came back (or did not)."""

    def __init__(
        self, message: str, *, url: str, status: int | None = None, redirects: tuple[Hop, ...] = (), attempts: int = 1
    ) -> None:
        super().__init__(message, path=url)
        self.status, self.redirects, self.attempts = status, redirects, attempts


class _Transient(Exception):
    def __init__(self, message: str, *, wait: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.wait, self.status = message, wait, status


class _Refused(Exception):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def printable(text: str, limit: int = 200) -> str:
    """Server-supplied text made safe for a terminal line: control characters escaped, length bounded."""
    safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    if not value or not value.strip():
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class PoliteClient:
    """Sequential GETs under a Policy. One instance per run: it remembers each host's robots.txt and pace."""

    def __init__(
        self,
        policy: Policy,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy, self.sleep, self.clock = policy, sleep, clock
        headers = {"User-Agent": policy.user_agent, "Accept": ACCEPT}
        timeout = httpx.Timeout(policy.timeout)
        self.http = httpx.Client(headers=headers, timeout=timeout, follow_redirects=False, transport=transport)
        self._last: dict[str, float] = {}
        self.robots = Robots(self._fetch_robots, policy.max_wait)

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, sink: IO[bytes], *, etag: str | None = None, last_modified: str | None = None) -> Exchange:
        """Fetch a feed into sink. Raises FetchFailed naming the URL and what came back."""
        headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
        return self._fetch(url, sink, headers, feed=True)

    def _fetch_robots(self, url: str, sink: IO[bytes]) -> None:
        self._fetch(url, sink, {}, feed=False)

    def _fetch(self, url: str, sink: IO[bytes], headers: dict[str, str], *, feed: bool) -> Exchange:
        hops: list[Hop] = []
        current, attempts = url, 0
        try:
            while True:
                if not _origin(current).startswith(("http://", "https://")):
                    raise _Refused("not an http(s) URL")
                if feed:
                    self.robots.check(_origin(current), current)
                answer, tries = self._with_retries(current, headers, sink, feed=feed)
                attempts += tries
                if isinstance(answer, Exchange):
                    return replace(answer, url=url, redirects=tuple(hops), attempts=attempts)
                hops.append(Hop(answer[0], current, answer[1]))
                if len(hops) > self.policy.max_redirects:
                    raise _Refused(f"more than {self.policy.max_redirects} redirects (last to {printable(answer[1])})")
                current = answer[1]
        except _Refused as problem:
            raise FetchFailed(
                problem.message, url=url, status=problem.status, redirects=tuple(hops), attempts=max(attempts, 1)
            ) from None
        except (FetchFailed, RobotsDenied) as failed:
            status, tries = (failed.status, failed.attempts) if isinstance(failed, FetchFailed) else (None, 0)
            raise FetchFailed(
                failed.message, url=url, status=status, redirects=tuple(hops), attempts=attempts + tries
            ) from None

    def _with_retries(
        self, url: str, headers: dict[str, str], sink: IO[bytes], *, feed: bool
    ) -> tuple[Exchange | tuple[int, str], int]:
        for attempt in range(1, self.policy.retries + 2):
            try:
                return self._once(url, headers, sink, feed=feed), attempt
            except _Transient as problem:
                if attempt > self.policy.retries:
                    tries = f"{attempt} attempts" if attempt > 1 else "1 attempt"
                    message = f"{problem.message}; gave up after {tries}"
                    raise FetchFailed(message, url=url, status=problem.status, attempts=attempt) from None
                if problem.wait is not None and problem.wait > self.policy.max_wait:
                    raise FetchFailed(
                        f"{problem.message}; asked to retry after {problem.wait:.0f} s, more than the "
                        f"{self.policy.max_wait:.0f} s this run waits (--max-wait); try later",
                        url=url,
                        status=problem.status,
                    ) from None
                backoff = min(self.policy.backoff * 2 ** (attempt - 1), self.policy.max_wait)
                self.sleep(problem.wait if problem.wait is not None else backoff)
        raise AssertionError("unreachable")

    def _pace(self, url: str) -> None:
        host = _origin(url)
        last = self._last.get(host)
        if last is not None:
            wait = last + max(self.policy.delay, self.robots.delay(host)) - self.clock()
            if wait > 0:
                self.sleep(wait)

    def _once(self, url: str, headers: dict[str, str], sink: IO[bytes], *, feed: bool) -> Exchange | tuple[int, str]:
        self._pace(url)
        started = self.clock()
        try:
            with self.http.stream("GET", url, headers=headers) as response:
                return self._answer(url, response, sink, started, feed=feed)
        except httpx.UnsupportedProtocol as exc:
            raise _Refused(f"not an http(s) URL ({exc})") from None
        except httpx.InvalidURL as exc:
            raise _Refused(f"not a valid URL ({exc})") from None
        except httpx.TimeoutException as exc:
            what = "connection" if isinstance(exc, httpx.ConnectTimeout) else "answer"
            raise _Transient(f"no {what} within {self.policy.timeout:g} s ({type(exc).__name__})") from None
        except httpx.ConnectError as exc:
            raise _Transient(f"cannot connect to {_origin(url)} ({printable(str(exc))})") from None
        except httpx.TransportError as exc:
            raise _Transient(f"connection lost ({type(exc).__name__}: {printable(str(exc))})") from None
        except httpx.DecodingError as exc:
            raise _Refused(f"body cannot be decoded ({printable(str(exc))})") from None
        finally:
            self._last[_origin(url)] = self.clock()

    def _answer(
        self, url: str, response: httpx.Response, sink: IO[bytes], started: float, *, feed: bool
    ) -> Exchange | tuple[int, str]:
        status, reason = response.status_code, printable(response.reason_phrase)
        validators = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified")}
        if status in _REDIRECTS:
            if not response.headers.get("location"):
                raise _Refused(f"HTTP {status} {reason} without a Location header", status=status)
            return status, urljoin(url, response.headers["location"])
        if status == 304:
            return Exchange(url, url, 304, **validators)
        if status in (429, 503):
            wait = retry_after(response.headers.get("retry-after"))
            raise _Transient(f"HTTP {status} {reason}", wait=wait, status=status)
        if status >= 500 or status == 408:
            raise _Transient(f"HTTP {status} {reason}", status=status)
        if not 200 <= status < 300:
            raise _Refused(f"HTTP {status} {reason}", status=status)
        content_type = printable(response.headers.get("content-type", "")) or None
        limit = self.policy.max_bytes if feed else ROBOTS_BYTES
        declared = response.headers.get("content-length", "")
        if feed and declared.isdigit() and int(declared) > limit and "content-encoding" not in response.headers:
            raise _Refused(f"announces {int(declared):,} bytes, more than the {_mb(limit)} limit (--max-mb)")
        sink.seek(0)
        sink.truncate()
        hasher, counter, head, size, checked = hashlib.sha256(), ItemCounter(), b"", 0, not feed
        for chunk in response.iter_bytes(CHUNK):
            size += len(chunk)
            if size > limit:
                if not feed:
                    break
                raise _Refused(f"body passed the {_mb(limit)} limit (--max-mb); stopped reading")
            if self.clock() - started > self.policy.deadline:
                raise _Refused(f"body not complete after {self.policy.deadline:g} s (deadline); stopped reading")
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
                checked = checked or (len(head) >= HEAD_BYTES and _refuse_non_feed(head, content_type))
            hasher.update(chunk)
            counter.feed(chunk)
            sink.write(chunk)
        checked = checked or _refuse_non_feed(head, content_type)
        return Exchange(
            url, str(response.url), status, content_type=content_type, size=size, sha256=hasher.hexdigest(),
            items=counter.count, head=head, **validators,
        )  # fmt: skip


def _refuse_non_feed(head: bytes, content_type: str | None) -> bool:
    what = not_a_feed(head, content_type)
    if what is not None:
        raise _Refused(f"not a feed: got {what}")
    return True


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"
