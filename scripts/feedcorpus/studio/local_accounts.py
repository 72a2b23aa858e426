"""Accounts on the project's own Label Studio, and the clean environment its commands run in.

Label Studio's user API does not set passwords (its serializer drops them), so an annotator account made
through the API cannot log in. For the local server, the password is set with Label Studio's own
`reset_password` command, which reads it from standard input when there is no terminal: the password never
appears on a command line (readable by every local user in /proc) nor in a file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from feedcorpus.errors import StudioError


def service_environment(studio_dir: Path, data_dir: Path, venv: Path) -> dict[str, str]:
    """Label Studio reads LABEL_STUDIO_X and then plain X from the environment: start it from a clean one."""
    return {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str((studio_dir / "home").resolve()),
        "LANG": "C.UTF-8",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir.resolve()),
        "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
    }


def set_password(studio_dir: Path, data_dir: Path, venv: Path, email: str, password: str) -> None:
    """Set an account's password on the local server's database through `label-studio reset_password`."""
    done = subprocess.run(
        [str(venv / "bin" / "label-studio"), "reset_password", "--username", email],
        env=service_environment(studio_dir, data_dir, venv),
        input=password + "\n",
        capture_output=True,
        text=True,
        start_new_session=True,  # no controlling terminal: getpass reads the password from stdin
        timeout=300,
    )
    if "Password successfully changed" not in done.stdout:
        tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["(no output)"]
        raise StudioError(f"could not set the password of {email}: {tail[0]}")
