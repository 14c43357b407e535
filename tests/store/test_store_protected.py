"""A passphrase-protected store: round trips, wrong passphrases, swapped or changed files,
a rewritten audit log, protect and unprotect in place (killed half-way too), backup and
restore, and erasing a client, searched for on the disk afterwards."""

from __future__ import annotations

import os
import shutil
import zipfile

import numpy as np
import pytest
from kill_points import run_killed
from store_helpers import NOTE_MARKER, full_session

from bodymap.core.mesh import BodyMesh
from bodymap.store import Store, StoreError
from bodymap.store.audit import canonical, entry_hash
from bodymap.store.backup import backup, check_archive, last_backup, restore
from bodymap.store.crypto import WrongPassphraseError
from bodymap.store.errors import StoreLockedError
from bodymap.store.keys import change_passphrase, is_protected, unlock
from bodymap.store.protection import protect, record_files, unprotect

PASSPHRASE = "correct horse battery"
CLIENT_NAME = "Quillon Farthingale"
COST = 2**10  # a cheap key derivation for tests; real stores are tuned to about 0.3 s


def _tetra() -> BodyMesh:
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]], np.int32)
    return BodyMesh(vertices, faces, name="tetra")


def _filled(root):
    store = Store(root)
    store.put_mesh(_tetra())
    client = store.create_client(CLIENT_NAME, contact="quillon@example.org")
    plain = full_session(client.id, seed=1)
    store.save(plain, thumbnail=b"\x89PNG fake thumbnail " + NOTE_MARKER.encode())
    signed = full_session(client.id, seed=2)
    store.finalise(signed)
    store.amend(signed.id, f"amended: {NOTE_MARKER}", "Zoë")
    store.save_draft(full_session(client.id, seed=3))
    return client, plain, signed


def _disk_text(root) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def protected(tmp_path):
    root = tmp_path / "store"
    client, plain, signed = _filled(root)
    keys, recovery = protect(root, PASSPHRASE, cost=COST)
    return root, keys, recovery, client, plain, signed


def test_a_protected_store_round_trips_and_holds_no_plain_text(protected):
    root, keys, recovery, client, plain, signed = protected
    assert is_protected(root) and recovery.count("-") == 7
    store = Store(root, unlock(root, PASSPHRASE))
    assert store.protected and store.verify().ok
    assert store.load(plain.id).same_record(plain)
    assert store.client(client.id).name == CLIENT_NAME
    assert [a.text for a in store.amendments(signed.id)] == [f"amended: {NOTE_MARKER}"]
    again = full_session(client.id, seed=4)
    store.save(again)
    assert store.load(again.id).same_record(again) and store.verify().ok
    text = _disk_text(root)
    for secret in (CLIENT_NAME, NOTE_MARKER, "quillon@example.org", "Zoë"):
        assert secret.encode() not in text, secret


def test_without_keys_or_with_a_wrong_passphrase_nothing_opens(protected):
    root = protected[0]
    before = _disk_text(root)
    with pytest.raises(StoreLockedError, match="protected by a passphrase"):
        Store(root)
    with pytest.raises(WrongPassphraseError, match="does not unlock"):
        unlock(root, "not the passphrase")
    assert _disk_text(root) == before  # touches no data
    assert Store(root, unlock(root, recovery_key=protected[2])).verify().ok


def test_a_file_swapped_for_another_is_refused(protected):
    root, keys, _, client, plain, signed = protected
    store = Store(root, keys)
    other = full_session(client.id, seed=5)
    store.save(other)
    a = store.layout.session_file(client.id, plain.id)
    b = store.layout.session_file(client.id, other.id)
    os.chmod(a, 0o600)
    shutil.copy(b, a)
    problems = " ".join(Store(root, keys).verify().problems)
    assert plain.id in problems and "does not decrypt" in problems
    with pytest.raises(StoreError):
        Store(root, keys).load(plain.id)


@pytest.mark.parametrize("kind", ["session", "client", "amendment", "draft", "mesh"])
def test_every_flipped_byte_of_a_sealed_file_is_detected(protected, kind):
    root, keys = protected[0], protected[1]
    store = Store(root, keys)
    files = [p for p in record_files(store) if _kind(root, p) == kind]
    if not files:
        pytest.skip(f"no {kind} file in this store")
    path = files[0]
    original = path.read_bytes()
    os.chmod(path, 0o600)
    step = max(1, len(original) // 40)
    for index in range(0, len(original), step):
        changed = bytearray(original)
        changed[index] ^= 0x10
        path.write_bytes(bytes(changed))
        assert not Store(root, keys).verify().ok, f"byte {index} of {path.name}"
    path.write_bytes(original)
    assert Store(root, keys).verify().ok


def test_the_mesh_store_is_sealed_and_reads_back(protected):
    root, keys = protected[0], protected[1]
    mesh = _tetra()
    assert b"tetra" not in Store(root, keys).layout.mesh_file(mesh.geometry_hash).read_bytes()
    assert Store(root, keys).get_mesh(mesh.geometry_hash)[0].geometry_hash == mesh.geometry_hash


FOLDER_KINDS = {"sessions": "session", "drafts": "draft", "clients": "client",
                "amendments": "amendment", "meshes": "mesh"}  # fmt: skip


def _kind(root, path) -> str:
    return FOLDER_KINDS[path.relative_to(root).parts[0]]


def test_a_log_rewritten_with_a_plain_chain_fails_verify(protected):
    root, keys = protected[0], protected[1]
    store = Store(root, keys)
    entries = store.audit.entries()
    forged, prev = [], "0" * 64
    for entry in entries:
        entry = {**entry, "prev": prev, "user": "someone-else"}
        entry["hash"] = entry_hash(entry)  # a consistent plain SHA-256 chain
        prev = entry["hash"]
        forged.append(canonical(entry))
    store.layout.audit.write_text("\n".join(forged) + "\n", encoding="ascii")
    assert Store(root, keys).verify_audit()


def test_changing_the_passphrase_rewraps_only_the_key(protected):
    root, keys = protected[0], protected[1]
    before = {p: p.read_bytes() for p in record_files(Store(root, keys))}
    change_passphrase(root, keys, "a brand new passphrase")
    with pytest.raises(WrongPassphraseError):
        unlock(root, PASSPHRASE)
    assert unlock(root, "a brand new passphrase").data_key == keys.data_key
    assert {p: p.read_bytes() for p in before} == before


def test_unprotect_gives_back_a_plain_store_that_verifies(protected):
    root, _, _, client, plain, _ = protected
    unprotect(root, PASSPHRASE)
    store = Store(root)
    assert not store.protected and store.verify().ok
    assert store.load(plain.id).same_record(plain)
    assert CLIENT_NAME.encode() in _disk_text(root)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("direction", ["protect", "unprotect"])
def test_a_kill_half_way_leaves_a_store_that_opens_and_the_next_run_finishes(tmp_path, direction):
    base = tmp_path / "base"
    _, plain, _ = _filled(base)
    if direction == "unprotect":
        protect(base, PASSPHRASE, cost=COST)

    def convert(root):
        if direction == "protect":
            protect(root, PASSPHRASE, cost=COST)
        else:
            unprotect(root, PASSPHRASE)

    for kill_at in (1, 3, 6, 9, 14):
        root = tmp_path / f"killed-{kill_at}"
        shutil.copytree(base, root)
        code = run_killed(lambda r=root: convert(r), pytest.MonkeyPatch, kill_at, "half")
        if code == 0:
            continue  # finished before that step
        assert code == 137
        keys = unlock(root, PASSPHRASE) if is_protected(root) else None
        assert Store(root, keys).load(plain.id).same_record(plain)  # it still opens
        convert(root)  # and the next run finishes the job
        keys = unlock(root, PASSPHRASE) if direction == "protect" else None
        store = Store(root, keys)
        assert store.protected == (direction == "protect")
        assert store.verify().ok, store.verify().problems
        assert store.load(plain.id).same_record(plain)


@pytest.mark.parametrize("protect_first", [False, True])
def test_backup_and_restore_rebuild_an_equal_store(tmp_path, protect_first):
    root = tmp_path / "store"
    client, plain, signed = _filled(root)
    keys = protect(root, PASSPHRASE, cost=COST)[0] if protect_first else None
    store = Store(root, keys)
    archive = tmp_path / "backup.zip"
    info = backup(store, archive)
    assert info.files == len(list(record_files(store))) + 1 + protect_first
    assert last_backup(store) is not None and check_archive(archive)["protected"] == protect_first
    if protect_first:
        assert CLIENT_NAME.encode() not in archive.read_bytes()
    restored_root = restore(archive, tmp_path / "restored")
    restored = Store(restored_root, unlock(restored_root, PASSPHRASE) if protect_first else None)
    assert restored.verify().ok, restored.verify().problems
    assert restored.load(plain.id).same_record(plain)
    assert restored.load(signed.id).same_record(store.load(signed.id))
    assert [c.name for c in restored.clients()] == [CLIENT_NAME]
    with pytest.raises(StoreError, match="not empty"):
        restore(archive, restored_root)


def test_a_damaged_archive_is_refused_before_anything_is_written(tmp_path):
    root = tmp_path / "store"
    _filled(root)
    archive = tmp_path / "b.zip"
    backup(Store(root), archive)
    with zipfile.ZipFile(archive) as zf:
        name = next(n for n in zf.namelist() if n.startswith("sessions/"))
        members = {n: zf.read(n) for n in zf.namelist()}
    members[name] = members[name][:-10] + b"0123456789"
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    with pytest.raises(StoreError, match="damaged"):
        restore(tmp_path / "bad.zip", tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("protect_first", [False, True])
def test_erasing_a_client_leaves_nothing_on_the_disk(tmp_path, protect_first):
    root = tmp_path / "store"
    client, plain, signed = _filled(root)
    keys = protect(root, PASSPHRASE, cost=COST)[0] if protect_first else None
    store = Store(root, keys)
    other = store.create_client("Somebody Else")
    kept = full_session(other.id, seed=8)
    kept.notes.subjective = kept.notes.objective = "another client's notes"
    kept.pins.clear()
    store.save(kept)
    store.delete_client(client.id)
    assert store.verify().ok
    text = _disk_text(root)
    for secret in (CLIENT_NAME.encode(), NOTE_MARKER.encode(), b"quillon@example.org"):
        assert secret not in text
    assert not [p for p in root.rglob("*") if client.id in p.name]
    assert [c.id for c in store.clients()] == [other.id]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_kill_during_backup_or_restore_leaves_no_half_archive_or_store(tmp_path):
    root = tmp_path / "store"
    _, plain, _ = _filled(root)
    keys = protect(root, PASSPHRASE, cost=COST)[0]
    good = tmp_path / "good.zip"
    backup(Store(root, keys), good)
    members = len(check_archive(good)["files"])
    for kill_at in (0, 2, members // 2, members):
        archive = tmp_path / f"killed-{kill_at}.zip"

        def killed_backup(target=archive, at=kill_at):
            calls = []
            original = zipfile.ZipFile.writestr

            def writestr(self, *args, **kwargs):
                calls.append(1)
                if len(calls) > at:
                    os._exit(137)
                return original(self, *args, **kwargs)

            zipfile.ZipFile.writestr = writestr
            backup(Store(root, keys), target)

        assert run_killed(killed_backup, pytest.MonkeyPatch, -1, "before") == 137
        assert not archive.exists()  # never half an archive under its name
        assert Store(root, keys).verify().ok
        restored = tmp_path / f"restored-{kill_at}"
        code = run_killed(lambda r=restored: restore(good, r), pytest.MonkeyPatch, kill_at, "half")
        if code == 137:  # killed: no store there yet, and a second try finishes the job
            assert not restored.exists() or not any(restored.iterdir())
            restore(good, restored)
        again = Store(restored, unlock(restored, PASSPHRASE))
        assert again.verify().ok and again.load(plain.id).same_record(plain)
