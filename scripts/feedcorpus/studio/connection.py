"""Which Label Studio to talk to: LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY, else the project's local server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from feedcorpus.errors import StudioError
from feedcorpus.studio.local_server import LocalStudio


@dataclass(frozen=True)
class Connection:
    url: str
    api_key: str
    local: bool


def resolve_connection(local: LocalStudio) -> Connection:
    """LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY when set, else the project's local server."""
    url = os.environ.get("LABEL_STUDIO_URL")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StudioError(f"LABEL_STUDIO_URL must be an http(s) URL such as http://localhost:8080, not {url!r}")
        key = os.environ.get("LABEL_STUDIO_API_KEY")
        if not key:
            raise StudioError("LABEL_STUDIO_URL is set but LABEL_STUDIO_API_KEY is not; set both for your own server")
        return Connection(url.rstrip("/"), key, local=False)
    status = local.status()
    if not status.running or status.credentials is None or status.url is None:
        raise StudioError(
            "the local Label Studio is not running; start it with `feedcorpus studio start`, "
            "or set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY for your own server"
        )
    return Connection(status.url, status.credentials.token, local=True)
