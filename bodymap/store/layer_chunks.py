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
The layout and chunk checks and the checked inflate are the session reader's
(:mod:`bodymap.store.chunk_reads`): one definition of a layer a save wrote.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from bodymap.core.series import PaintedVertices
from bodymap.store.chunk_reads import bodymap_layout, inflate_chunk, stored_chunk_infos
from bodymap.store.chunks import pool
from bodymap.store.file_index import FileIndex
from bodymap.store.limits import Refused, check_hard_link, open_dataset, reading
from bodymap.store.session_file import read_layer


@dataclass(frozen=True, eq=False)
class StoredChunks:
    """One layer's stored chunks, copied out of the file, not yet checked or inflated.

    ``chunks`` are (first vertex, stored bytes: deflated data and the fletcher32 trailer).
    The layer's vertex count is the file's (checked by the caller); no chunk may be longer
    than ``chunk`` once inflated.
    """

    path: Path
    tag: str
    n_vertices: int
    chunk: int
    chunks: tuple[tuple[int, bytes | memoryview], ...]


StoredLayer = StoredChunks | np.ndarray
"""What :func:`stored_chunks` gives: the chunks, or the layer HDF5 read itself."""


def stored_chunks(h5: h5py.File, path: Path, tag: str, n_vertices: int) -> StoredLayer | None:
    """Layer ``tag`` of an open session file as its stored chunks (``None``: not painted).

    Its link, type, size, chunk size and filters are checked first; the layer must be
    (``n_vertices``,) uint8. A layer stored otherwise than a save stores it comes back
    whole, read by HDF5 (:func:`~bodymap.store.session_file.read_layer`).
    """
    with reading(path, f"layer {tag!r}"):
        links = h5.id.links
        if not links.exists(b"layers"):
            return None
        check_hard_link(h5, "layers")  # before following it: never into another file
        if not links.exists(f"layers/{tag}".encode()):
            return None
        dataset = open_dataset(h5, f"layers/{tag}", n_vertices)
        if dataset.dtype != np.uint8:
            raise Refused(f"layers/{tag} holds {dataset.dtype} values, not uint8")
        if dataset.shape != (n_vertices,):
            raise Refused(f"layers/{tag} has shape {dataset.shape}, not ({n_vertices},)")
        chunk = bodymap_layout(dataset, n_vertices)
        infos = None
        if chunk is not None:
            infos = stored_chunk_infos(dataset, chunk, n_vertices, h5.id.get_filesize())
        if infos is None:  # laid out otherwise than a save lays it out: HDF5 reads it
            return read_layer(h5, tag, n_vertices)
        offsets = sorted(int(info.chunk_offset[0]) for info in infos)
        stored = tuple((offset, dataset.read_direct_chunk((offset,))[1]) for offset in offsets)
        return StoredChunks(path, tag, n_vertices, chunk, stored)


def indexed_chunks(
    index: FileIndex, data: bytes, path: Path, tag: str, n_vertices: int
) -> StoredChunks | None:
    """Layer ``tag`` as its stored chunks, where the file's index says they lie
    (:mod:`bodymap.store.file_index`; ``None``: not painted). ``data``: the file's bytes."""
    found = index.layers.get(tag)
    if found is None:
        return None
    if index.attrs["n_vertices"] != n_vertices:
        raise Refused("the file's index and its header disagree on the vertex count")
    chunk, entries = found
    view = memoryview(data)
    stored = tuple((first, view[offset : offset + size]) for first, offset, size in entries)
    return StoredChunks(path, tag, n_vertices, chunk, stored)


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
            yield offset, inflate_chunk(stored, layer.chunk)[: layer.n_vertices - offset]


def decoding(layers: dict[str, StoredLayer], whole: bool = False) -> Future:
    """A future of {tag: :func:`decode` of each layer} (:func:`decode_dense` if ``whole``),
    run on a worker thread while the caller reads the next file."""
    function = decode_dense if whole else decode
    return pool().submit(lambda: {tag: function(layer) for tag, layer in layers.items()})
