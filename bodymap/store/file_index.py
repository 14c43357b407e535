"""The index at the head of a session file: its root attributes, its small records and
where each layer's stored chunks lie, so that listings, comparisons and trends read a file's
bytes without opening it in HDF5.

HDF5 leaves a *user block* before its superblock to the application that wrote the file
(``h5jam`` and ``h5unjam`` add and remove one); HDF5 and its tools skip it. A save puts the
index there (:func:`reserve`, :func:`index_block`)::

    16 bytes  MAGIC (the index's version is its last byte)
     4 bytes  the length of the payload, little-endian
    32 bytes  the SHA-256 of the payload
              the payload: ASCII JSON {"attrs": {...}, "texts": {...}, "layers": {...},
              "thumbnail": true or false, "size": the file's length}; then zeros to
              the block's end

``attrs`` are the root attributes (the header); ``texts`` the records trends read
(:data:`INDEXED_TEXTS`, each repeated only up to :data:`MAX_INDEXED_TEXT` bytes); ``layers``
maps each painted tag to ``[chunk length, [[first vertex, byte offset, stored size], ...]]``,
the chunks HDF5 itself records (where the first lies is compared with HDF5's own bytes of
it when the file is written: the addresses count from the file's first byte).

Every value comes from the same plan, in the same save, as the HDF5 objects it repeats,
and ``bodymap verify`` checks that they agree. A reader uses the index only when it is
whole (its magic, length and SHA-256 hold, the file has the length it names) and every
value in it has the expected type and range (:func:`read_index`); otherwise, and for files
saved before the index existed, it reads the file through HDF5 as before. A layer's chunks
are still checked (fletcher32) and inflated at most to their size
(:mod:`bodymap.store.layer_chunks`).
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

import h5py
import numpy as np

from bodymap.core.mesh import MAX_VERTICES
from bodymap.store.chunk_reads import bodymap_layout, stored_chunk_infos
from bodymap.store.hdf5_image import DIGEST_ATTRIBUTE, FilePlan, chunk_shape, read_text
from bodymap.store.limits import MAX_CHUNK_BYTES, MAX_LAYERS, all_attributes

MAGIC = b"BodyMap index\x00\x00\x01"
_HEAD = struct.Struct("<16sI32s")
INDEXED_TEXTS = ("tags", "rhythm", "events")
MAX_INDEXED_TEXT = 16_384
"""A text record longer than this (bytes) is left out of the index: read through HDF5."""
MAX_INDEX_BYTES = 1 << 22
_ENTRY_BOUND = 3 * 21 + 4  # "[first, offset, size]," with three 20-digit numbers at most
_DIGEST_BOUND = len(DIGEST_ATTRIBUTE) + 64 + 8

Chunk = tuple[int, int, int]
"""(first vertex, byte offset in the file, stored size) of one stored chunk."""


@dataclass(frozen=True)
class FileIndex:
    """A session file's index, checked (see :func:`read_index`)."""

    attrs: dict[str, str | int | float]
    texts: dict[str, str]
    layers: dict[str, tuple[int, tuple[Chunk, ...]]]
    """tag -> (chunk length, its stored chunks by first vertex)."""
    thumbnail: bool
    """Whether the file holds a thumbnail."""


def reserve(plan: FilePlan) -> int:
    """The user block to reserve for ``plan``'s index: a power of two, at least 512 bytes
    (HDF5's rule), bounding the index whatever offsets the chunks get."""
    payload = len(_payload(plan, {}, 0, digest="0" * 64))
    for path, (array, _) in plan.arrays.items():
        if path.startswith("/layers/"):
            chunk = chunk_shape(array)[0] if array.size else 1
            payload += len(json.dumps(path)) + 40 + _ENTRY_BOUND * -(-len(array) // chunk)
    needed = _HEAD.size + payload + _DIGEST_BOUND + 64
    block = 512
    while block < needed:
        block *= 2
    return block


def index_block(plan: FilePlan, h5: h5py.File, objects: dict, block: int, image: bytes) -> bytes:
    """The user block of a file built from ``plan`` (open as ``h5``, its datasets in
    ``objects``; ``image`` its bytes after the block): the index, or zeros where a layer is
    stored otherwise than the index can say (that file is read through HDF5)."""
    layers: dict[str, list] = {}
    checked = False
    for path, (array, compress) in plan.arrays.items():
        if not path.startswith("/layers/"):
            continue
        dataset = objects[path]
        # Laid out as build_image lays out a sparse, deflated byte layer (checked in the
        # file by readers and by verify): chunked by chunk_shape, filtered, fill value 0.
        laid_out = compress and path in plan.sparse and array.dtype == np.uint8 and array.size
        chunk = chunk_shape(array)[0] if laid_out else None
        file_size = block + len(image)
        infos = stored_chunk_infos(dataset, chunk, len(array), file_size) if chunk else None
        if infos is None or any(info.byte_offset is None for info in infos):
            return bytes(block)
        entries = []
        for info in sorted(infos, key=lambda info: int(info.chunk_offset[0])):
            first, offset, size = int(info.chunk_offset[0]), int(info.byte_offset), int(info.size)
            if not checked:  # HDF5 counts addresses from the file's first byte: once a file
                stored = dataset.read_direct_chunk((first,))[1]
                if image[offset - block : offset - block + size] != stored:
                    return bytes(block)  # counted otherwise: HDF5 reads these layers
                checked = True
            entries.append([first, offset, size])
        layers[path.removeprefix("/layers/")] = [chunk, entries]
    digest = h5.attrs.get(DIGEST_ATTRIBUTE, "")
    payload = _payload(plan, layers, block + len(image), digest=str(digest))
    head = _HEAD.pack(MAGIC, len(payload), hashlib.sha256(payload).digest())
    if len(head) + len(payload) > block:  # reserve() bounds it; never a partial index
        return bytes(block)
    return (head + payload).ljust(block, b"\0")


def _payload(plan: FilePlan, layers: dict, size: int, digest: str) -> bytes:
    attrs = {name: _plain(value) for name, value in plan.attrs.get("/", {}).items()}
    if digest:
        attrs[DIGEST_ATTRIBUTE] = digest
    texts = {}
    for name in INDEXED_TEXTS:
        text = plan.texts.get(f"/{name}")
        if text is not None and len(text.encode("utf-8")) <= MAX_INDEXED_TEXT:
            texts[name] = text
    document = {
        "attrs": attrs,
        "texts": texts,
        "layers": layers,
        "thumbnail": "/thumbnail" in plan.arrays,
        "size": size,
    }
    # ASCII: any text (even one holding a lone surrogate) encodes, and reads back the same.
    return json.dumps(document, separators=(",", ":")).encode("ascii")


def _plain(value) -> str | int | float:
    if isinstance(value, str):
        return value
    if isinstance(value, np.integer):
        return int(value)
    return float(value)


def read_index(data: bytes | memoryview) -> FileIndex | None:
    """The index at the head of a file's bytes, or ``None`` when there is none or any part
    of it fails a check (the file is then read through HDF5, which says what is wrong)."""
    if len(data) < _HEAD.size or bytes(data[:16]) != MAGIC:
        return None
    _, length, digest = _HEAD.unpack_from(data)
    end = _HEAD.size + length
    if length > MAX_INDEX_BYTES or end > len(data):
        return None
    payload = bytes(data[_HEAD.size : end])
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        document = json.loads(payload.decode("utf-8"))
        return _checked(document, len(data))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def _checked(document: dict, file_size: int) -> FileIndex | None:
    if document["size"] != file_size or type(document["thumbnail"]) is not bool:
        return None
    attrs, texts, layers = document["attrs"], document["texts"], document["layers"]
    if not (isinstance(attrs, dict) and isinstance(texts, dict) and isinstance(layers, dict)):
        return None
    if not all(isinstance(v, str | int | float) for v in attrs.values()):
        return None
    if any(isinstance(v, bool) for v in attrs.values()):
        return None
    if set(texts) - set(INDEXED_TEXTS) or not all(isinstance(t, str) for t in texts.values()):
        return None
    n_vertices = attrs.get("n_vertices")
    if not isinstance(n_vertices, int) or not 0 < n_vertices <= MAX_VERTICES:
        return None
    if len(layers) > MAX_LAYERS:
        return None
    checked = {}
    for tag, (chunk, entries) in layers.items():
        if not tag or "/" in tag or tag in (".", "..") or "\0" in tag:
            return None
        if type(chunk) is not int or not 0 < chunk <= MAX_CHUNK_BYTES:
            return None
        chunks = _chunks(entries, chunk, n_vertices, file_size)
        if chunks is None:
            return None
        checked[tag] = (chunk, chunks)
    return FileIndex(attrs, texts, checked, document["thumbnail"])


def _chunks(entries: list, chunk: int, n_vertices: int, file_size: int) -> tuple | None:
    """A layer's stored chunks, each at its own chunk of the layer and inside the file."""
    if len(entries) > -(-n_vertices // chunk):
        return None
    seen = set()
    for entry in entries:
        first, offset, size = entry
        if type(first) is not int or type(offset) is not int or type(size) is not int:
            return None
        if first % chunk or not 0 <= first < n_vertices or first in seen:
            return None
        if not 4 < size <= file_size or not 0 <= offset <= file_size - size:
            return None
        seen.add(first)
    return tuple(tuple(entry) for entry in entries)


def index_problem(h5: h5py.File, data: bytes) -> str | None:
    """Why the index at the head of a file (open as ``h5`` from ``data``) is damaged or
    disagrees with what HDF5 reads from the file; ``None`` when it agrees, or there is none.
    For ``bodymap verify``: readers fall back to HDF5 for a damaged index on their own."""
    if bytes(data[:16]) != MAGIC:
        return None
    index = read_index(data)
    if index is None:
        return "the index at the head of the file is damaged"
    root = {name: _plain(value) for name, value in all_attributes(h5.id, "the file's root")}
    if root.keys() != index.attrs.keys() or any(
        not _same(root[name], value) for name, value in index.attrs.items()
    ):
        return "the index's header differs from the file's attributes"
    for name, text in index.texts.items():
        if read_text(h5, name) != text:
            return f"the index's {name} record differs from the file's"
    if index.thumbnail != ("thumbnail" in h5):
        return "the index says otherwise than the file whether it holds a thumbnail"
    stored = set(h5["layers"]) if "layers" in h5 else set()
    if stored != set(index.layers):
        return "the index lists other layers than the file holds"
    for tag, (chunk, chunks) in index.layers.items():
        dataset = h5[f"layers/{tag}"].id
        n_vertices = dataset.shape[0]
        infos = stored_chunk_infos(dataset, chunk, n_vertices, len(data)) or []
        found = sorted((int(i.chunk_offset[0]), i.byte_offset, int(i.size)) for i in infos)
        if bodymap_layout(dataset, n_vertices) != chunk or tuple(found) != chunks:
            return f"the index places layer {tag!r}'s chunks otherwise than the file"
    return None


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)
