"""The index at the head of a session file (bodymap.store.file_index): it agrees with what
HDF5 reads, readers give the same answers with it, without it (files saved before it) and
with it damaged, and no index can make a read give other data."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime

import h5py
import numpy as np
import pytest
from store_helpers import full_session
from test_layer_chunks import N, painted_session

from bodymap.core.session import SessionEvent
from bodymap.store import Store
from bodymap.store.file_index import (
    _HEAD,
    MAGIC,
    MAX_INDEXED_TEXT,
    index_problem,
    read_index,
)
from bodymap.store.hdf5_image import read_text
from bodymap.store.session_file import (
    encode_session,
    header_of,
    open_file,
    read_header,
    read_thumbnail,
)
from bodymap.store.verify import check_session_file

TAGS = ("restriction", "release", "pain", "energy_cyst")


@pytest.fixture
def saved(store, client):
    """Three big sessions (layers written off HDF5's filters) and a small one."""
    sessions = [painted_session(client.id, seed) for seed in range(3)]
    sessions.append(full_session(client.id, n_vertices=200, seed=9))
    for number, session in enumerate(sessions):
        store.save(session, thumbnail=b"\x89PNG thumbnail" if number % 2 else None)
    return sessions


def path_of(store, session):
    return store.layout.session_file(session.client_id, session.id)


def what_readers_see(store, sessions) -> list:
    """What comparisons and trends read (but the content digest), from a store that holds
    no header yet."""
    reader = Store(store.root)
    found = [
        (i.id, i.readable, i.started, i.n_layers, i.has_thumbnail, i.finalised_at, i.mesh_hash)
        for i in reader.sessions(sessions[0].client_id)
    ]
    for session in sessions:
        for tag in TAGS:
            layer = reader.read_layers([session.id], tag)[0]
            found.append(None if layer is None else layer.tobytes())
    for parts in reader.trend_parts(sessions[0].client_id):
        layers = {t: v.tobytes() for t, v in (parts.layers or {}).items()}
        info = parts.info
        found.append((info.id, info.readable, info.started, info.n_layers, info.practitioner))
        found.append((layers, parts.rhythm, parts.events))
    return found


def test_a_saved_file_carries_an_index_that_agrees_with_hdf5(store, saved):
    for session in saved:
        path = path_of(store, session)
        data = path.read_bytes()
        index = read_index(data)
        assert index is not None and data[:16] == MAGIC
        with open_file(path, data) as h5:
            assert index.attrs == {k: _plain(v) for k, v in h5.attrs.items()}
            assert h5.userblock_size == data.index(b"\x89HDF\r\n\x1a\n")
            assert set(index.texts) == {"tags", "rhythm", "events"}
            for name, text in index.texts.items():
                assert read_text(h5, name) == text
            assert set(index.layers) == set(h5["layers"])
            for tag, (chunk, chunks) in index.layers.items():
                for first, offset, size in chunks:
                    stored = h5[f"layers/{tag}"].id.read_direct_chunk((first,))[1]
                    assert data[offset : offset + size] == stored and first % chunk == 0
            assert index_problem(h5, data) is None
            assert header_of(h5, path) == read_header(path, data)  # this from the index
        assert check_session_file(path) is None
        loaded = store.load(session.id)
        assert np.array_equal(loaded.overlays.values, session.overlays.values)


def _plain(value):
    """An attribute's value as h5py gives it, as plain Python (as JSON holds it)."""
    if isinstance(value, bytes):
        return value.decode()
    return value.item() if hasattr(value, "item") else value


def test_readers_give_the_same_with_the_index_without_it_and_with_it_damaged(store, saved):
    expected = what_readers_see(store, saved)
    originals = {s.id: path_of(store, s).read_bytes() for s in saved}
    # A file saved before the index existed: the same session, HDF5's signature at byte 0.
    for session in saved:
        old, _ = encode_session(session, datetime.now(UTC), index=False)
        assert old[:8] == b"\x89HDF\r\n\x1a\n" and read_index(old) is None
    # The index damaged (one byte of its head or payload, or the whole block zeroed):
    # the file is read through HDF5, and reads the same.
    data = originals[saved[0].id]
    length = _HEAD.unpack_from(data)[1]
    for position in range(0, _HEAD.size + length):
        damaged = bytearray(data)
        damaged[position] ^= 0x41
        assert read_index(bytes(damaged)) is None, position
    for position in (3, 17, 40, _HEAD.size + length // 2):
        for session in saved:
            damaged = bytearray(originals[session.id])
            damaged[position] ^= 0x41
            path_of(store, session).write_bytes(bytes(damaged))
        assert what_readers_see(store, saved) == expected
    path = path_of(store, saved[0])
    assert check_session_file(path) == (
        "the index at the head of the file is damaged (edited outside BodyMap?)"
    )


def test_a_file_without_an_index_reads_the_same(store, saved):
    expected = what_readers_see(store, saved)
    for session in saved:  # as the BodyMap before the index wrote them (the same content)
        path = path_of(store, session)
        thumbnail = read_thumbnail(path)
        old, _ = encode_session(session, datetime.now(UTC), thumbnail=thumbnail, index=False)
        path.write_bytes(old)
    assert what_readers_see(store, saved) == expected


def forge(data: bytes, change) -> bytes:
    """``data`` with its index rewritten by ``change(document)`` and sealed again: what
    only a deliberate edit (or a bug) could make."""
    length = _HEAD.unpack_from(data)[1]
    document = json.loads(data[_HEAD.size : _HEAD.size + length])
    change(document)
    payload = json.dumps(document).encode()
    head = _HEAD.pack(MAGIC, len(payload), hashlib.sha256(payload).digest())
    block = data.index(b"\x89HDF\r\n\x1a\n")
    assert len(head) + len(payload) <= block
    return (head + payload).ljust(block, b"\0") + data[block:]


def test_an_index_pointing_outside_the_file_is_refused_and_verify_finds_a_forged_one(store, saved):
    """An index whose SHA-256 holds can only be a deliberate edit (or a bug): one that
    points a chunk outside the file is not used (HDF5 reads the layer); one that moves
    chunks within it is what ``bodymap verify`` reports (as it does an edit of HDF5's own
    chunk index). In a protected store the whole file is authenticated."""
    session = saved[0]
    path = path_of(store, session)
    data = path.read_bytes()
    tag = next(iter(read_index(data).layers))

    def outside(document):
        document["layers"][tag][1][0][1] = len(data)

    def swap(document):
        chunks = document["layers"][tag][1]
        chunks[0][0], chunks[1][0] = chunks[1][0], chunks[0][0]

    def other_vertex_count(document):
        document["attrs"]["n_vertices"] = N - 1

    path.write_bytes(forge(data, outside))
    assert read_index(path.read_bytes()) is None
    layer = Store(store.root).read_layers([session.id], tag)[0]
    assert np.array_equal(layer, session.overlays.layer(tag))
    for change, problem in ((swap, "places layer"), (other_vertex_count, "header differs")):
        path.write_bytes(forge(data, change))
        assert read_index(path.read_bytes()) is not None
        assert problem in check_session_file(path)


def test_long_records_are_left_to_hdf5_and_a_full_index_fits_its_block(store, client):
    session = full_session(client.id, n_vertices=300_000, seed=4)
    values = session.overlays.values
    values[:] = np.random.default_rng(1).integers(1, 101, values.shape)
    note = "x" * (MAX_INDEXED_TEXT + 10)
    session.events.extend(SessionEvent("still_point", session.started, note=note) for _ in range(3))
    store.save(session)
    data = path_of(store, session).read_bytes()
    index = read_index(data)
    assert index is not None and "events" not in index.texts and "rhythm" in index.texts
    assert len(index.layers) == values.shape[1] and all(
        len(c) == -(-300_000 // chunk) for chunk, c in index.layers.values()
    )
    [parts] = Store(store.root).trend_parts(client.id)
    kinds = Counter(event.kind for event in session.events)
    assert parts.info.readable and parts.events == dict(sorted(kinds.items()))


def test_stock_hdf5_tools_read_an_indexed_file(store, saved):
    if shutil.which("h5dump") is None:
        pytest.skip("h5dump (hdf5-tools) is not installed")
    path = path_of(store, saved[0])
    out = subprocess.run(["h5dump", "-B", "-H", str(path)], capture_output=True, text=True)
    assert out.returncode == 0 and "USERBLOCK_SIZE" in out.stdout and '"session_id"' in out.stdout
    with h5py.File(path, "r") as h5:
        assert h5.attrs["session_id"] == saved[0].id


def test_reopening_an_indexed_file_reads_its_layers_off_hdf5s_filters(store, saved, monkeypatch):
    """HDF5 gives chunk addresses from the file's first byte, user block included: a
    session opens through its stored chunks, and HDF5 is asked to read no layer itself."""
    import bodymap.store.session_file as session_file

    asked = []
    monkeypatch.setattr(session_file, "read_layer", lambda h5, key, n: asked.append(key))
    for session in saved[:3]:
        loaded = Store(store.root).load(session.id)
        assert np.array_equal(loaded.overlays.values, session.overlays.values)
    assert asked == []
