"""Paint layers read off HDF5's filter pipeline: each stored chunk is taken from the file's
bytes, its fletcher32 checked and inflated on worker threads (zlib releases the GIL).

The reverse of :mod:`bodymap.store.chunks`. Only a layer laid out as BodyMap writes it takes
this path: chunked, filters shuffle (a no-op on bytes), deflate and fletcher32 in that order,
fill value 0, every chunk filtered. Everything the file declares is checked before a byte is
inflated: the dataset's type and shape, its chunk size, at most one stored chunk per chunk
of the layer, each at its place and inside the file, and no chunk inflating past its size.
Any layer that does not fit, or whose chunk fails a check (a bad checksum, a bad stream), is
read again through HDF5 itself, whose answer (the data, or the error that becomes the
file's one-line reason) is then the one given: this path can make a read faster, never
different.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable
from concurrent.futures import Future

import h5py
import numpy as np

from bodymap.store.chunks import fletcher32, pool, spare_cores
from bodymap.store.hdf5_image import checked_dataset
from bodymap.store.limits import Refused

_SHUFFLE, _DEFLATE, _FLETCHER = (
    h5py.h5z.FILTER_SHUFFLE,
    h5py.h5z.FILTER_DEFLATE,
    h5py.h5z.FILTER_FLETCHER32,
)
PIPELINES = ((_SHUFFLE, _DEFLATE, _FLETCHER), (_DEFLATE, _FLETCHER))
"""The filter pipelines read here, in HDF5's order: BodyMap's layers carry the first (the
shuffle leaves single bytes as they are, so the second decodes the same way)."""
Stored = tuple[int, memoryview]
"""(first vertex, the chunk's stored bytes: deflated, then the fletcher32 trailer)."""


class LayerReads:
    """Layers being read: :func:`start_layer_reads` begins, :meth:`finish` collects.

    Between the two the caller's thread is free for other work while worker threads (on
    idle cores only) inflate, though an HDF5 call there holds the GIL they need after each
    chunk; :meth:`finish` then inflates what they have not taken yet.
    ``fallback(key)`` reads one layer through HDF5 (the file still open).
    """

    def __init__(
        self, keys: list[str], n_vertices: int, fallback: Callable[[str], np.ndarray | None]
    ) -> None:
        self.keys = keys
        self.n_vertices = n_vertices
        self.fallback = fallback
        self.tasks: list[tuple[str, int, list[Stored]]] = []
        """(key, chunk length, stored chunks), smallest first: the largest is taken first."""
        self.done: dict[str, np.ndarray | None] = {}
        self.jobs: list[Future] = []
        self._lock = threading.Lock()

    def work(self) -> None:
        """Inflate layers until none is left to take (on a worker, or the caller's thread)."""
        while True:
            with self._lock:
                if not self.tasks:
                    return
                key, length, stored = self.tasks.pop()
            self.done[key] = _inflate(stored, length, self.n_vertices)

    def finish(self) -> dict[str, np.ndarray]:
        """Every layer, in the order started (HDF5's read for those the fast path left)."""
        self.work()
        for job in self.jobs:
            job.result()
        found = {key: self.done.get(key) for key in self.keys}
        return {key: self.fallback(key) if v is None else v for key, v in found.items()}


def start_layer_reads(
    h5: h5py.File,
    data: bytes | memoryview,
    keys: list[str],
    n_vertices: int,
    fallback: Callable[[str], np.ndarray | None],
) -> LayerReads:
    """Check each layer ``/layers/<key>`` of ``h5`` (opened from ``data``) and start
    inflating its chunks on worker threads.

    Raises :class:`~bodymap.store.limits.Refused` for a layer not uint8 of ``n_vertices``.
    """
    reads = LayerReads(keys, n_vertices, fallback)
    view = memoryview(data)
    # HDF5 gives a chunk's address from the file's first byte, user block included; were
    # one to give it from the superblock, the checksums would fail and HDF5 read the layer.
    for key in keys:
        found = _stored_chunks(h5, view, f"layers/{key}", n_vertices)
        if found is not None:
            reads.tasks.append((key, *found))
    reads.tasks.sort(key=lambda task: sum(len(chunk) for _, chunk in task[2]))
    # The caller's thread inflates too: helpers only on cores left idle, so that no thread
    # waits for a core (and for the GIL) behind another; none when all are busy.
    helpers = min(MAX_HELPERS, spare_cores(), len(reads.tasks))
    reads.jobs = [pool().submit(reads.work) for _ in range(helpers)]
    return reads


MAX_HELPERS = 2


def _stored_chunks(
    h5: h5py.File, view: memoryview, path: str, n_vertices: int
) -> tuple[int, list[Stored]] | None:
    """(chunk length, stored chunks) of a layer written as BodyMap writes them, else None."""
    # The exact shape is required, so n_vertices bytes (at most MAX_VERTICES) is the bound.
    dataset, _, _ = checked_dataset(h5, path, n_vertices, dtype=np.uint8, shape=(n_vertices,))
    length = bodymap_layout(dataset, n_vertices)
    if length is None:
        return None
    infos = stored_chunk_infos(dataset, length, n_vertices, len(view))
    if infos is None or any(info.byte_offset is None for info in infos):
        return None
    return length, [
        (info.chunk_offset[0], view[info.byte_offset : info.byte_offset + info.size])
        for info in infos
    ]


def bodymap_layout(dataset: h5py.h5d.DatasetID, n_vertices: int) -> int | None:
    """The chunk length of a (``n_vertices``,) layer laid out as a save lays it out:
    chunked, filtered by one of :data:`PIPELINES`, fill value 0, no more stored chunks than
    the layer has places; ``None`` for any other layout (HDF5 reads those itself)."""
    plist = dataset.get_create_plist()
    if plist.get_layout() != h5py.h5d.CHUNKED:
        return None
    length = int(plist.get_chunk()[0])  # checked against MAX_CHUNK_BYTES on opening
    filters = tuple(plist.get_filter(i)[0] for i in range(plist.get_nfilters()))
    fill = np.ones(1, dtype=np.uint8)
    plist.get_fill_value(fill)
    if filters not in PIPELINES or fill[0] != 0 or length < 1:
        return None
    if dataset.get_num_chunks() > -(-n_vertices // length):
        return None
    return length


def stored_chunk_infos(
    dataset: h5py.h5d.DatasetID, length: int, n_vertices: int, file_size: int
) -> list | None:
    """HDF5's record of each stored chunk of a layer of chunk ``length``, if every chunk is
    filtered, starts at a chunk of the layer (once) and lies within the file's
    ``file_size`` bytes; ``None`` otherwise."""
    infos: list = []
    dataset.chunk_iter(infos.append)
    seen = set()
    for info in infos:
        first, start, size = int(info.chunk_offset[0]), info.byte_offset, info.size
        if (
            info.filter_mask != 0
            or first % length
            or not 0 <= first < n_vertices
            or first in seen
            or not 4 < size <= file_size
            or (start is not None and not 0 <= start <= file_size - size)
        ):
            return None
        seen.add(first)
    return infos


def _inflate(stored: list[Stored], length: int, n_vertices: int) -> np.ndarray | None:
    """One layer from its stored chunks (absent chunks are the fill value 0); ``None`` when
    a chunk fails a check, for HDF5 to read the layer and say what is wrong."""
    out = np.zeros(n_vertices, dtype=np.uint8)
    for first, chunk in stored:
        try:
            values = inflate_chunk(chunk, length)
        except Refused:
            return None
        stop = min(first + length, n_vertices)
        out[first:stop] = values[: stop - first]
    return out


CHECKSUM_FAILURE = "damaged data: a checksum does not match (fletcher32)"


def inflate_chunk(stored: bytes | memoryview, length: int) -> np.ndarray:
    """One stored chunk's ``length`` values, after the checks HDF5's fletcher32 and deflate
    filters make; never inflated past ``length``. Raises :class:`Refused` with the reason."""
    body, trailer = stored[:-4], int.from_bytes(stored[-4:], "little")
    if trailer not in _checksums(body):
        raise Refused(CHECKSUM_FAILURE)
    stream = zlib.decompressobj()
    try:
        raw = stream.decompress(body, length)  # never more than the chunk holds
    except zlib.error:
        raise Refused("damaged data: a layer chunk does not inflate") from None
    if len(raw) != length or not stream.eof or stream.unused_data or stream.unconsumed_tail:
        raise Refused(f"damaged data: a layer chunk does not inflate to {length:,} bytes")
    return np.frombuffer(raw, dtype=np.uint8)


def _checksums(body: memoryview) -> tuple[int, int]:
    """The trailers HDF5 accepts: fletcher32, and the same with its bytes swapped, as
    HDF5 before 1.6.3 wrote it (``H5Z_filter_fletcher32`` accepts both)."""
    value = fletcher32(body)
    swapped = (value >> 8 & 0x00FF00FF) | (value << 8 & 0xFF00FF00)
    return value, swapped
