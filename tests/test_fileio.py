"""Atomic writes: an interrupt never leaves a temporary file, and files get the permissions they should."""

from __future__ import annotations

import os
import signal
import tempfile

import pytest

from feedcorpus import fileio


def test_ctrl_c_right_after_the_temporary_file_exists_leaves_no_temporary(tmp_path, monkeypatch):
    real = tempfile.mkstemp

    def interrupted(*args, **kwargs):
        created = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # arrives in the window between mkstemp and the cleanup's `try`
        return created

    monkeypatch.setattr(fileio.tempfile, "mkstemp", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_json(tmp_path / "doc.json", {"id": "x"})
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]  # written whole, then the interrupt
    assert fileio.read_json(tmp_path / "doc.json") == {"id": "x"}


def test_stale_temporaries_of_a_killed_process_are_removed(tmp_path):
    (tmp_path / ".a.json.x1y2.tmp").write_text("")
    (tmp_path / "a.json").write_text("{}")
    assert fileio.remove_stale_temporaries(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_data_files_follow_the_umask_and_secrets_are_private(tmp_path):
    old = os.umask(0o027)
    try:
        fileio.atomic_write_text(tmp_path / "data.json", "{}")
        fileio.atomic_write_text(tmp_path / "secret.json", "{}", private=True)
    finally:
        os.umask(old)
    assert (tmp_path / "data.json").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "secret.json").stat().st_mode & 0o777 == 0o600
    assert fileio.private_dir(tmp_path / "studio").stat().st_mode & 0o777 == 0o700
