"""One push at a time per project: an exclusive lock file that the kernel releases when its process dies.

`fcntl.flock` locks belong to the open file: a crashed or killed push releases its lock at once, so there
is never a stale lock to clean up by hand. Two terminals, or a cron job and a person, pushing to the same
project from this project folder run one after the other.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from feedcorpus.fileio import PRIVATE_FILE, private_dir


class PushLock:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / f"push-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}.lock"

    @contextlib.contextmanager
    def hold(self, key: str, *, on_wait: Callable[[int | None], None] | None = None) -> Iterator[None]:
        """Hold the lock for key; when another process holds it, say so (with its pid) and wait."""
        private_dir(self.folder)
        fd = os.open(self.path(key), os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                    on_wait(int(holder) if holder.isdigit() else None)
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
