"""Layer chunks written directly (deflated on threads, reused between saves) make the file
HDF5 itself would write: the same chunks, filters and checksums, read back by stock h5py."""

from __future__ import annotations

import io
import multiprocessing
import os
import zlib

import h5py
import numpy as np
import pytest

from bodymap.store import chunks, hdf5_image
from bodymap.store.chunks import CHUNK_BYTES, fletcher32, forget_chunks
from bodymap.store.hdf5_image import (
    DIGEST_ATTRIBUTE,
    FilePlan,
    build_image,
    content_digest,
    file_items,
)

LENGTH = 3 * CHUNK_BYTES + 1234  # three whole chunks and a short edge chunk


def hdf5_trailer(data: bytes) -> int:
    """The fletcher32 trailer HDF5's own filter gives ``data`` (one unfiltered chunk)."""
    array = np.frombuffer(data, dtype=np.uint8) if data else np.zeros(1, dtype=np.uint8)
    with h5py.File(io.BytesIO(), "w") as h5:
        dataset = h5.create_dataset("x", data=array, chunks=(len(array),), fletcher32=True)
        stored = dataset.id.read_direct_chunk((0,))[1]
    assert stored[:-4] == array.tobytes()
    return int.from_bytes(stored[-4:], "little")


@pytest.mark.parametrize(
    "data",
    [
        b"\x01",
        b"\xff" * 719,  # odd, just under two runs of 360 words
        b"\xff" * 720,
        b"\xff" * 100_001,  # the sums' largest values, folded as in C
        b"\xff" * (1 << 20) + b"\x07",  # past the fast way's length: replayed run by run
        bytes(5000),
        np.random.default_rng(1).integers(0, 256, 40_000, dtype=np.uint8).tobytes(),
        np.random.default_rng(2).integers(0, 256, 40_001, dtype=np.uint8).tobytes(),
    ],
)
def test_fletcher32_is_hdf5s(data: bytes) -> None:
    assert fletcher32(data) == hdf5_trailer(data)


def test_fletcher32_from_residues_is_the_replayed_one_and_hdf5s() -> None:
    """The sums' residues (the fast way) equal C's folds replayed, for words near 0xFFFF
    (the sums' largest values) too."""
    rng = np.random.default_rng(7)
    for case in range(300):
        size = int(rng.integers(0, 9000))
        low = (0, 128, 200, 250, 255)[case % 5]  # byte values from low to 255
        data = rng.integers(low, 256, size, dtype=np.uint8).tobytes()
        words = np.frombuffer(data, dtype=">u2", count=size // 2).astype(np.int64)
        expected = chunks._replayed(data, words)
        assert fletcher32(data) == expected, (case, size, low)
        if case % 25 == 0:
            assert expected == hdf5_trailer(data)


def layer(seed: int, painted: list[int]) -> np.ndarray:
    """A uint8 layer with random values 0-100 in the given chunks only."""
    rng = np.random.default_rng(seed)
    values = np.zeros(LENGTH, dtype=np.uint8)
    for index in painted:
        part = slice(index * CHUNK_BYTES, min((index + 1) * CHUNK_BYTES, LENGTH))
        values[part] = rng.integers(0, 101, part.stop - part.start)
        values[part][rng.random(part.stop - part.start) < 0.5] = 0
    return values


def image_of(layers: dict[str, np.ndarray]) -> bytes:
    plan = FilePlan()
    plan.attr("/", "format", "test")
    for key, values in layers.items():
        plan.array(f"/layers/{key}", values, sparse=True)
    return build_image(plan)


def read_back(image: bytes) -> dict[str, np.ndarray]:
    with h5py.File(io.BytesIO(image), "r") as h5:
        items = list(file_items(h5))  # reads every chunk: a bad checksum raises OSError
        assert content_digest(items) == h5.attrs[DIGEST_ATTRIBUTE]
        return {key: h5["layers"][key][()] for key in h5["layers"]}


def test_direct_chunks_read_back_with_stock_filters() -> None:
    forget_chunks()
    values = layer(3, [0, 2, 3])  # chunk 1 stays empty; chunk 3 is the edge chunk
    image = image_of({"pain": values})
    np.testing.assert_array_equal(read_back(image)["pain"], values)
    with h5py.File(io.BytesIO(image), "r") as h5:
        dataset = h5["layers/pain"]
        assert dataset.chunks == (CHUNK_BYTES,) and dataset.fletcher32 and dataset.shuffle
        assert dataset.compression == "gzip"
        assert dataset.id.get_num_chunks() == 3  # the empty chunk is not stored
        stored = [dataset.id.get_chunk_info(i).chunk_offset for i in range(3)]
        assert stored == [(0,), (2 * CHUNK_BYTES,), (3 * CHUNK_BYTES,)]


def test_reused_chunks_follow_every_change() -> None:
    forget_chunks()
    first = layer(4, [0, 1, 3])
    read_back(image_of({"pain": first, "ease": first}))
    second = first.copy()
    second[CHUNK_BYTES + 7] = 99  # one chunk changes, the others are reused
    second[3 * CHUNK_BYTES :] = 0  # the edge chunk empties
    got = read_back(image_of({"pain": second, "ease": first}))
    np.testing.assert_array_equal(got["pain"], second)
    np.testing.assert_array_equal(got["ease"], first)
    other = layer(5, [0, 1, 2, 3])  # another session's layer under the same name
    np.testing.assert_array_equal(read_back(image_of({"pain": other}))["pain"], other)


def test_a_full_memo_forgets_its_oldest_chunks(monkeypatch) -> None:
    memo = chunks._ChunkMemo(limit=2 * CHUNK_BYTES)
    monkeypatch.setattr(chunks, "_MEMO", memo)
    values = layer(6, [0, 1, 2, 3])
    np.testing.assert_array_equal(read_back(image_of({"pain": values}))["pain"], values)
    assert memo._size <= memo.limit
    raw = values[3 * CHUNK_BYTES :].tobytes() + bytes(4 * CHUNK_BYTES - LENGTH)
    assert memo.get("/layers/pain", 0, values[:CHUNK_BYTES].tobytes()) is None
    assert memo.get("/layers/pain", 3, raw) is not None
    assert memo.get("/layers/pain", 3, bytes(CHUNK_BYTES)) is None  # other bytes: no reuse


def test_the_file_matches_hdf5s_own_pipeline(monkeypatch) -> None:
    """Chunk for chunk, the same stored contents as when HDF5 filters the layer itself."""
    forget_chunks()
    values = layer(7, [1, 2, 3])
    direct = image_of({"pain": values})
    monkeypatch.setattr(hdf5_image, "_direct", lambda plan: [])
    stock = image_of({"pain": values})
    chunks = []
    for image in (direct, stock):
        with h5py.File(io.BytesIO(image), "r") as h5:
            dataset = h5["layers/pain"].id
            offsets = [dataset.get_chunk_info(i).chunk_offset for i in range(3)]
            stored = [dataset.read_direct_chunk(offset) for offset in offsets]
            assert all(mask == 0 for mask, _ in stored)  # every filter applied
            chunks.append(
                [
                    (
                        o,
                        zlib.decompress(b[:-4]),
                        fletcher32(b[:-4]) == int.from_bytes(b[-4:], "little"),
                    )
                    for o, (_, b) in zip(offsets, stored, strict=True)
                ]
            )
    assert chunks[0] == chunks[1]
    assert all(valid for _, _, valid in chunks[0])


def _save_in_child(queue) -> None:
    values = layer(8, [0, 3])
    queue.put(np.array_equal(read_back(image_of({"pain": values}))["pain"], values))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_forked_child_saves_with_threads_of_its_own() -> None:
    read_back(image_of({"pain": layer(9, [1])}))  # the parent's worker threads exist now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_save_in_child, args=(queue,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0 and queue.get(timeout=5)
