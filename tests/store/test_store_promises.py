"""The store's promises under a second process, a damaged target, edits from outside BodyMap,
a full disk, and text that cannot be stored."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from store_helpers import full_session

from bodymap.core.session import Session
from bodymap.store import (
    ConflictError,
    DiskFullError,
    FinalisedError,
    Store,
    StoreError,
    TargetUnreadableError,
)

RACER = Path(__file__).with_name("store_racer.py")


def _problems(store: Store) -> list[str]:
    return store.verify().problems


# ----- 2. a save replaces only a file that reads back whole ------------------------------
def _break_layer_checksum(path: Path) -> None:
    """Flip a byte inside a layer's stored chunk: the header still reads, the layer not."""
    with h5py.File(path, "r") as h5:
        name = sorted(h5["layers"])[0]
        offset = h5["layers"][name].id.get_offset()
    if offset is None:  # chunked: find the first chunk's address
        with h5py.File(path, "r") as h5:
            info = h5["layers"][name].id.get_chunk_info(0)
            offset = info.byte_offset
    os.chmod(path, 0o600)
    with open(path, "r+b") as stream:
        stream.seek(offset + 3)
        byte = stream.read(1)
        stream.seek(offset + 3)
        stream.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("same_store", [False, True])
def test_a_save_never_replaces_a_file_that_does_not_read_back_whole(store, client, same_store):
    session = full_session(client.id)
    path = store.save(session)
    _break_layer_checksum(path)
    damaged = path.read_bytes()
    # The store that wrote it notices the file changed; a fresh one checks it whole.
    saver = store if same_store else Store(store.root)
    with pytest.raises((TargetUnreadableError, ConflictError), match="as a new session"):
        saver.save(session)
    assert path.read_bytes() == damaged  # kept as evidence
    copy = saver.save_as_new(session)
    assert copy.id != session.id and saver.load(copy.id).notes == session.notes
    assert path.read_bytes() == damaged


# ----- 5. two processes on one store ---------------------------------------------------
def _racers(root: Path, session_id: str, action: str, count: int = 2) -> list[str]:
    """Start ``count`` processes that load the session, wait together, then ``action`` it."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    go = root.parent / f"go-{action}"
    go.unlink(missing_ok=True)
    procs = [
        subprocess.Popen(
            [sys.executable, str(RACER), str(root), session_id, action, str(go), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for n in range(count)
    ]
    for proc in procs:  # each prints "ready" once it has loaded the session
        assert proc.stdout.readline().strip() == "ready"
    go.write_text("go")
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outcomes.append(out.strip())
    return outcomes


@pytest.mark.parametrize("action", ["finalise", "save"])
def test_two_processes_never_undo_each_others_work(tmp_path, action):
    root = tmp_path / "store"
    store = Store(root)
    client = store.create_client("Two Windows")
    for round_ in range(3):
        session = full_session(client.id, seed=round_)
        store.save(session)
        outcomes = _racers(root, session.id, action)
        winners = [o for o in outcomes if o.startswith("ok")]
        assert len(winners) == 1, outcomes
        loser = next(o for o in outcomes if not o.startswith("ok"))
        assert loser.startswith(("ConflictError", "FinalisedError")), loser
        stored = Store(root).load(session.id)
        marker = winners[0].split()[1]
        assert stored.notes.plan == marker  # the winner's confirmed work is what is stored
        assert (stored.finalised_at is not None) == (action == "finalise")
    assert Store(root).verify().ok


def test_a_stale_save_in_the_same_process_is_refused_too(store, client):
    session = full_session(client.id)
    store.save(session)
    other = Store(store.root)
    theirs = other.load(session.id)
    theirs.notes.plan = "theirs"
    other.save(theirs)
    session.notes.plan = "mine"
    with pytest.raises(ConflictError, match="another BodyMap window or process"):
        store.save(session)
    assert Store(store.root).load(session.id).notes.plan == "theirs"
    with pytest.raises(FinalisedError):
        other.finalise(theirs)
        other.finalise(theirs)


# ----- 6. integrity: verify catches edits and deletions from outside --------------------
def test_client_file_edited_from_outside_fails_verify(store, client):
    path = store.layout.client_file(client.id)
    assert store.verify().ok
    data = bytearray(path.read_bytes())
    flips = caught = 0
    for index in range(0, len(data), max(1, len(data) // 60)):
        changed = bytearray(data)
        changed[index] ^= 0x01
        path.write_bytes(bytes(changed))
        flips += 1
        caught += not store.verify().ok
    path.write_bytes(bytes(data))
    assert caught == flips and store.verify().ok


def test_a_finalised_session_deleted_from_outside_fails_verify(store, client):
    session = full_session(client.id)
    store.finalise(session)
    amendment = store.amend(session.id, "a correction", "Zoë")
    path = store.layout.session_file(client.id, session.id)
    shutil.rmtree(store.layout.amendment_folder(client.id, session.id))
    os.chmod(path, 0o600)
    path.unlink()
    problems = " ".join(_problems(store))
    assert "missing: the audit log records a finalised session" in problems
    assert "missing: the audit log records this amendment" in problems and amendment.id in problems


def test_an_older_copy_put_back_fails_verify(store, client):
    session = full_session(client.id)
    path = store.save(session)
    older = path.read_bytes()
    session.notes.plan = "the newer plan"
    store.save(session)
    path.write_bytes(older)
    assert any("not the content the audit log last recorded" in p for p in _problems(store))


def test_a_session_copied_in_from_outside_fails_verify(store, client, tmp_path):
    other = Store(tmp_path / "elsewhere")
    stranger = other.create_client("Stranger")
    session = full_session(stranger.id)
    source = other.save(session)
    target = store.layout.session_file(stranger.id, session.id)
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    assert any("not recorded in the audit log" in p for p in _problems(store))


def test_an_erased_client_is_meant_to_be_gone(store, client):
    store.finalise(full_session(client.id))
    store.delete_client(client.id)
    assert store.verify().ok


def test_a_client_file_of_schema_1_still_opens(store, tmp_path):
    document = {"format": "bodymap-client", "schema_version": 1, "id": "c-old000000001",
                "name": "Written by 0.1", "born": "", "contact": "", "notes": "",
                "created": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    store.layout.client_file("c-old000000001").write_text(json.dumps(document))
    assert [c.name for c in store.clients()] == ["Written by 0.1"]
    assert store.verify().ok
    edited = store.edit_client("c-old000000001", contact="x@example.org")
    saved = json.loads(store.layout.client_file(edited.id).read_text())
    assert saved["schema_version"] == 2 and len(saved["content_sha256"]) == 64


# ----- 4. a full disk, for real --------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                            capture_output=True)  # fmt: skip
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> list[Path]:
    """Fill the file system, down to a few hundred bytes, with ballast files."""
    ballast, size = [], 1 << 20
    while size >= 64:
        path = folder / f"ballast-{len(ballast)}"
        try:
            with open(path, "wb") as stream:
                stream.write(b"\0" * size)
            ballast.append(path)
        except OSError as error:
            assert error.errno == errno.ENOSPC
            path.unlink(missing_ok=True)
            size //= 2
    return ballast


def test_a_full_disk_loses_nothing_and_the_log_stays_whole(small_disk):
    store = Store(small_disk / "store")
    client = store.create_client("Full Disk")
    session = full_session(client.id, n_vertices=30_000)
    path = store.save(session)
    before, log_before = path.read_bytes(), store.layout.audit.read_bytes()
    session.overlays.values[:, 1] = np.random.default_rng(0).integers(0, 100, 30_000)
    ballast = _fill(small_disk)
    failures = 0
    for attempt in ("save", "finalise", "edit client", "create client"):
        try:
            {"save": lambda: store.save(session),
             "finalise": lambda: store.finalise(session.id),
             "edit client": lambda: store.edit_client(client.id, notes="x" * 4000),
             "create client": lambda: store.create_client("N" * 150, notes="y" * 4000),
             }[attempt]()  # fmt: skip
        except DiskFullError as error:
            assert "disk is full" in str(error) and "\n" not in str(error)
            failures += 1
        log = store.layout.audit.read_bytes()
        assert log.endswith(b"\n") and log.startswith(log_before[:100])
        assert not store.audit.verify()
    assert failures >= 1 and path.read_bytes() == before
    for item in ballast:
        item.unlink()
    reopened = Store(small_disk / "store")
    assert reopened.verify().ok
    reopened.save(session) if not reopened.load(session.id).finalised else None
    assert reopened.verify().ok


# ----- 7. keys and text where they come in; the root folder ------------------------------
def test_a_practitioner_name_with_nul_gets_a_clear_message(store, client):
    with pytest.raises(ValueError, match="control character"):
        Session(client.id, "ab" * 32, 10, practitioner="Zoë\0")
    session = full_session(client.id)
    session.practitioner = "Zoë\0"
    with pytest.raises(StoreError, match="control character") as caught:
        store.save(session)
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match="control character"):
        store.create_client("Ada\0Lovelace")


@pytest.mark.parametrize("key", ["a/b", "a\0b", "../x", "Upper", ""])
def test_a_layer_key_that_cannot_be_stored_is_refused_where_it_comes_in(client, key):
    session = full_session(client.id)
    with pytest.raises(ValueError, match="not a lower-case identifier"):
        session.overlays.ensure_layers([key])


def test_the_store_folders_are_private(tmp_path):
    root = tmp_path / "deep" / "store"
    old = os.umask(0o022)
    try:
        store = Store(root)
    finally:
        os.umask(old)
    for folder in (root, root.parent, *store.layout.folders()):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


def test_session_ids_and_sha_are_consistent_in_the_log(store, client):
    session = full_session(client.id)
    path = store.save(session)
    intent = [e for e in store.audit.entries() if e.get("session_id") == session.id][-1]
    assert intent["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
