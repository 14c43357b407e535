"""A full disk or a read-only folder at each step of a save: a clear error, nothing lost."""

from __future__ import annotations

import errno
import os

import pytest
from store_helpers import full_session

from bodymap.store import DiskFullError, ReadOnlyStoreError, Store, StoreWriteError, snapshot
from bodymap.store import atomic as atomic_module
from bodymap.store.atomic import TEMP_PATTERN

STEPS_BEFORE_RENAME = ("open_temp", "write_all", "fsync_file", "replace_file")
ERRORS = {errno.ENOSPC: DiskFullError, errno.EROFS: ReadOnlyStoreError}


def temp_files(store) -> list:
    return [p for p in store.root.rglob("*") if TEMP_PATTERN.match(p.name)]


def fail_with(code: int):
    def failing(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return failing


@pytest.fixture
def saved(store, client):
    """A saved session, then edited in memory: the next save is the one that fails."""
    session = full_session(client.id)
    path = store.save(session)
    session.notes.plan = "edited after the first save"
    session.overlays.values[0, 0] = 99
    return session, path, path.read_bytes()


@pytest.mark.parametrize("code", sorted(ERRORS))
@pytest.mark.parametrize("step", STEPS_BEFORE_RENAME)
def test_failure_before_the_rename_keeps_the_previous_file(store, saved, monkeypatch, step, code):
    session, path, before = saved
    memory = snapshot(session)
    entries = len(store.audit.entries())
    monkeypatch.setattr(atomic_module, step, fail_with(code))
    with pytest.raises(ERRORS[code]) as caught:
        store.save(session)
    message = str(caught.value)
    assert "\n" not in message and path.name in message
    assert caught.value.errno == code and not caught.value.replaced
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert store.load(session.id).notes.plan == "2 weeks"  # the previous version
    assert temp_files(store) == []
    assert session.same_record(memory)  # the in-memory session is untouched
    intent, rollback = store.audit.entries()[entries:]  # the change was begun, then undone
    assert intent["phase"] == "intent" and rollback == {**rollback, "action": "rollback"}
    assert rollback["txn"] == intent["txn"] and store.verify().ok
    store.save(session)  # and the next save works
    assert store.load(session.id).same_record(session)


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_failure_flushing_the_folder_leaves_the_new_file_in_place(store, saved, monkeypatch, code):
    session, path, before = saved
    monkeypatch.setattr(atomic_module, "fsync_folder", fail_with(code))
    with pytest.raises(StoreWriteError, match="save again") as caught:
        store.save(session)
    assert caught.value.replaced
    monkeypatch.undo()
    assert path.read_bytes() != before
    assert store.load(session.id).same_record(session)
    assert temp_files(store) == []
    intent, commit = store.audit.entries()[-2:]
    assert intent["action"] == "save" and commit["action"] == "commit"
    assert store.verify().ok


def test_full_disk_while_writing_the_audit_log(store, saved, monkeypatch):
    """The log takes the intent first: when it cannot, nothing is changed at all."""
    session, path, before = saved
    log_before = store.layout.audit.read_bytes()
    monkeypatch.setattr("bodymap.store.backend.write_all", fail_with(errno.ENOSPC))
    with pytest.raises(DiskFullError, match="audit log"):
        store.save(session)
    monkeypatch.undo()
    assert path.read_bytes() == before and store.layout.audit.read_bytes() == log_before
    assert store.verify().ok
    store.save(session)  # with room again, the same save goes through
    assert store.load(session.id).same_record(session)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_failure_flushing_the_intent_keeps_the_previous_file(store, saved, monkeypatch, code):
    """The intent's fsync runs beside the file's: when it fails, nothing is renamed."""
    session, path, before = saved
    monkeypatch.setattr("bodymap.store.backend.fsync_log", fail_with(code))
    with pytest.raises(StoreWriteError, match="audit log") as caught:
        store.save(session)
    assert "\n" not in str(caught.value) and not caught.value.replaced
    monkeypatch.undo()
    assert path.read_bytes() == before and temp_files(store) == []
    # The rollback could not be flushed either (the same failing disk): the next open
    # finds the intent unresolved, the previous file in place, and rolls it back.
    reopened = Store(store.root)
    assert [r.outcome for r in reopened.recovered] == ["rolled back"]
    assert reopened.load(session.id).notes.plan == "2 weeks"
    assert reopened.verify().ok
    reopened.save(session)
    assert reopened.load(session.id).same_record(session)


def test_draft_failure_is_clean_too(store, client, monkeypatch):
    session = full_session(client.id)
    monkeypatch.setattr(atomic_module, "write_all", fail_with(errno.ENOSPC))
    with pytest.raises(DiskFullError):
        store.save_draft(session)
    assert temp_files(store) == [] and store.drafts() == []


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores file permissions"
)
def test_read_only_folder(store, saved):
    session, path, before = saved
    folder = path.parent
    folder.chmod(0o500)
    try:
        with pytest.raises(ReadOnlyStoreError, match="read-only or not writable"):
            store.save(session)
    finally:
        folder.chmod(0o700)
    assert path.read_bytes() == before and temp_files(store) == []


def test_windows_retries_a_rename_over_a_file_held_open(store, saved, monkeypatch):
    session, path, _ = saved
    real_replace, calls = os.replace, []

    def busy_twice(source, target):
        calls.append(target)
        if len(calls) <= 2:
            raise PermissionError(13, "The process cannot access the file")
        real_replace(source, target)

    monkeypatch.setattr(atomic_module, "WINDOWS", True)
    monkeypatch.setattr(atomic_module.os, "replace", busy_twice)
    store.save(session)
    assert len(calls) == 3 and store.load(session.id).same_record(session)


def test_a_folder_that_refuses_fsync_is_not_a_failure(store, saved, monkeypatch):
    session, path, _ = saved
    real_fsync = os.fsync

    def refuse_folders(fd):
        if os.path.isdir(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else False:
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(atomic_module.os, "fsync", refuse_folders)
    store.save(session)
    assert store.load(session.id).same_record(session)
