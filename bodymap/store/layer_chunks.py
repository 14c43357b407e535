"""Paint layers read from their stored chunks: only the chunks a save wrote, each checked
and inflated here, on worker threads, instead of in HDF5's filter pipeline.

A save stores only the chunks of a layer that hold paint (empty ones read as the fill
value, 0), deflated, with a fletcher32 trailer (:mod:`bodymap.store.chunks`). Reading a
layer through HDF5 inflates them one after another under h5py's lock; here the thread that
holds the file only copies each stored chunk out (:func:`stored_chunks`), and a worker
thread checks its fletcher32 as HDF5 does, inflates it (zlib releases the GIL, so two
cores share the work) and keeps its painted vertices (:func:`decode`). What the dataset
declares is checked (:func:`~bodymap.store.limits.open_dataset`) before anything is read,
and no chunk may inflate past its declared size. A layer stored any other way (another
filter pipeline, a chunk whose filters were skipped) is read by HDF5 itself, unchanged.
"""

from __future__ import annotations

import zlib
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from bodymap.core.series import PaintedVertices
from bodymap.store.chunks import fletcher32, pool
from bodymap.store.limits import Refused, check_hard_link, open_dataset, reading
from bodymap.store.session_file import read_layer

_SHUFFLE, _DEFLATE, _FLETCHER = (
    h5py.h5z.FILTER_SHUFFLE,
    h5py.h5z.FILTER_DEFLATE,
    h5py.h5z.FILTER_FLETCHER32,
)
PIPELINES = ((_SHUFFLE, _DEFLATE, _FLETCHER), (_DEFLATE, _FLETCHER))
"""Filter pipelines decoded here (shuffle leaves single bytes as they are); others go to HDF5."""
CHECKSUM_FAILURE = "damaged data: a checksum does not match (fletcher32)"


@dataclass(frozen=True, eq=False)
class StoredChunks:
    """One layer's stored chunks, copied out of the file, not yet checked or inflated.

    ``chunks`` are (first vertex, stored bytes: deflated data and the fletcher32 trailer).
    """

    path: Path
    tag: str
    n_vertices: int
    chunk: int
    chunks: tuple[tuple[int, bytes], ...]


StoredLayer = StoredChunks | np.ndarray
"""What :func:`stored_chunks` gives: the chunks, or the layer HDF5 read itself."""


def stored_chunks(h5: h5py.File, path: Path, tag: str, n_vertices: int) -> StoredLayer | None:
    """Layer ``tag`` of an open session file as its stored chunks (``None``: not painted).

    Its link, type, size, chunk size and filters are checked first; the layer must be
    (``n_vertices``,) uint8. A layer stored otherwise than a save stores it comes back
    whole, read by HDF5 (:func:`~bodymap.store.session_file.read_layer`).
    """
    with reading(path, f"layer {tag!r}"):
        if not h5.id.links.exists(b"layers"):
            return None
        check_hard_link(h5, "layers")  # before following it: never into another file
        group = h5py.h5g.open(h5.id, b"layers")  # kept: its links need it open
        if not group.links.exists(tag.encode()):
            return None
        dataset = open_dataset(h5, f"layers/{tag}", n_vertices)
        if dataset.dtype != np.uint8:
            raise Refused(f"layers/{tag} holds {dataset.dtype} values, not uint8")
        if dataset.shape != (n_vertices,):
            raise Refused(f"layers/{tag} has shape {dataset.shape}, not ({n_vertices},)")
        plist = dataset.get_create_plist()
        pipeline = tuple(plist.get_filter(i)[0] for i in range(plist.get_nfilters()))
        if plist.get_layout() != h5py.h5d.CHUNKED or pipeline not in PIPELINES:
            return read_layer(h5, tag, n_vertices)
        chunk = int(plist.get_chunk()[0])
        found = _chunk_list(dataset, chunk, n_vertices, h5.id.get_filesize())
        if found is None:
            return read_layer(h5, tag, n_vertices)
        stored = tuple((offset, dataset.read_direct_chunk((offset,))[1]) for offset in found)
        return StoredChunks(path, tag, n_vertices, chunk, stored)


def _chunk_list(
    dataset: h5py.h5d.DatasetID, chunk: int, n_vertices: int, file_size: int
) -> list[int] | None:
    """First vertex of each stored chunk, checked; ``None`` if one skipped a filter."""
    count = dataset.get_num_chunks()
    if count > -(-n_vertices // chunk):
        raise Refused(f"the layer holds {count:,} chunks, more than its size allows")
    infos: list = []
    dataset.chunk_iter(infos.append)
    offsets = []
    for info in infos:
        offset = int(info.chunk_offset[0])
        if offset % chunk or not 0 <= offset < n_vertices:
            raise Refused(f"a layer chunk starts at {offset:,}, not a chunk of the layer")
        if not 4 < info.size <= file_size:
            raise Refused(f"a layer chunk declares {info.size:,} bytes: not what the file holds")
        if info.filter_mask:
            return None
        offsets.append(offset)
    return offsets


def decode(layer: StoredLayer) -> PaintedVertices:
    """The painted vertices of a layer read by :func:`stored_chunks`: each chunk's
    checksum checked and inflated (at most to the chunk's size). Safe on any thread."""
    if isinstance(layer, np.ndarray):
        return PaintedVertices.of(layer)
    ids, values = [np.zeros(0, np.intp)], [np.zeros(0, np.uint8)]
    for offset, data in _chunk_values(layer):
        painted = np.flatnonzero(data > 0)
        ids.append(painted + offset)
        values.append(data[painted])
    return PaintedVertices(np.concatenate(ids), np.concatenate(values), layer.n_vertices)


def decode_dense(layer: StoredLayer) -> np.ndarray:
    """The whole (N,) uint8 layer read by :func:`stored_chunks` (see :func:`decode`)."""
    if isinstance(layer, np.ndarray):
        return layer
    out = np.zeros(layer.n_vertices, dtype=np.uint8)
    for offset, data in _chunk_values(layer):
        out[offset : offset + len(data)] = data
    return out


def _chunk_values(layer: StoredChunks):
    """(first vertex, values) of each stored chunk, the padding past the layer's end cut."""
    with reading(layer.path, f"layer {layer.tag!r}"):
        for offset, stored in layer.chunks:
            yield offset, _inflated(stored, layer.chunk)[: layer.n_vertices - offset]


def _inflated(stored: bytes, chunk: int) -> np.ndarray:
    """One chunk's values, after the checks HDF5's fletcher32 and deflate filters make."""
    body, trailer = stored[:-4], int.from_bytes(stored[-4:], "little")
    checksum = fletcher32(body)
    # HDF5 also accepts the byte-swapped sum that versions before 1.6.3 wrote.
    swapped = (checksum & 0xFF00FF00) >> 8 | (checksum & 0x00FF00FF) << 8
    if trailer not in (checksum, swapped):
        raise Refused(CHECKSUM_FAILURE)
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, chunk)
    except zlib.error:
        raise Refused("damaged data: a layer chunk does not inflate") from None
    if len(data) != chunk or inflater.unconsumed_tail or not inflater.eof:
        raise Refused(f"damaged data: a layer chunk does not inflate to {chunk:,} bytes")
    return np.frombuffer(data, dtype=np.uint8)


def decoding(layers: dict[str, StoredLayer], whole: bool = False) -> Future:
    """A future of {tag: :func:`decode` of each layer} (:func:`decode_dense` if ``whole``),
    run on a worker thread while the caller reads the next file."""
    function = decode_dense if whole else decode
    return pool().submit(lambda: {tag: function(layer) for tag, layer in layers.items()})
