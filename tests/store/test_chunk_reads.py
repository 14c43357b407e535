"""Layers read off HDF5's pipeline (stored chunks checked and inflated on threads) give
exactly what HDF5 gives, and anything irregular is left to HDF5 and its one-line reasons."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest
from store_helpers import full_session

from bodymap.store import chunk_reads, chunks, hdf5_image
from bodymap.store.chunks import CHUNK_BYTES, fletcher32
from bodymap.store.errors import SessionReadError
from bodymap.store.session_file import (
    decode_session,
    encode_session,
    open_file,
    read_header,
    read_session,
)
from bodymap.store.verify import check_session_file

N = 3 * CHUNK_BYTES + 999  # three whole chunks and an edge chunk


def saved(store, client, n_vertices: int = N) -> Path:
    session = full_session(client.id, n_vertices=n_vertices)
    values = session.overlays.values
    values[CHUNK_BYTES : 2 * CHUNK_BYTES] = 0  # one chunk of every layer stays unstored
    return store.save(session)


def stock_layers(data: bytes) -> dict[str, np.ndarray]:
    with h5py.File(io.BytesIO(data), "r") as h5:
        return {key: h5["layers"][key][()] for key in h5["layers"]}


def test_layers_are_read_off_the_pipeline_as_hdf5_reads_them(store, client, monkeypatch):
    data = saved(store, client).read_bytes()
    fallbacks = []
    real = chunk_reads.LayerReads.finish

    def finish(self):
        self.fallback = lambda key: fallbacks.append(key)
        return real(self)

    monkeypatch.setattr(chunk_reads.LayerReads, "finish", finish)
    with open_file(Path("x.h5"), data) as h5:
        session, _, read = decode_session(h5, Path("x.h5"), data)
    assert fallbacks == []  # every layer took the fast path
    expected = stock_layers(data)
    assert sorted(expected) == sorted(session.overlays.painted_keys())
    for key, values in expected.items():
        np.testing.assert_array_equal(session.overlays.layer(key), values)
        np.testing.assert_array_equal(read[f"/layers/{key}"], values)


def _replace_chunk(data: bytes, change) -> bytes:
    """The file with its first layer's first stored chunk replaced by ``change(raw)``."""
    image = bytearray(data)
    with h5py.File(io.BytesIO(data), "r") as h5:
        dataset = h5["layers"][next(iter(h5["layers"]))].id
        info = dataset.get_chunk_info(0)
    start, size = info.byte_offset, info.size
    image[start : start + size] = change(bytes(image[start : start + size]))
    return bytes(image)


def test_a_damaged_chunk_is_read_by_hdf5_and_reported_in_one_line(store, client):
    path = saved(store, client)

    def flip(stored: bytes) -> bytes:
        return stored[:10] + bytes([stored[10] ^ 0x40]) + stored[11:]

    damaged = _replace_chunk(path.read_bytes(), flip)
    with pytest.raises(SessionReadError, match="checksum") as caught:
        read_session(path, damaged)
    assert "\n" not in str(caught.value)
    assert "checksum" in check_session_file(path, data=damaged)


def test_a_chunk_inflating_past_its_size_is_never_inflated_past_it():
    body = zlib.compress(bytes(4 * CHUNK_BYTES), 1)  # declares 4 chunks' worth of bytes
    stored = memoryview(body + fletcher32(body).to_bytes(4, "little"))
    assert chunk_reads._inflate([(0, stored)], CHUNK_BYTES, N) is None
    good = zlib.compress(bytes(range(256)) * (CHUNK_BYTES // 256), 1)
    stored = memoryview(good + fletcher32(good).to_bytes(4, "little"))
    out = chunk_reads._inflate([(CHUNK_BYTES, stored)], CHUNK_BYTES, N)
    assert out is not None and out[:CHUNK_BYTES].max() == 0  # an absent chunk: the fill value
    assert out[CHUNK_BYTES : 2 * CHUNK_BYTES].tobytes() == bytes(range(256)) * 128


def test_a_checksum_with_swapped_bytes_is_accepted_as_hdf5_does():
    body = zlib.compress(bytes(range(200)) * 10, 1)
    value = fletcher32(body)
    assert value in chunk_reads._checksums(memoryview(body))
    b = value.to_bytes(4, "little")
    swapped = int.from_bytes(bytes([b[1], b[0], b[3], b[2]]), "little")  # pairs swapped
    assert swapped in chunk_reads._checksums(memoryview(body))


@pytest.mark.parametrize(
    "options",
    [
        {"chunks": (1000,), "compression": "gzip", "compression_opts": 9},  # no fletcher32
        {"chunks": (5000,), "fletcher32": True},  # no compression
        {},  # contiguous
        {"chunks": (CHUNK_BYTES,), "shuffle": True, "compression": "gzip", "fletcher32": True},
    ],
)
def test_layers_laid_out_otherwise_read_as_hdf5_reads_them(store, client, options):
    path = saved(store, client, n_vertices=40_000)
    with h5py.File(path, "r") as h5:
        keys = list(h5["layers"])
        layers = {key: h5["layers"][key][()] for key in keys}
    rewritten = path.with_name("rewritten.h5")
    rewritten.write_bytes(path.read_bytes())
    rewritten.chmod(0o600)
    with h5py.File(rewritten, "r+") as h5:
        for key, values in layers.items():
            del h5["layers"][key]
            h5["layers"].create_dataset(key, data=values, **options)
    session, _ = read_session(rewritten)
    for key, values in layers.items():
        np.testing.assert_array_equal(session.overlays.layer(key), values)


def test_verify_reads_each_dataset_once(store, client, monkeypatch):
    path = saved(store, client)
    read = []
    real = hdf5_image.read_dataset
    monkeypatch.setattr(
        hdf5_image,
        "read_dataset",
        lambda h5, name, *a, **k: read.append(name) or real(h5, name, *a, **k),
    )
    assert check_session_file(path) is None
    assert read == []  # the digest walk found every dataset already read by the decode


@pytest.mark.parametrize("load", [0.0, 64.0])
def test_idle_or_busy_cores_give_the_same_file_and_the_same_session(
    store, client, monkeypatch, load
):
    """Worker threads are used only while a core is idle; with or without them a save
    writes the same bytes and a reopen gives the same session."""
    session = full_session(client.id, n_vertices=N)
    path = store.save(session)
    written = path.read_bytes()
    chunks.forget_chunks()  # every chunk deflated anew, on the workers or not
    monkeypatch.setattr(chunks.os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(chunks.os, "sched_getaffinity", lambda pid: set(range(4)), raising=False)
    assert chunks.spare_cores() == (3 if load == 0.0 else 0)
    assert (chunks.helpers() is chunks.pool()) == (load == 0.0)
    image, _ = encode_session(session, read_header(path).saved_at)
    assert image == written
    again, _ = read_session(path, written)
    assert again.same_record(session)
