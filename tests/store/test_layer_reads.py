"""Reading one layer, or the readings and events, of many sessions without loading them."""

from __future__ import annotations

import shutil
from collections import Counter

import numpy as np
import pytest
from store_helpers import MESH_HASH, OTHER_MESH, full_session

from bodymap.store import MeshMismatchError, NotFoundError, SessionReadError, StoreError


@pytest.fixture
def saved(store, client):
    """Three saved sessions of one client and one of another, with different paint."""
    other = store.create_client("Grace Hopper")
    sessions = [full_session(client.id, seed=seed) for seed in range(3)]
    sessions.append(full_session(other.id, seed=9))
    for session in sessions:
        store.save(session)
    return sessions


def test_read_layers_equals_full_loads(store, saved):
    ids = [s.id for s in saved]
    for tag in ("restriction", "energy_cyst", "pain", "release", "heat"):
        layers = store.read_layers(ids, tag)
        for session_id, layer in zip(ids, layers, strict=True):
            full = store.load(session_id).overlays
            if tag in full.painted_keys():
                assert layer.dtype == np.uint8 and np.array_equal(layer, full.layer(tag))
            else:
                assert layer is None
    assert store.read_layers([], "pain") == []
    reversed_ids = ids[::-1]
    assert [x is None for x in store.read_layers(reversed_ids, "release")] == [
        x is None for x in store.read_layers(ids, "release")[::-1]
    ]
    one = store.read_layer(ids[1], "restriction")
    assert np.array_equal(one, store.load(ids[1]).overlays.layer("restriction"))


def test_read_layer_sets_hold_every_painted_layer(store, saved):
    ids = [s.id for s in saved]
    for (layers, mesh_hash), session in zip(store.read_layer_sets(ids), saved, strict=True):
        assert mesh_hash == MESH_HASH
        full = store.load(session.id).overlays
        assert sorted(layers) == sorted(full.painted_keys())
        assert all(np.array_equal(v, full.layer(k)) for k, v in layers.items())
    [(some, _)] = store.read_layer_sets(ids[:1], ["pain", "nothing_here"])
    assert list(some) == ["pain"]


def test_rhythm_and_events_are_read_alone(store, saved):
    results = store.rhythm_and_events([s.id for s in saved])
    for (readings, counts), session in zip(results, saved, strict=True):
        assert readings == session.rhythm
        assert counts == dict(Counter(e.kind for e in session.events))
    assert store.tag_names(saved[0].id)["energy_cyst"] == "Energy cyst"


def test_a_mesh_given_must_match(store, saved):
    assert store.read_layer(saved[0].id, "pain", MESH_HASH) is not None
    with pytest.raises(MeshMismatchError, match="another body mesh"):
        store.read_layers([saved[0].id], "pain", mesh=OTHER_MESH)


def test_identity_and_damage_are_checked(store, saved, client):
    folder = store.layout.client_sessions(client.id)
    impostor = folder / "s-impostor.h5"
    shutil.copyfile(store.layout.session_file(client.id, saved[0].id), impostor)
    with pytest.raises(SessionReadError, match="holds session"):
        store.read_layer("s-impostor", "pain")
    (folder / "s-junk.h5").write_bytes(b"not hdf5 at all")
    with pytest.raises(SessionReadError, match="not an HDF5 file"):
        store.read_layers([saved[0].id, "s-junk"], "pain")
    with pytest.raises(SessionReadError):
        store.rhythm_and_events(["s-junk"])
    with pytest.raises(NotFoundError):
        store.read_layer("s-missing", "pain")
    with pytest.raises(StoreError):
        store.read_layer(saved[0].id, "../pain")


def test_a_damaged_layer_is_reported(store, client):
    import h5py

    session = full_session(client.id)
    path = store.save(session)
    with h5py.File(path, "r") as h5:
        chunk = h5["layers/restriction"].id.get_chunk_info(0)
    data = bytearray(path.read_bytes())
    data[chunk.byte_offset + chunk.size // 2] ^= 0xFF
    path.chmod(0o600)
    path.write_bytes(bytes(data))
    with pytest.raises(SessionReadError, match="damaged layer 'restriction'"):
        store.read_layer(session.id, "restriction")
    assert store.read_layer(session.id, "pain") is not None  # the other layers still read


@pytest.mark.parametrize("depth", [1, 3, 4])
def test_json_nesting_is_bounded_exactly(depth):
    """Nesting up to the bound parses, one level more is refused, and many shallow
    brackets (or brackets inside strings) are no nesting."""
    from bodymap.store.limits import Refused, parse_json

    assert isinstance(parse_json("[" * depth + "]" * depth, "x", max_depth=depth), list)
    with pytest.raises(Refused, match="nested more than"):
        parse_json("[" * (depth + 1) + "]" * (depth + 1), "x", max_depth=depth)
    assert len(parse_json("[" + "[], " * 50 + "[]]", "x", max_depth=2)) == 51
    assert parse_json('["[[[[[[", {"a": "{{{{"}]', "x", max_depth=2)[0] == "[[[[[["


def test_a_listing_spares_later_reads_its_headers_until_a_file_changes(store, saved, monkeypatch):
    """Headers a listing read are held while each file keeps its (inode, size, mtime):
    a comparison after it reads none again, and a file changed since is read anew."""
    import dataclasses

    import bodymap.store.partial_reads as partial_reads
    from bodymap.store import Store

    fresh = Store(store.root)  # holds no header of its own
    headers: list[str] = []

    def counting(original):
        def counted(source, path):  # an open file, or the attributes of its index
            headers.append(path.stem)
            return original(source, path)

        return counted

    for name in ("checked_header", "identity_of"):
        monkeypatch.setattr(partial_reads, name, counting(getattr(partial_reads, name)))
    mine = saved[:3]
    ids = [s.id for s in mine]
    fresh.read_layers(ids, "restriction")
    assert headers == ids  # nothing held yet: each header read from its file
    headers.clear()
    listed = fresh.sessions(mine[0].client_id)
    assert {info.id for info in listed if info.readable} == set(ids)
    before = fresh.read_layers(ids, "restriction")
    assert headers == []
    changed = dataclasses.replace(mine[1], overlays=mine[1].overlays.copy())
    changed.overlays.set_layer("restriction", np.full(changed.n_vertices, 7, np.uint8))
    store.save(changed)  # another store object: what the listing read is now stale
    after = fresh.read_layers(ids, "restriction")
    assert headers == [ids[1]]
    assert (after[1] == 7).all() and not np.array_equal(after[1], before[1])
    assert np.array_equal(after[0], before[0]) and np.array_equal(after[2], before[2])


def test_a_session_is_found_again_without_a_scan_and_never_where_it_was(store, saved):
    """The store remembers where it found a session, checks the file is still there on
    each use, and looks in every client folder again when it is not."""
    import shutil

    scans: list[object] = []
    original = store.backend.folders

    def counted(folder):
        scans.append(folder)
        return original(folder)

    store.backend.folders = counted
    first = saved[0]
    path = store.layout.find("sessions", first.id)
    assert path == store.layout.session_file(first.client_id, first.id) and len(scans) == 1
    assert store.layout.find("sessions", first.id) == path and len(scans) == 1
    assert store.tag_names(first.id, first.client_id) == store.tag_names(first.id)
    assert len(scans) == 1
    elsewhere = store.layout.client_sessions(saved[3].client_id) / path.name
    shutil.move(path, elsewhere)  # not something BodyMap does: the remembered place is wrong
    assert store.layout.find("sessions", first.id) == elsewhere and len(scans) == 2
    elsewhere.unlink()
    assert store.layout.find("sessions", first.id) is None
    with pytest.raises(NotFoundError):
        store.load(first.id)


def test_a_protected_store_reads_parts_as_whole_loads(tmp_path):
    """Comparisons and trends in an encrypted store: each file decrypted through the seam,
    the figures those of whole loads; a damaged file is one unreadable entry with its
    one-line reason, and the others read on."""
    from bodymap.store import Store
    from bodymap.store.protection import protect

    root = tmp_path / "store"
    plain = Store(root)
    client = plain.create_client("Ada Lovelace")
    sessions = [full_session(client.id, seed=seed) for seed in range(3)]
    for session in sessions:
        plain.save(session)
    keys, _ = protect(root, "a long enough passphrase", cost=2**10)
    store = Store(root, keys=keys)
    ids = [s.id for s in sessions]
    assert all(info.readable for info in store.sessions(client.id))
    for tag in ("restriction", "pain"):
        for session_id, layer in zip(ids, store.read_layers(ids, tag), strict=True):
            whole = store.load(session_id).overlays
            expected = whole.layer(tag) if tag in whole.painted_keys() else None
            assert (layer is None) == (expected is None)
            assert layer is None or np.array_equal(layer, expected)
    parts = {p.info.id: p for p in store.trend_parts(client.id, ["restriction"])}
    for session in sessions:
        loaded = store.load(session.id)
        assert np.array_equal(parts[session.id].layers["restriction"],
                              loaded.overlays.layer("restriction"))  # fmt: skip
        assert parts[session.id].rhythm == loaded.rhythm
    path = store.layout.session_file(client.id, ids[1])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.chmod(0o600)
    path.write_bytes(bytes(data))
    parts = {p.info.id: p.info for p in store.trend_parts(client.id, ["restriction"])}
    assert [parts[i].readable for i in ids] == [True, False, True]
    assert parts[ids[1]].reason and "\n" not in parts[ids[1]].reason
    assert store.read_layers([ids[0], ids[2]], "restriction")[1] is not None
