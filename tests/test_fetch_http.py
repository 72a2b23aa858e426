"""The fetch client's policy, against a real HTTP server on loopback (tests/feedserver.py): what it sends,
what it follows, what it waits for, and what it refuses. Delays are small so the tests stay fast."""

from __future__ import annotations

import io
import time

import pytest

from feedcorpus.ingest.http import FetchFailed, Policy, PoliteClient, retry_after
from feedserver import FeedServer, Reply, closed_port, endless, item, rss, validated

FEED = rss([item(1), item(2)])


def fast(**changes: float) -> Policy:
    settings = {"delay": 0.0, "timeout": 2.0, "retries": 2, "backoff": 0.01, "max_wait": 5.0, **changes}
    return Policy("https://example.org/contact", **settings)  # type: ignore[arg-type]


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def get(server: FeedServer, path: str, policy: Policy | None = None, **validators: str) -> tuple[object, bytes]:
    client = PoliteClient(policy or fast())
    sink = io.BytesIO()
    try:
        return client.get(server.url(path), sink, **validators), sink.getvalue()
    finally:
        client.close()


def failure(server: FeedServer, path: str, policy: Policy | None = None) -> FetchFailed:
    with pytest.raises(FetchFailed) as caught:
        get(server, path, policy)
    return caught.value


def test_a_feed_is_fetched_with_a_user_agent_naming_the_tool_and_contact_and_asking_for_gzip(server):
    server.routes["/feed/"] = validated(FEED)
    exchange, body = get(server, "/feed/")
    assert exchange.status == 200 and body == FEED and exchange.items == 2
    assert exchange.etag and exchange.last_modified and exchange.sha256
    request = server.seen[-1].headers
    assert request["user-agent"].startswith("feedcorpus/") and "(+https://example.org/contact)" in request["user-agent"]
    assert "gzip" in request["accept-encoding"]
    assert server.paths() == ["/robots.txt", "/feed/"]


def test_gzip_bodies_are_stored_decoded(server):
    server.routes["/feed/"] = Reply(200, FEED, {"Content-Type": "application/rss+xml"}, gzip=True)
    exchange, body = get(server, "/feed/")
    assert body == FEED and exchange.size == len(FEED)


def test_validators_make_a_conditional_request_and_a_304_sends_nothing(server):
    server.routes["/feed/"] = validated(FEED)
    first, _ = get(server, "/feed/")
    again, body = get(server, "/feed/", etag=first.etag, last_modified=first.last_modified)
    assert again.status == 304 and body == b""
    assert server.seen[-1].headers["if-none-match"] == first.etag
    assert server.seen[-1].headers["if-modified-since"] == first.last_modified


def test_redirects_are_followed_and_every_hop_recorded(server):
    server.routes["/old"] = Reply(301, headers={"Location": "/moved"})
    server.routes["/moved"] = Reply(302, headers={"Location": server.url("/feed/")})
    server.routes["/feed/"] = validated(FEED)
    exchange, body = get(server, "/old")
    assert body == FEED and exchange.final_url == server.url("/feed/")
    assert [(h.status, h.location) for h in exchange.redirects] == [
        (301, server.url("/moved")),
        (302, server.url("/feed/")),
    ]


def test_a_redirect_loop_stops_at_the_bound(server):
    server.routes["/a"] = Reply(302, headers={"Location": "/b"})
    server.routes["/b"] = Reply(302, headers={"Location": "/a"})
    failed = failure(server, "/a", fast(max_redirects=3))
    assert "more than 3 redirects" in str(failed) and len(failed.redirects) == 4
    assert str(failed).startswith(server.url("/a"))


def test_429_is_retried_after_retry_after(server):
    answers = iter([Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200, FEED)])
    server.routes["/feed/"] = lambda seen: next(answers)
    exchange, body = get(server, "/feed/")
    feed_requests = [s for s in server.seen if s.path == "/feed/"]
    assert body == FEED and exchange.attempts == 2
    assert feed_requests[1].at - feed_requests[0].at >= 0.95


def test_a_retry_after_beyond_the_bound_is_not_waited_for(server):
    server.routes["/feed/"] = Reply(503, b"", {"Retry-After": "3600"})
    started = time.monotonic()
    failed = failure(server, "/feed/", fast(max_wait=2))
    assert time.monotonic() - started < 2
    assert "HTTP 503" in str(failed) and "3600 s" in str(failed) and "--max-wait" in str(failed)


def test_server_errors_are_retried_with_backoff_then_given_up(server):
    server.routes["/feed/"] = Reply(500, b"oops")
    failed = failure(server, "/feed/", fast(retries=2, backoff=0.2))
    times = [s.at for s in server.seen if s.path == "/feed/"]
    assert len(times) == 3 and "HTTP 500" in str(failed) and "gave up after 3 attempts" in str(failed)
    assert times[1] - times[0] >= 0.19 and times[2] - times[1] >= 0.39  # 0.2 s, then doubled


def test_requests_to_one_host_are_spaced_by_the_delay(server):
    server.routes["/feed/"] = validated(FEED)
    get(server, "/feed/", fast(delay=0.3))
    robots, feed = server.seen
    assert feed.at - robots.at >= 0.29


def test_robots_txt_disallow_is_honoured(server):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: feedcorpus\nDisallow: /private/\n")
    server.routes["/private/feed/"] = Reply(200, FEED)
    server.routes["/feed/"] = Reply(200, FEED)
    failed = failure(server, "/private/feed/")
    assert "robots.txt disallows" in str(failed) and "/private/feed/" not in server.paths()
    assert get(server, "/feed/")[1] == FEED


def test_a_redirect_into_a_disallowed_path_is_not_followed(server):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private/\n")
    server.routes["/feed/"] = Reply(301, headers={"Location": "/private/feed/"})
    assert "robots.txt disallows" in str(failure(server, "/feed/"))
    assert "/private/feed/" not in server.paths()


def test_a_robots_txt_server_error_disallows_everything(server):
    server.routes["/robots.txt"] = Reply(500, b"")
    server.routes["/feed/"] = Reply(200, FEED)
    failed = failure(server, "/feed/", fast(retries=0))
    assert "robots.txt answered HTTP 500" in str(failed) and "/feed/" not in server.paths()


def test_crawl_delay_spaces_requests_more_than_the_delay(server):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nCrawl-delay: 1\n")
    server.routes["/feed/"] = Reply(200, FEED)
    get(server, "/feed/")
    robots, feed = server.seen
    assert feed.at - robots.at >= 0.95


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply(200, b"<!DOCTYPE html><html><body>Hi</body></html>", {"Content-Type": "text/html"}), "an HTML page"),
        (Reply(200, b'{"items": []}', {"Content-Type": "application/json"}), "JSON"),
        (Reply(200, b"", {"Content-Type": "application/rss+xml"}), "an empty body"),
        (Reply(200, b"<?xml version='1.0'?><sitemap/>", {"Content-Type": "text/xml"}), "root element is <sitemap>"),
    ],
)
def test_a_response_that_is_not_a_feed_is_refused_naming_what_came_back(server, reply, said):
    server.routes["/feed/"] = reply
    failed = failure(server, "/feed/")
    assert str(failed).startswith(server.url("/feed/") + ": not a feed: got ") and said in str(failed)
    assert reply.headers["Content-Type"] in str(failed)


def test_an_endless_body_stops_at_the_size_limit(server):
    server.routes["/feed/"] = Reply(200, headers={"Content-Type": "application/rss+xml"}, stream=endless())
    started = time.monotonic()
    failed = failure(server, "/feed/", fast(max_bytes=2_000_000))
    assert "passed the 1.90735 MB limit" in str(failed) and time.monotonic() - started < 10


def test_an_endless_html_page_is_refused_from_its_first_bytes(server):
    page = endless(b"<p>" + b"x" * 8000 + b"</p>")
    server.routes["/feed/"] = Reply(
        200, headers={"Content-Type": "text/html"}, stream=lambda: (b"<html>" + c for c in page())
    )
    assert "an HTML page" in str(failure(server, "/feed/", fast(max_bytes=10**9)))


def test_a_stalling_server_times_out(server):
    server.routes["/feed/"] = Reply(200, FEED, stall=3)
    started = time.monotonic()
    failed = failure(server, "/feed/", fast(timeout=0.3, retries=1))
    assert "no answer within 0.3 s" in str(failed) and "gave up after 2 attempts" in str(failed)
    assert time.monotonic() - started < 2.5


def test_an_unreachable_host_fails_naming_it():
    url = f"http://127.0.0.1:{closed_port()}/feed/"
    client = PoliteClient(fast(retries=1))
    with pytest.raises(FetchFailed) as caught:
        client.get(url, io.BytesIO())
    client.close()
    assert str(caught.value).startswith(url + ": cannot connect to http://127.0.0.1:")


def test_a_missing_feed_is_an_http_error(server):
    failed = failure(server, "/nothing/")
    assert failed.status == 404 and "HTTP 404 Not Found" in str(failed)


def test_retry_after_reads_seconds_and_dates():
    from datetime import UTC, datetime

    now = datetime(2024, 9, 24, 5, 0, 0, tzinfo=UTC)
    assert retry_after("120") == 120
    assert retry_after("Tue, 24 Sep 2024 05:01:00 GMT", now) == 60
    assert retry_after("soon") is None and retry_after(None) is None
