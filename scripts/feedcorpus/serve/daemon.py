"""`feedcorpus serve --background` and `--stop`: the backend as a service of the project, like the local
Label Studio (`make demo` leaves both running). A pid file in `.studio/serve/` names the process, and a
marker in its environment proves a pid is still ours before it is signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedcorpus.errors import FeedcorpusError
from feedcorpus.fileio import PRIVATE_FILE, atomic_write_text, private_dir, read_json

MARKER = "FEEDCORPUS_SERVE_DIR"


class ServeError(FeedcorpusError):
    """The backend could not be started, stopped or reached."""


@dataclass(frozen=True)
class BackendProcess:
    running: bool
    url: str | None = None
    pid: int | None = None
    status: dict[str, Any] | None = None  # the backend's /status when it answered


class Daemon:
    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir

    @property
    def pid_path(self) -> Path:
        return self.dir / "server.json"

    @property
    def log_path(self) -> Path:
        return self.dir / "server.log"

    def _recorded(self) -> dict[str, Any] | None:
        try:
            data = read_json(self.pid_path) if self.pid_path.exists() else None
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None

    def _is_ours(self, pid: int) -> bool:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except (OSError, IndexError):
            return False
        return state != "Z" and f"{MARKER}={self.dir.resolve()}".encode() in environ

    def state(self, *, auth: tuple[str, str] | None = None) -> BackendProcess:
        recorded = self._recorded()
        if not recorded or not self._is_ours(int(recorded["pid"])):
            return BackendProcess(False)
        url = str(recorded["url"])
        return BackendProcess(True, url, int(recorded["pid"]), fetch_status(url, auth))

    def start(self, args: list[str], url: str, *, timeout: float = 120.0) -> BackendProcess:
        """Run `feedcorpus serve ARGS` detached and wait until /health answers."""
        current = self.state()
        if current.running:
            raise ServeError(f"the backend already runs at {current.url} (pid {current.pid}); stop it with --stop")
        private_dir(self.dir)
        env = {**os.environ, MARKER: str(self.dir.resolve())}
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        with os.fdopen(log_fd, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "feedcorpus", "serve", *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        atomic_write_text(self.pid_path, json.dumps({"pid": process.pid, "url": url}) + "\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_path.unlink(missing_ok=True)
                raise ServeError(f"the backend exited with code {process.returncode}; log tail: {self.log_tail()}")
            if healthy(url):
                return BackendProcess(True, url, process.pid)
            time.sleep(0.3)
        self.stop()
        raise ServeError(f"the backend did not answer {url}/health within {timeout:.0f} s; log: {self.log_tail()}")

    def stop(self, *, timeout: float = 30.0) -> bool:
        recorded = self._recorded()
        if not recorded:
            return False
        pid = int(recorded["pid"])
        if not self._is_ours(pid):
            self.pid_path.unlink(missing_ok=True)
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._is_ours(pid):
            time.sleep(0.2)
        if self._is_ours(pid):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        self.pid_path.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:]) or "(empty log)"


def _request(url: str, auth: tuple[str, str] | None) -> urllib.request.Request:
    request = urllib.request.Request(url)
    if auth:
        import base64

        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    return request


def healthy(url: str, auth: tuple[str, str] | None = None) -> bool:
    try:
        with urllib.request.urlopen(_request(f"{url}/health", auth), timeout=2) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError as exc:
        return exc.code == 401  # it answers; it wants credentials we were not given
    except OSError:
        return False


def fetch_status(url: str, auth: tuple[str, str] | None = None) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(_request(f"{url}/status", auth), timeout=5) as response:
            found = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None
