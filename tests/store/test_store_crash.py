"""Kill a writer with SIGKILL at random moments: the last completed save is always there."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bodymap.store import Store
from bodymap.store.atomic import TEMP_PATTERN
from bodymap.store.verify import check_session_file

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = 30


def run_until_killed(root: Path, client_id: str, session_id: str, delay: float) -> list[int]:
    """Start the writer, SIGKILL it ``delay`` seconds after it is ready; the counters it
    printed (each printed only after its save returned)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(root), client_id, session_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        output = writer.stdout.read()
    finally:
        writer.kill()
        writer.wait()
    return [int(line) for line in output.split()]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_random_kills_never_lose_the_last_completed_save(tmp_path):
    root = tmp_path / "store"
    client = Store(root).create_client("Crash Test")
    session_id = "s-crash"
    random.seed(1234)
    last_printed, saved_any = 0, False
    for _ in range(KILLS):
        printed = run_until_killed(root, client.id, session_id, random.uniform(0.0, 0.06))
        last_printed = max([last_printed, *printed])
        store = Store(root)  # opening the store removes the killed writer's temporary files
        assert not [p for p in root.rglob("*") if TEMP_PATTERN.match(p.name)]
        path = store.layout.session_file(client.id, session_id)
        if not path.exists():
            assert last_printed == 0  # killed before the first save completed
            continue
        saved_any = True
        assert check_session_file(path) is None
        counter = int(store.load(session_id).notes.subjective)
        assert counter >= last_printed
        last_printed = counter
        assert store.verify_audit() == []
    assert saved_any
