"""File I/O in one place: atomic writes, JSON/JSONL, hashing. Nothing here knows about feeds or spans.

Data files (documents, predictions, releases) are not secrets: they get the permissions the umask gives a
new file, like any tool's output. Secrets (credentials, tokens) are written 0600 with `private=True`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

TEMP_SUFFIX = ".tmp"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """A file's sha256, read in chunks (a release's files can be larger than memory should hold twice)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_bounded(path: Path, limit: int) -> bytes | None:
    """A file's bytes, or None when it holds more than `limit`: the read stops there, so a device or pipe that
    never ends (/dev/zero) costs at most the limit, never all memory."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def umask() -> int:
    """The process umask (reading it means setting it; it is put back at once)."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def data_file_mode() -> int:
    return 0o666 & ~umask()


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done, so an interrupt never strands a temporary file
    between its creation and the `try` that removes it; the signal takes effect right after.

    Python runs signal handlers in the main thread whichever thread the kernel delivers to (tqdm keeps a
    monitor thread), so the handlers are swapped for a recorder rather than the thread's signal mask.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda signum, _frame: received.append(signum)) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for signum in received:
            handler = previous[signal.Signals(signum)]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


def atomic_write_bytes(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write to a temporary sibling, fsync, then rename, so readers never see a half-written file.

    mkstemp creates the temporary file 0600; it is set to the umask's mode for data files (or kept 0600
    for secrets) before the rename, so the final file never has wider permissions than intended.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with signals_deferred():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), PRIVATE_FILE if private else data_file_mode())
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files a killed process (SIGKILL, power loss) left in a folder we write to."""
    removed = 0
    for stale in folder.glob(f".*{TEMP_SUFFIX}") if folder.is_dir() else []:
        stale.unlink(missing_ok=True)
        removed += 1
    return removed


def atomic_write_text(path: Path, text: str, *, private: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), private=private)


def private_dir(path: Path) -> Path:
    """A folder only its owner can enter (0700), created when missing and tightened when it exists."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR)
    return path


def dumps_json(data: Any) -> str:
    """Canonical JSON for data files: sorted keys, real UTF-8 (Goïta stays Goïta), trailing newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_json(path: Path, data: Any, *, private: bool = False) -> None:
    atomic_write_text(path, dumps_json(data), private=private)


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def jsonl_line(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def write_jsonl(path: Path, records: Iterable[Any]) -> None:
    atomic_write_text(path, "".join(jsonl_line(r) for r in records))


def read_jsonl(path: Path) -> Iterator[Any]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {number}: invalid JSON ({exc.msg})") from exc
