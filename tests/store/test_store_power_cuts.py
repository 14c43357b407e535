"""A power cut at every step of a save: what was not flushed is lost, the rest resolves.

A save flushes its audit intent beside the temporary file and leaves its commit unflushed
(see :mod:`bodymap.store.journal`). A kill keeps unflushed bytes (the kernel has them); a
power cut does not. Here a save is killed at every step in a forked child, then the disk
is put in the state a power cut at that moment could leave: the audit log cut back to its
last flushed length, and a rename not yet flushed (its folder's fsync) either kept or
lost. Opening the store must then resolve the change, verify clean, and give the session
as it is on disk, the new version only if its file is there.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from kill_points import MODES, Steps, run_killed
from store_helpers import full_session

from bodymap.store import Store, atomic, backend
from bodymap.store.ledger import ledger_of

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
FLUSHED = "flushed.txt"
"""Beside the store: the audit log's length at its last fsync, and whether the session's
rename was flushed, as the killed child last recorded them."""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A store with one saved session, everything flushed."""
    root = tmp_path_factory.mktemp("cuts") / "base"
    store = Store(root)
    client = store.create_client("Power Cut")
    session = full_session(client.id, seed=4)
    path = store.save(session)
    store.audit.flush()
    return root, session.id, path.relative_to(root), path.read_bytes()


def _record_flushes(root, monkeypatch) -> None:
    """Note the audit log's length after each of its fsyncs, and each folder fsync."""
    notes = root.parent / f"{root.name}-{FLUSHED}"
    state = {"log": (root / "audit.jsonl").stat().st_size, "renamed": 0}
    lock = threading.Lock()
    fsync_log, fsync_folder = backend.fsync_log, atomic.fsync_folder

    def write() -> None:  # one pwrite of a fixed width: whole even if another thread dies
        record = f"{state['log']:020d} {state['renamed']}".encode()
        fd = os.open(notes, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, record, 0)
        finally:
            os.close(fd)

    def log_flushed(fd):
        fsync_log(fd)
        with lock:
            state["log"] = max(state["log"], os.fstat(fd).st_size)
            write()

    def folder_flushed(folder):
        fsync_folder(folder)
        with lock:
            state["renamed"] = 1
            write()

    monkeypatch.setattr(backend, "fsync_log", log_flushed)
    monkeypatch.setattr(atomic, "fsync_folder", folder_flushed)
    write()


def _save(root, session_id) -> None:
    with pytest.MonkeyPatch.context() as patch:
        _record_flushes(root, patch)
        store = Store(root)
        session = store.load(session_id)
        session.notes.plan = "saved just before the power cut"
        store.save(session)


def _cut_power(root, relative, old_bytes, keep_rename: bool) -> None:
    """Lose what was not flushed: the log's unflushed tail; the rename, unless kept."""
    notes = root.parent / f"{root.name}-{FLUSHED}"
    log_length, renamed = (int(v) for v in notes.read_text().split())
    with open(root / "audit.jsonl", "r+b") as log:
        log.truncate(log_length)
    if not renamed and not keep_rename:
        target = root / relative
        os.chmod(target, 0o600)
        target.write_bytes(old_bytes)


def _steps(base, tmp_path, monkeypatch) -> list[str]:
    root = tmp_path / "dry-run"
    shutil.copytree(base[0], root)
    with monkeypatch.context() as patch:
        steps = Steps(patch)
        _save(root, base[1])
    return steps.calls


def test_a_power_cut_at_every_step_of_a_save_resolves(base, tmp_path, monkeypatch):
    root0, session_id, relative, old_bytes = base
    steps = _steps(base, tmp_path, monkeypatch)
    assert "bodymap.store.backend.fsync_log" in steps
    outcomes = set()
    for index, label in enumerate(steps):
        for mode in MODES:
            if mode == "half" and not label.endswith("write_all"):
                continue
            for keep_rename in (True, False):
                root = tmp_path / f"{index}-{mode}-{keep_rename}"
                shutil.copytree(root0, root)
                code = run_killed(
                    lambda r=root: _save(r, session_id), pytest.MonkeyPatch, index, mode
                )
                assert code == 137, f"the child did not die at step {index} ({label})"
                _cut_power(root, relative, old_bytes, keep_rename)
                store = Store(root)
                report = store.verify()
                where = f"killed {mode} step {index} ({label}), rename kept: {keep_rename}"
                assert report.ok, f"{where}: {report.problems}"
                assert not ledger_of(store.audit.entries()).pending, where
                plan = store.load(session_id).notes.plan
                new = (root / relative).read_bytes() != old_bytes
                assert plan == ("saved just before the power cut" if new else "2 weeks"), where
                outcomes.add(new)
    assert outcomes == {True, False}  # some cuts kept the new version, some the old


def test_the_intent_is_on_disk_before_the_rename_and_the_commit_is_not_flushed(
    store, client, monkeypatch
):
    session = full_session(client.id)
    store.save(session)
    events: list[tuple[str, int]] = []
    lock = threading.Lock()
    log = store.layout.audit
    fsync_log, replace_file = backend.fsync_log, atomic.replace_file

    def log_flushed(fd):
        fsync_log(fd)
        with lock:
            events.append(("log flushed", os.fstat(fd).st_size))

    def renamed(source, target):
        with lock:
            events.append(("rename", log.stat().st_size))
        replace_file(source, target)

    monkeypatch.setattr(backend, "fsync_log", log_flushed)
    monkeypatch.setattr(atomic, "replace_file", renamed)
    session.notes.plan = "again"
    store.save(session)
    assert [name for name, _ in events] == ["log flushed", "rename"]
    (_, flushed), (_, at_rename) = events
    assert flushed == at_rename  # the whole log, intent included, was on disk
    intent, commit = store.audit.entries()[-2:]
    assert intent["phase"] == "intent" and commit["action"] == "commit"
    assert log.stat().st_size > flushed  # the commit came after, unflushed


def test_a_lost_commit_is_made_good_on_the_next_open(store, client):
    session = full_session(client.id)
    store.save(session)
    session.notes.plan = "the commit of this save is lost"
    store.save(session)
    log = store.layout.audit
    lines = log.read_bytes().splitlines(keepends=True)
    assert b'"action":"commit"' in lines[-1]
    log.write_bytes(b"".join(lines[:-1]))  # what a power cut right after the save leaves
    reopened = Store(store.root)
    assert [str(r) for r in reopened.recovered] == [
        f"an interrupted save of {session.id} was completed"
    ]
    assert reopened.verify().ok
    assert reopened.load(session.id).notes.plan == "the commit of this save is lost"
    assert reopened.audit.entries()[-1]["by"] == "recovery"
