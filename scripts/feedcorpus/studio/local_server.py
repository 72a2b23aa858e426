"""Start, stop and inspect the local Label Studio server: a service in its own virtual environment.

Label Studio 1.23 reads `LABEL_STUDIO_X` and then plain `X` from the environment, calls out for a version
check, creates folders under $HOME and silently moves to the next port when its port is busy. So it is
started with a clean environment (HOME and its data dir inside the project's git-ignored .studio/), with the
version check off, on a port checked to be free first, and confirmed by asking who we are with our token.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from feedcorpus.errors import StudioError
from feedcorpus.fileio import PRIVATE_FILE, atomic_write_text, private_dir, read_json
from feedcorpus.studio.local_accounts import service_environment, set_password

LABEL_STUDIO_REQUIREMENT = "label-studio==1.23.2"
DEFAULT_PORT = 8080
HOST = "127.0.0.1"
# Label Studio 1.23 refuses ML backends and webhooks on loopback or private addresses (its SSRF guard,
# core/settings/base.py). The project's own ML backend listens on loopback, so the local server is started
# with the guard off. Consequence: any user of this server can make it send requests to local addresses
# (ML backend URLs, webhooks, imports by URL); it listens on 127.0.0.1 only, so those users are this
# machine's. A shared server should keep the guard on and reach the backend at a public address.
LOOPBACK_ML_BACKEND = {"ML_BLOCK_LOCAL_IP": "false", "SSRF_PROTECTION_ENABLED": "false"}


@dataclass(frozen=True)
class Credentials:
    """The local admin/annotator account: generated once per data dir, kept in a 0600 file."""

    username: str
    password: str
    token: str

    @classmethod
    def generate(cls) -> Credentials:
        return cls("annotator@feedcorpus.local", secrets.token_urlsafe(12), secrets.token_hex(20))


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    url: str | None
    pid: int | None
    credentials: Credentials | None
    healthy: bool = False


class LocalStudio:
    """The project's own Label Studio: `<root>/.studio/` holds data, credentials, pid file and log."""

    def __init__(self, studio_dir: Path, venv: Path) -> None:
        self.dir = Path(studio_dir)
        self.venv = Path(venv)

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def credentials_path(self) -> Path:
        return self.dir / "credentials.json"

    @property
    def pid_path(self) -> Path:
        return self.dir / "server.json"

    @property
    def log_path(self) -> Path:
        return self.dir / "server.log"

    @property
    def executable(self) -> Path:
        return self.venv / "bin" / "label-studio"

    # installation -------------------------------------------------------------------------------------
    def installed(self) -> bool:
        return self.executable.exists()

    def install(self, python: str | None = None) -> bool:
        """Create the service's virtual environment and install Label Studio into it; False if already there."""
        if self.installed():
            return False
        interpreter = python or sys.executable
        for command in (
            [interpreter, "-m", "venv", str(self.venv)],
            [str(self.venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            [str(self.venv / "bin" / "python"), "-m", "pip", "install", "--quiet", LABEL_STUDIO_REQUIREMENT],
        ):
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
                raise StudioError(f"installing Label Studio failed at `{' '.join(command[:4])} …`: {tail[0]}")
        return True

    # credentials -------------------------------------------------------------------------------------
    def credentials(self, *, create: bool = False) -> Credentials | None:
        if self.credentials_path.exists():
            return Credentials(**read_json(self.credentials_path))
        if not create:
            return None
        creds = Credentials.generate()
        private_dir(self.dir)
        atomic_write_text(self.credentials_path, json.dumps(asdict(creds), indent=2) + "\n", private=True)
        return creds

    # process -----------------------------------------------------------------------------------------
    def _recorded(self) -> dict[str, Any] | None:
        if not self.pid_path.exists():
            return None
        try:
            data = read_json(self.pid_path)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None

    def _is_ours(self, pid: int) -> bool:
        """The pid is alive and is a Label Studio started on our data dir (not a recycled pid)."""
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            return False
        return f"LABEL_STUDIO_BASE_DATA_DIR={self.data_dir.resolve()}".encode() in environ

    def status(self) -> ServerStatus:
        recorded = self._recorded()
        creds = self.credentials()
        if not recorded or not self._is_ours(int(recorded["pid"])):
            return ServerStatus(False, None, None, creds)
        url = recorded["url"]
        return ServerStatus(True, url, int(recorded["pid"]), creds, healthy=_healthy(url))

    def start(self, port: int = DEFAULT_PORT, *, timeout: float = 180.0) -> ServerStatus:
        """Start the server (idempotent: a running server is reused) and wait until it answers as us."""
        current = self.status()
        if current.running and current.healthy:
            return current
        if current.running:
            self.stop()
        if not self.installed():
            raise StudioError(f"Label Studio is not installed in {self.venv}; run `feedcorpus studio install`")
        creds = self.credentials(create=True)
        assert creds is not None
        port = port or free_port()
        if not port_is_free(port):
            raise StudioError(f"port {port} on {HOST} is busy; choose another with --port (0 picks a free one)")
        # Only this user may enter .studio/: the SQLite database, exports and the log live there.
        private_dir(self.dir)
        private_dir(self.data_dir)
        (self.dir / "home").mkdir(exist_ok=True)
        # Secrets go through the environment (readable by this user only), never on the command line, which
        # every local user can read in /proc/PID/cmdline. Label Studio reads LABEL_STUDIO_<NAME> itself.
        env = {
            **service_environment(self.dir, self.data_dir, self.venv),
            **LOOPBACK_ML_BACKEND,
            "LABEL_STUDIO_USERNAME": creds.username,
            "LABEL_STUDIO_PASSWORD": creds.password,
            "LABEL_STUDIO_USER_TOKEN": creds.token,
        }
        command = [
            str(self.executable),
            "start",
            "--no-browser",
            "--internal-host",
            HOST,
            "--port",
            str(port),
            "--enable-legacy-api-token",
            "--log-level",
            "WARNING",
        ]
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        with os.fdopen(log_fd, "ab") as log:
            process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        url = f"http://{HOST}:{port}"
        atomic_write_text(self.pid_path, json.dumps({"pid": process.pid, "url": url, "port": port}) + "\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_path.unlink(missing_ok=True)
                raise StudioError(
                    f"Label Studio exited with code {process.returncode} during start-up; log tail: {self.log_tail()}"
                )
            if _healthy(url):
                _confirm_identity(url, creds)
                return self.status()
            time.sleep(0.5)
        self.stop()
        raise StudioError(
            f"Label Studio did not answer {url}/health within {timeout:.0f} s; log tail: {self.log_tail()}"
        )

    def stop(self, *, timeout: float = 20.0) -> bool:
        """Stop exactly the server this project started (its process group); False if none was running."""
        recorded = self._recorded()
        if not recorded:
            return False
        pid = int(recorded["pid"])
        if not self._is_ours(pid):
            self.pid_path.unlink(missing_ok=True)
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._is_ours(pid) and not _is_zombie(pid):
            time.sleep(0.2)
        if self._is_ours(pid) and not _is_zombie(pid):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        self.pid_path.unlink(missing_ok=True)
        return True

    def set_password(self, email: str, password: str) -> None:
        set_password(self.dir, self.data_dir, self.venv, email, password)

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:]) or "(empty log)"


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (OSError, IndexError):
        return True


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200 and b"UP" in response.read()
    except (OSError, urllib.error.URLError):
        return False


def _confirm_identity(url: str, creds: Credentials) -> None:
    """Our token works on this server: it is the one we started, with legacy tokens enabled."""
    request = urllib.request.Request(
        f"{url}/api/current-user/whoami", headers={"Authorization": f"Token {creds.token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            who = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise StudioError(
            f"Label Studio at {url} refused our token ({exc.code}); the data dir was created with other "
            "credentials — remove .studio/ to start afresh"
        ) from exc
    except (OSError, ValueError) as exc:
        raise StudioError(f"Label Studio at {url} answered /health but not the API ({exc})") from exc
    if who.get("email") != creds.username:
        raise StudioError(f"the server at {url} is not ours (it answers as {who.get('email')!r})")


def port_is_free(port: int) -> bool:
    """Nothing listens on the port. Connections of a stopped server waiting in TIME-WAIT do not count: the
    server binds with SO_REUSEADDR too, so a restart right after a crash must not wait for them."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])
