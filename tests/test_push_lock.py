"""The push lock: one holder at a time, the next one told who holds it, released when its holder dies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from feedcorpus.studio.lock import PushLock
from testdata_paths import REPO


def test_a_second_push_waits_for_the_first_and_learns_its_pid(tmp_path):
    lock, order, waited = PushLock(tmp_path / "locks"), [], []
    entered = threading.Event()

    def first() -> None:
        with lock.hold("server|project"):
            entered.set()
            time.sleep(0.3)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    entered.wait()
    with lock.hold("server|project", on_wait=waited.append):
        order.append("second")
    thread.join()
    assert order == ["first", "second"] and waited == [os.getpid()]
    with lock.hold("server|other project", on_wait=waited.append):  # another project is not blocked
        pass
    assert waited == [os.getpid()]
    assert (tmp_path / "locks").stat().st_mode & 0o777 == 0o700


def test_a_killed_holder_releases_the_lock(tmp_path):
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); from feedcorpus.studio.lock import PushLock\n"
        "with PushLock(sys.argv[2]).hold('k'):\n    print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(REPO / "scripts"), str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    started = time.monotonic()
    with PushLock(tmp_path).hold("k"):
        assert time.monotonic() - started < 5
