"""A real HTTP server on loopback for the fetch tests: routes answer with feeds, redirects, rate limits,
gzip, robots.txt, HTML, an endless body or a stall, and every request is recorded (time, path, headers).

Started in a thread on 127.0.0.1 with a port the kernel picks; nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[[], Iterator[bytes]] | None = None  # chunked body, e.g. one that never ends
    stall: float = 0.0  # seconds before anything is sent
    gzip: bool = False


@dataclass(frozen=True)
class Seen:
    at: float
    path: str
    headers: dict[str, str]


Route = Reply | Callable[["Seen"], Reply]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.server.handle_error = lambda *_: None  # a client that hangs up (size limit, timeout) is expected
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    def answer(self, seen: Seen) -> Reply:
        route = self.routes.get(seen.path) or self.routes.get(seen.path.split("?")[0])
        if route is None:
            return Reply(404, b"<html><body>not found</body></html>", {"Content-Type": "text/html"})
        return route(seen) if callable(route) else route


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            seen = Seen(time.monotonic(), self.path, {k.lower(): v for k, v in self.headers.items()})
            server.seen.append(seen)
            reply = server.answer(seen)
            if reply.stall:
                time.sleep(reply.stall)
            body = gzip.compress(reply.body) if reply.gzip else reply.body
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.gzip:
                    self.send_header("Content-Encoding", "gzip")
                if reply.stream is not None:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for chunk in reply.stream():
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- feeds ------------------------------------------------------------------------------------------------

SITE = "https://sahelnews.org"


def item(number: int, words: str = "") -> tuple[str, str, str]:
    """(guid, title, body) of a WordPress-like post with its own words, so documents do not cluster."""
    text = words or f"Report {number} from Gao: the convoy {number} reached Kidal after {number} days on the road."
    return f"{SITE}/?p={number}", f"Convoy report number {number}", text


def rss(items: list[tuple[str, str, str]], *, title: str = "News Example") -> bytes:
    entries = "".join(
        f'<item><title>{escape(t)}</title><link>{escape(g)}</link><guid isPermaLink="false">{escape(g)}</guid>'
        f"<pubDate>Tue, 24 Sep 2024 05:07:21 +0000</pubDate><description>{escape(b[:40])}</description>"
        f"<content:encoded><![CDATA[<p>{escape(b)}</p>]]></content:encoded></item>"
        for g, t, b in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>{SITE}/</link><description>d</description>{entries}</channel></rss>\n"
    ).encode()


def atom(items: list[tuple[str, str, str]], *, next_href: str | None = None) -> bytes:
    link = f'<link rel="next" href="{escape(next_href)}"/>' if next_href else ""
    entries = "".join(
        f'<entry><id>{escape(g)}</id><title>{escape(t)}</title><link href="{escape(g)}"/>'
        f'<updated>2024-09-24T05:07:21Z</updated><content type="html">{escape("<p>" + b + "</p>")}</content></entry>'
        for g, t, b in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom Example</title><id>{SITE}/atom</id><updated>2024-09-24T05:07:21Z</updated>{link}"
        f"{entries}</feed>\n"
    ).encode()


def validated(body: bytes, content_type: str = "application/rss+xml; charset=UTF-8") -> Callable[[Seen], Reply]:
    """A route serving body with an ETag and Last-Modified, answering 304 to a request that has them."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    modified = format_datetime(datetime(2024, 9, 24, 5, 7, 21, tzinfo=UTC), usegmt=True)

    def route(seen: Seen) -> Reply:
        headers = {"ETag": etag, "Last-Modified": modified, "Content-Type": content_type}
        if seen.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, body, headers)

    return route


def endless(chunk: bytes = b"<item>" + b"x" * 65_530) -> Callable[[], Iterator[bytes]]:
    def stream() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        deadline = time.monotonic() + 30  # a safety net: the client must stop long before
        while time.monotonic() < deadline:
            yield chunk

    return stream
