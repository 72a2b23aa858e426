"""corpus/feeds/<source>/: the dated raw snapshots of one polled feed and its fetch log (all their file I/O).

A body is streamed into a temporary file in the folder, then published under
`YYYYmmddTHHMMSSZ-<sha256[:16]>.xml` with a hard link, which never replaces an existing file: a snapshot is
never overwritten, and a body whose hash is already there is not stored twice. `fetches.jsonl` gets one
line per request (status, validators, size, hash, item count, redirects) and one per split snapshot, so a
later run knows the validators to send and which snapshots still wait to be split. A line is appended
whole and fsynced; a line cut by a crash is ignored on reading. Locks are `fcntl.flock` locks, which the
kernel releases when the process dies, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from feedcorpus.fileio import TEMP_SUFFIX, data_file_mode, jsonl_line, remove_stale_temporaries, signals_deferred

LOG = "fetches.jsonl"
SUFFIX = ".xml"


def snapshot_name(fetched_at: datetime, sha256: str) -> str:
    return f"{fetched_at.strftime('%Y%m%dT%H%M%SZ')}-{sha256[:16]}{SUFFIX}"


class FeedFolder:
    """The snapshots and the fetch log of one source."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.log_path = self.folder / LOG

    def prepare(self) -> None:
        """Create the folder; sweep temporary bodies a killed run left behind."""
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(self.folder)

    @contextlib.contextmanager
    def receiving(self) -> Iterator[IO[bytes]]:
        """A temporary file for a body; removed on leaving unless `publish` linked it first."""
        fd, name = tempfile.mkstemp(prefix=".body.", suffix=TEMP_SUFFIX, dir=self.folder)
        os.close(fd)
        try:
            with open(name, "w+b") as handle:
                yield handle
        finally:
            Path(name).unlink(missing_ok=True)

    def find(self, sha256: str) -> Path | None:
        """The snapshot holding a body with this hash, if one is stored."""
        return next(iter(sorted(self.folder.glob(f"*-{sha256[:16]}{SUFFIX}"))), None)

    def publish(self, body: IO[bytes], sha256: str, fetched_at: datetime) -> tuple[Path, bool]:
        """The snapshot for a received body, and whether it is new (False: the same bytes were stored before)."""
        existing = self.find(sha256)
        if existing is not None:
            return existing, False
        body.flush()
        os.fchmod(body.fileno(), data_file_mode())
        os.fsync(body.fileno())
        target = self.folder / snapshot_name(fetched_at, sha256)
        with signals_deferred():
            try:
                os.link(body.name, target)
            except FileExistsError:  # same second, same hash: the same bytes
                return target, False
        _fsync_dir(self.folder)
        return target, True

    def append(self, record: dict[str, Any]) -> None:
        """One line of the fetch log, written whole and fsynced."""
        self.folder.mkdir(parents=True, exist_ok=True)
        line = jsonl_line(record).encode("utf-8")
        fd = os.open(self.log_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, data_file_mode())
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":  # a line a crash cut short: start a new one
                line = b"\n" + line
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> list[dict[str, Any]]:
        """Every readable line of the fetch log, oldest first (a line a crash cut short is skipped)."""
        if not self.log_path.exists():
            return []
        found = []
        for line in self.log_path.read_text("utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    found.append(record)
        return found

    def snapshots(self) -> list[Path]:
        return sorted(self.folder.glob(f"*{SUFFIX}")) if self.folder.is_dir() else []

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """ETag and Last-Modified of the last body fetched from url, while its snapshot is still here."""
        for entry in reversed(self.entries()):
            if entry.get("url") == url and entry.get("status") == 200 and entry.get("snapshot"):
                if not (self.folder / entry["snapshot"]).exists():
                    return None, None
                return entry.get("etag"), entry.get("last_modified")
        return None, None

    def unsplit(self, store: str) -> list[Path]:
        """Snapshots no run has split into this kind of store yet (a run interrupted, or --no-split)."""
        done = {e.get("snapshot") for e in self.entries() if e.get("event") == "split" and e.get("store") == store}
        return [path for path in self.snapshots() if path.name not in done]

    def provenance(self, snapshot: Path) -> dict[str, Any]:
        """The log entry that stored a snapshot (its URL and fetch time), or {} when the log lacks it."""
        for entry in self.entries():
            if entry.get("snapshot") == snapshot.name and entry.get("status") == 200 and entry.get("new"):
                return entry
        return next((e for e in self.entries() if e.get("snapshot") == snapshot.name and e.get("status")), {})


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive(lock_file: Path, *, wait: bool) -> Iterator[int | None]:
    """Hold an exclusive lock on lock_file. Yields None when held; when another process holds it and `wait`
    is False, yields that process's pid (0 when unknown) without the lock."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644 & data_file_mode())
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                yield int(holder) if holder.isdigit() else 0
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield None
    finally:
        os.close(fd)


def lock_path(feeds: Path, sources: Path) -> Path:
    """The lock of one sources file: corpus/feeds/.fetch-<hash of its absolute path>.lock."""
    key = hashlib.sha256(str(sources.resolve()).encode("utf-8")).hexdigest()[:16]
    return feeds / f".fetch-{key}.lock"
