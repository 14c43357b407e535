"""Damaged, foreign and newer files: listed as unreadable with a reason, never overwritten."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from store_helpers import full_session

from bodymap.store import SessionReadError, Store, TargetUnreadableError


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def random_bytes(path):
    path.write_bytes(np.random.default_rng(0).bytes(4000))


def foreign_hdf5(path):
    path.unlink()
    with h5py.File(path, "w") as h5:
        h5["temperature"] = np.arange(10.0)
        h5.attrs["instrument"] = "thermometer"


def newer_schema(path):
    with h5py.File(path, "r+") as h5:
        h5.attrs["schema_version"] = 99
        h5.attrs["app_version"] = "9.0.0"


def empty_file(path):
    path.write_bytes(b"")


DAMAGES = {
    "truncated": (truncate, "truncated"),
    "random bytes": (random_bytes, "not an HDF5 file"),
    "foreign HDF5": (foreign_hdf5, "foreign"),
    "newer schema": (newer_schema, "newer BodyMap"),
    "empty": (empty_file, "empty file"),
}


@pytest.fixture
def two_sessions(store, client):
    good, bad = full_session(client.id, seed=1), full_session(client.id, seed=2)
    bad.started = bad.started.replace(year=2027)
    store.save(good)
    store.save(bad)
    return good, bad, store.layout.session_file(client.id, bad.id)


@pytest.mark.parametrize("name", sorted(DAMAGES))
def test_damaged_file_is_listed_unreadable_and_never_replaced(tmp_path, two_sessions, name):
    damage, reason = DAMAGES[name]
    good, bad, path = two_sessions
    damage(path)
    damaged = path.read_bytes()
    store = Store(tmp_path / "store")  # a fresh store knows nothing about the files
    infos = {i.id: i for i in store.sessions(good.client_id)}
    assert infos[good.id].readable and not infos[bad.id].readable
    assert reason in infos[bad.id].reason and "\n" not in infos[bad.id].reason
    with pytest.raises(SessionReadError):
        store.load(bad.id)
    with pytest.raises(TargetUnreadableError, match="refusing to save over"):
        store.save(bad)
    assert path.read_bytes() == damaged
    assert store.load(good.id).same_record(good)
    problems = [f for f in store.verify().files if not f.ok]
    assert [p.path.split("/")[-1] for p in problems] == [path.name]


def test_bit_flip_in_a_layer_chunk_is_caught_by_fletcher32(store, two_sessions):
    good, bad, path = two_sessions
    with h5py.File(path, "r") as h5:
        chunk = h5["layers/restriction"].id.get_chunk_info(0)
    data = bytearray(path.read_bytes())
    data[chunk.byte_offset + chunk.size // 2] ^= 0x10
    path.write_bytes(bytes(data))
    infos = {i.id: i for i in store.sessions(good.client_id, check=True)}
    assert infos[good.id].readable
    assert not infos[bad.id].readable and "checksum" in infos[bad.id].reason
    with pytest.raises(SessionReadError, match="checksum"):
        store.load(bad.id)
    report = store.verify()
    assert not report.ok and any("checksum" in p for p in report.problems)


def test_edit_that_checksums_miss_is_caught_by_the_content_digest(store, two_sessions):
    good, bad, path = two_sessions
    with h5py.File(path, "r+") as h5:
        h5.attrs["practitioner"] = "Someone Else"  # attributes have no checksum
    assert store.sessions(good.client_id)[1].readable  # a fast listing cannot see it
    infos = store.sessions(good.client_id, check=True)
    assert not infos[1].readable and "digest" in infos[1].reason
    assert any("digest" in p for p in store.verify().problems)


def test_stray_files_do_not_hide_the_clients_sessions(store, two_sessions):
    good, bad, path = two_sessions
    (path.parent / "notes.txt").write_text("not a session")
    foreign = path.parent / "s-foreign.h5"
    foreign.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    infos = store.sessions(good.client_id)
    assert [i.id for i in infos if i.readable] == [good.id, bad.id]
    assert [i.id for i in infos if not i.readable] == ["s-foreign"]


def test_a_file_moved_to_another_client_is_unreadable_there(store, two_sessions):
    good, bad, path = two_sessions
    elsewhere = store.layout.session_file("c-someone-else", bad.id)
    elsewhere.parent.mkdir(parents=True)
    path.rename(elsewhere)
    (info,) = store.sessions("c-someone-else")
    assert not info.readable and "belongs to client" in info.reason
