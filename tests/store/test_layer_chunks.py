"""Layers read from their stored chunks (bodymap.store.layer_chunks) read as HDF5 reads them."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest
from store_helpers import full_session

from bodymap.core.series import PaintedVertices
from bodymap.store import SessionReadError, Store
from bodymap.store.chunks import CHUNK_BYTES, fletcher32
from bodymap.store.layer_chunks import StoredChunks, decode, decode_dense, stored_chunks
from bodymap.store.limits import Refused
from bodymap.store.session_file import open_file

N = 2 * CHUNK_BYTES + 1234  # three chunks, the last one cut short


def painted_session(client_id: str, seed: int):
    """A session of N vertices: paint in the first and last chunks, none in the middle."""
    session = full_session(client_id, n_vertices=N, seed=seed)
    rng = np.random.default_rng(seed)
    values = session.overlays.values
    values[CHUNK_BYTES : 2 * CHUNK_BYTES] = 0
    values[-5:, 0] = rng.integers(1, 101, 5)  # the edge chunk's last vertices
    return session


@pytest.fixture
def big(store, client):
    sessions = [painted_session(client.id, seed) for seed in range(3)]
    for session in sessions:
        store.save(session)
    return sessions


def test_stored_chunks_decode_to_what_hdf5_reads(store, big):
    for session in big:
        path = store.layout.session_file(session.client_id, session.id)
        with open_file(path) as h5:
            for key in session.overlays.keys:
                stored = stored_chunks(h5, path, key, N)
                expected = session.overlays.layer(key)
                if not expected.any():
                    assert stored is None  # an unpainted layer is not saved
                    continue
                assert isinstance(stored, StoredChunks)
                assert len(stored.chunks) == 2  # the empty middle chunk is not stored
                assert np.array_equal(decode_dense(stored), h5[f"layers/{key}"][()])
                painted, whole = decode(stored), PaintedVertices.of(expected)
                assert np.array_equal(painted.ids, whole.ids)
                assert np.array_equal(painted.values, whole.values)
                assert np.array_equal(painted.dense(), expected)


def test_read_layers_equal_whole_loads_in_a_fresh_store_and_this_one(store, big):
    ids = [s.id for s in big]
    for reader in (store, Store(store.root)):  # headers held from the saves, and none
        for key in ("restriction", "release", "pain"):
            for layer, session in zip(reader.read_layers(ids, key), big, strict=True):
                expected = session.overlays.layer(key)
                assert (layer is None) == (not expected.any())
                assert layer is None or np.array_equal(layer, expected)


def test_a_layer_stored_another_way_is_read_by_hdf5(tmp_path):
    path = tmp_path / "s-other.h5"
    data = np.arange(N, dtype=np.uint8)
    with h5py.File(path, "w") as h5:
        h5["layers/plain"] = data
        h5.create_dataset("layers/gzip", data=data, chunks=(4096,), compression="gzip")
        h5.create_dataset("layers/f32", data=data, chunks=(4096,), fletcher32=True)
    with open_file(path) as h5:
        for key in ("plain", "gzip", "f32"):
            stored = stored_chunks(h5, path, key, N)
            assert isinstance(stored, np.ndarray) and np.array_equal(stored, data)
        assert stored_chunks(h5, path, "absent", N) is None
        with pytest.raises(SessionReadError, match="has shape"):
            stored_chunks(h5, path, "plain", N + 1)


def chunk_of(raw: bytes) -> StoredChunks:
    stored = raw + fletcher32(raw).to_bytes(4, "little")
    return StoredChunks(Path("s-x.h5"), "pain", 100, 100, ((0, stored),))


def test_a_chunk_must_pass_its_checksum_and_inflate_to_its_size():
    good = chunk_of(zlib.compress(bytes(range(100)), 1))
    assert decode_dense(good).tolist() == list(range(100))
    offset, stored = good.chunks[0]
    for damaged in (stored[:-1] + bytes([stored[-1] ^ 1]), bytes([stored[0] ^ 1]) + stored[1:]):
        bad = StoredChunks(good.path, "pain", 100, 100, ((offset, damaged),))
        with pytest.raises(SessionReadError, match="damaged layer 'pain'.*fletcher32"):
            decode(bad)
    for raw, why in ((zlib.compress(bytes(101), 1), "inflate to 100"),
                     (zlib.compress(bytes(99), 1), "inflate to 100"),
                     (b"not deflated", "does not inflate")):  # fmt: skip
        with pytest.raises(SessionReadError, match=why):
            decode(chunk_of(raw))
    assert isinstance(Refused("x"), ValueError)


def test_an_edge_chunks_padding_is_no_vertex():
    """The edge chunk is stored whole: values past the layer's end (a foreign writer's
    padding) are dropped, as HDF5 drops them, by both decoders."""
    raw = [np.arange(1, 9, dtype=np.uint8), np.array([0, 7, 0, 5, 9, 9, 9, 9], np.uint8)]
    stored = []
    for values in raw:
        deflated = zlib.compress(values.tobytes(), 1)
        stored.append(deflated + fletcher32(deflated).to_bytes(4, "little"))
    layer = StoredChunks(Path("s-x.h5"), "pain", 12, 8, ((0, stored[0]), (8, stored[1])))
    expected = np.array([1, 2, 3, 4, 5, 6, 7, 8, 0, 7, 0, 5], np.uint8)
    assert np.array_equal(decode_dense(layer), expected)
    painted = decode(layer)
    assert painted.ids.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 9, 11] and painted.n_vertices == 12
    assert np.array_equal(painted.dense(), expected)
    only_edge = StoredChunks(Path("s-x.h5"), "pain", 12, 8, ((8, stored[1]),))
    assert decode(only_edge).ids.tolist() == [9, 11]
    assert np.array_equal(decode_dense(only_edge), np.r_[np.zeros(8, np.uint8), expected[8:]])


def test_a_damaged_chunk_is_one_unreadable_file(store, client, big):
    path = store.layout.session_file(client.id, big[1].id)
    with h5py.File(path, "r") as h5:
        chunk = h5["layers/restriction"].id.get_chunk_info(0)
    data = bytearray(path.read_bytes())
    data[chunk.byte_offset + chunk.size - 1] ^= 0x01  # the checksum itself
    path.chmod(0o600)
    path.write_bytes(bytes(data))
    with pytest.raises(SessionReadError, match="fletcher32"):
        store.read_layers([s.id for s in big], "restriction")
    parts = {p.info.id: p.info for p in store.trend_parts(client.id, ["restriction"])}
    assert [parts[s.id].readable for s in big] == [True, False, True]
    assert "fletcher32" in parts[big[1].id].reason and "\n" not in parts[big[1].id].reason
    assert store.read_layer(big[2].id, "restriction") is not None


def test_a_schema_1_file_reads_its_layers(tmp_path):
    from store_helpers import full_session as helper_session

    fixture = Path(__file__).with_name("data") / "schema1_session.h5"
    store = Store(tmp_path / "store")
    target = store.layout.session_file("c-schema1fixture", "s-schema1fixture0000000000000000")
    target.parent.mkdir(parents=True)
    shutil.copy(fixture, target)
    expected = helper_session("c-schema1fixture", n_vertices=64, seed=7)
    for key in expected.overlays.keys:
        layer = store.read_layer(target.stem, key)
        painted = expected.overlays.layer(key)
        assert (layer is None) == (not painted.any())
        assert layer is None or np.array_equal(layer, painted)
    [parts] = store.trend_parts("c-schema1fixture")
    assert parts.info.readable and set(parts.layers) == {
        k for k in expected.overlays.keys if expected.overlays.layer(k).any()
    }
