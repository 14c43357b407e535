"""Build an HDF5 file image in memory from a plan, and the content digest over it.

A :class:`FilePlan` lists every group attribute and dataset of a file before anything is
written, so the content digest (SHA-256 over every dataset's bytes and every attribute, in
a canonical order) is computed from the arrays already in memory, not by reading back.
:func:`file_items` walks a stored file into the same canonical items, so a reader computes
the same digest (see ``docs/SESSION_FORMAT.md``, "Content digest").

The image is built with HDF5's in-memory ("core") driver and handed to
:func:`bodymap.store.atomic.write_atomic` as bytes: measured as fast as writing the
temporary file directly, and every disk step stays a plain ``os`` call.

Sparse byte datasets (the paint layers) skip HDF5's filter pipeline: their chunks are
deflated on worker threads (zlib releases the GIL), or taken from the bytes of the same chunk
saved before (:mod:`bodymap.store.chunks`), and placed with a direct chunk write carrying the
fletcher32 trailer HDF5 would have added. The file is the one HDF5 would write: the same
chunks, filters and checksums.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field

import h5py
import numpy as np

from bodymap.store.chunks import CHUNK_BYTES, GZIP_LEVEL, filtered_chunks, helpers
from bodymap.store.limits import (
    MAX_OBJECTS,
    MAX_TEXT_BYTES,
    MIN_ALLOWANCE,
    Refused,
    all_attributes,
    allowance,
    check_hard_link,
    check_members,
    declared_dataset,
)

DIGEST_ATTRIBUTE = "content_sha256"
TEXT = h5py.string_dtype("utf-8")

Item = tuple[str, str, bytes | np.ndarray]
"""(canonical key, type tag, payload bytes) of one dataset or attribute."""


def canonical_array(array: np.ndarray) -> np.ndarray:
    """C-contiguous and little-endian: the byte order the digest and the file use."""
    array = np.asarray(array)
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))


def _attr_value(value) -> str | np.int64 | np.float64:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        raise TypeError("store booleans as integers 0/1 (HDF5 has no boolean type)")
    if isinstance(value, int | np.integer):
        return np.int64(value)
    if isinstance(value, float | np.floating):
        return np.float64(value)
    raise TypeError(f"unsupported attribute value {value!r}")


@dataclass
class FilePlan:
    """Everything one file will hold: attributes per group, text and array datasets."""

    attrs: dict[str, dict[str, str | np.int64 | np.float64]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    arrays: dict[str, tuple[np.ndarray, bool]] = field(default_factory=dict)
    sparse: set[str] = field(default_factory=set)

    def attr(self, group: str, name: str, value) -> None:
        """Set attribute ``name`` on ``group`` ("/" for the root): str, int or float."""
        self.attrs.setdefault(group, {})[name] = _attr_value(value)

    def text(self, path: str, text: str) -> None:
        """A scalar variable-length UTF-8 string dataset (JSON documents, mostly)."""
        self.texts[path] = str(text)

    def array(
        self, path: str, array: np.ndarray, compress: bool = True, sparse: bool = False
    ) -> None:
        """A numeric dataset; chunked with fletcher32 (and shuffle + gzip if ``compress``).

        ``sparse`` (1-D): chunks holding only zeros are never written; HDF5 reads them as
        the fill value, 0. Unpainted parts of a layer then cost nothing to save or read.
        """
        self.arrays[path] = (canonical_array(array), compress)
        if sparse and np.ndim(array) == 1:
            self.sparse.add(path)

    def items(self) -> list[Item]:
        """The canonical items, for :func:`content_digest`."""
        items = [(path, "utf8", text.encode("utf-8")) for path, text in self.texts.items()]
        items += [_array_item(path, a) for path, (a, _) in self.arrays.items()]
        for group, attrs in self.attrs.items():
            items += [_attr_item(group, name, v) for name, v in attrs.items()]
        return items


def _array_item(path: str, array: np.ndarray) -> Item:
    # A view of the bytes, not a copy: the layers of a 1M-vertex session are 8 MB.
    return path, f"{array.dtype.str}{list(array.shape)}", array.reshape(-1).view(np.uint8)


def _attr_item(group: str, name: str, value) -> Item:
    key = f"{group.rstrip('/')}/@{name}"
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="surrogateescape")
    if isinstance(value, str):
        return key, "utf8", value.encode("utf-8", errors="surrogateescape")
    value = canonical_array(value)
    return key, f"{value.dtype.str}{list(value.shape)}", value.tobytes()


def content_digest(items: Iterable[Item], exclude: str = "/@" + DIGEST_ATTRIBUTE) -> str:
    """SHA-256 over the items sorted by key, each length-prefixed; ``exclude`` is skipped."""
    digest = hashlib.sha256()
    for key, tag, payload in sorted(items, key=lambda item: item[0]):
        if key == exclude:
            continue
        head = f"{key}\0{tag}".encode()
        digest.update(len(head).to_bytes(8, "little"))
        digest.update(head)
        digest.update(len(payload).to_bytes(8, "little"))  # a bytes or a 1-D uint8 array
        digest.update(payload)
    return digest.hexdigest()


def chunk_shape(array: np.ndarray) -> tuple[int, ...]:
    """The chunks a dataset of ``array`` is stored in (about :data:`CHUNK_BYTES` each)."""
    row = max(1, int(np.prod(array.shape[1:], dtype=np.int64)) * array.dtype.itemsize)
    return (max(1, min(len(array), CHUNK_BYTES // row)), *array.shape[1:])


def build_image(
    plan: FilePlan,
    digest: bool = True,
    userblock: int = 0,
    head: Callable[[h5py.File, dict, bytes], bytes] | None = None,
) -> bytes:
    """The bytes of an HDF5 file holding ``plan`` (plus the content digest attribute).

    ``userblock`` bytes (0, or a power of two from 512) come before HDF5's superblock;
    ``head(h5, objects, image)`` makes them from the built file (``objects``: its datasets
    by path, ``image``: HDF5's bytes after the block), else they are zeros.

    Uses h5py's low-level API: four times faster than the high-level one for the many
    small objects of a session file, and the files are the same. The layers' chunks are
    made on worker threads, one task a layer, and the content digest is computed on one,
    while this thread builds the file (on this thread first when no core is idle).
    """
    # The digest first (hashlib releases the GIL): after a dab most chunks are reused.
    # On workers only while a core is idle: on busy cores they wait for each other's GIL.
    workers = helpers()
    digest_job = workers.submit(content_digest, plan.items()) if digest else None
    chunked = {
        path: workers.submit(filtered_chunks, path, plan.arrays[path][0]) for path in _direct(plan)
    }
    with h5py.File(
        "image.h5", "w", driver="core", backing_store=False, userblock_size=userblock
    ) as h5:
        objects: dict[str, h5py.h5o.ObjectID] = {"/": h5.id}
        for path in sorted({p.rsplit("/", 1)[0] for p in [*plan.texts, *plan.arrays, *plan.attrs]}):
            if path and path not in objects:  # only one level of groups is used
                objects[path] = h5py.h5g.create(h5.id, path.encode())
        for path, text in plan.texts.items():
            objects[path] = _create(objects, path, np.array(text, dtype=TEXT), None, False)
        for path, (array, compress) in plan.arrays.items():
            chunks = chunk_shape(array) if array.size else None
            sparse = path in plan.sparse and chunks is not None
            objects[path] = _create(
                objects, path, array, chunks, compress, sparse, chunked.get(path)
            )
        for path, attrs in plan.attrs.items():
            if path not in objects:  # a group holding attributes only
                objects[path] = h5py.h5g.create(h5.id, path.encode())
            for name, value in attrs.items():
                _write_attr(objects[path], name, value)
        if digest_job is not None:
            _write_attr(h5.id, DIGEST_ATTRIBUTE, digest_job.result())
        h5.flush()
        image = h5.id.get_file_image()  # HDF5's bytes, after the user block
        if not userblock:
            return image
        block = head(h5, objects, image) if head is not None else bytes(userblock)
        if len(block) != userblock:
            raise ValueError(f"a user block of {len(block)} bytes, not {userblock}")
        return block + image


def _create(
    objects: dict,
    path: str,
    data: np.ndarray,
    chunks,
    compress: bool,
    sparse: bool = False,
    filtered: Future | None = None,
):
    """Create and write one dataset (chunked with fletcher32 when ``chunks`` is given);
    ``filtered``: the future (index, stored bytes) of its chunks, written as they are."""
    parent, _, name = path.rpartition("/")
    dcpl = _creation(tuple(chunks) if chunks is not None else None, compress, data.dtype)
    space = _scalar_space() if data.ndim == 0 else h5py.h5s.create_simple(data.shape)
    dataset = h5py.h5d.create(
        objects[parent or "/"], name.encode(), _type(data.dtype), space, dcpl=dcpl
    )
    if filtered is not None:
        for index, stored in filtered.result():
            dataset.write_direct_chunk((index * chunks[0],), stored)
    elif sparse:
        for low, high in _nonzero_runs(data, chunks[0]):
            selected = dataset.get_space()
            selected.select_hyperslab((low,), (high - low,))
            dataset.write(h5py.h5s.create_simple((high - low,)), selected, data[low:high])
    elif data.size:
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, data)
    return dataset


def _nonzero_runs(data: np.ndarray, chunk: int) -> list[tuple[int, int]]:
    """(start, stop) of each run of consecutive chunks that hold anything but zeros."""
    whole = len(data) // chunk
    busy = data[: whole * chunk].reshape(whole, chunk).any(axis=1).tolist()
    if len(data) > whole * chunk:
        busy.append(bool(data[whole * chunk :].any()))
    runs, start = [], None
    for index, used in enumerate([*busy, False]):
        if used and start is None:
            start = index
        elif not used and start is not None:
            runs.append((start * chunk, min(index * chunk, len(data))))
            start = None
    return runs


def _direct(plan: FilePlan) -> list[str]:
    """The datasets whose chunks skip HDF5's filters: sparse, compressed, one byte a value
    (HDF5's shuffle leaves single bytes as they are), more than one chunk long."""
    return [
        path
        for path in plan.sparse
        if plan.arrays[path][1]
        and plan.arrays[path][0].dtype.itemsize == 1
        and len(plan.arrays[path][0]) > CHUNK_BYTES
    ]


@functools.lru_cache(maxsize=64)
def _creation(chunks: tuple[int, ...] | None, compress: bool, dtype: np.dtype):
    """A dataset's creation properties (made once for each layout: HDF5 copies them into
    each dataset): chunked with fletcher32 when ``chunks`` is given, and shuffle + deflate
    if ``compress``; no times recorded."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)
    if chunks is not None:
        dcpl.set_chunk(chunks)
        if compress:  # the filter order of h5py: shuffle, deflate, fletcher32
            dcpl.set_shuffle()
            dcpl.set_deflate(GZIP_LEVEL)
        dcpl.set_fletcher32()
        dcpl.set_fill_value(np.zeros((), dtype=dtype))
    return dcpl


@functools.lru_cache(maxsize=64)
def _type(dtype: np.dtype):
    """The HDF5 type of ``dtype``, made once: HDF5 copies it into each object created with
    it (making one anew is a quarter of a small attribute's cost)."""
    return h5py.h5t.py_create(dtype, logical=True)


@functools.cache
def _scalar_space():
    """One scalar dataspace for every attribute and text (HDF5 copies it too)."""
    return h5py.h5s.create(h5py.h5s.SCALAR)


def _write_attr(target, name: str, value) -> None:
    data = np.array(value, dtype=TEXT) if isinstance(value, str) else np.asarray(value)
    attr = h5py.h5a.create(target, name.encode(), _type(data.dtype), _scalar_space())
    attr.write(data)


def file_items(
    h5: h5py.File, limit: int | None = None, known: dict[str, str | np.ndarray] | None = None
) -> Iterator[Item]:
    """Read every dataset and attribute of an open file as canonical items.

    Reading every dataset in full makes HDF5 check every chunk's fletcher32 checksum:
    a damaged chunk raises ``OSError`` here. The walk is bounded before anything is read:
    at most :data:`~bodymap.store.limits.MAX_OBJECTS` objects, no links, each object's
    attributes checked, each dataset no larger than ``limit`` bytes (by default what the
    file's size allows); :class:`~bodymap.store.limits.Refused` otherwise.

    ``known``: datasets already read in full, and checked, from this file (path -> text or
    array), so that a check which decoded the file first does not read them twice.
    """
    limit = allowance(h5) if limit is None else limit
    known = known or {}
    for path, obj in _walk(h5):
        for name, value in all_attributes(obj.id, path):
            yield _attr_item(path, name, value)
        if isinstance(obj, h5py.Dataset):
            if path in known:
                yield _known_item(path, known[path])
            elif h5py.check_string_dtype(obj.dtype) is not None:
                yield path, "utf8", read_text(h5, path).encode("utf-8")
            else:
                yield _array_item(path, canonical_array(read_dataset(h5, path, limit)))


def _known_item(path: str, value: str | np.ndarray) -> Item:
    if isinstance(value, str):
        return path, "utf8", value.encode("utf-8")
    return _array_item(path, canonical_array(value))


def _walk(h5: h5py.File) -> list[tuple[str, h5py.Group | h5py.Dataset]]:
    """Every object under the root, breadth first, through hard links only; bounded."""
    objects: list[tuple[str, h5py.Group | h5py.Dataset]] = [("/", h5)]
    for path, group in objects:
        if not isinstance(group, h5py.Group):
            continue
        if check_members(group, path, MAX_OBJECTS) + len(objects) > MAX_OBJECTS:
            raise Refused(f"it holds more than {MAX_OBJECTS:,} objects")
        for name in group:
            child = f"{path.rstrip('/')}/{name}"
            check_hard_link(h5, child)
            objects.append((child, group[name]))
    return objects


def _as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def read_dataset(
    h5: h5py.File,
    path: str,
    max_bytes: int | None = None,
    dtype: np.dtype | type | None = None,
    shape: tuple[int, ...] | None = None,
    ndim: int | None = None,
) -> np.ndarray:
    """A whole dataset, through the low-level API (a third of the cost for small ones).

    What it declares is checked before anything is allocated: its link, type, chunks and
    filters, at most ``max_bytes`` bytes (by default what the file's size allows), and the
    ``dtype``, ``shape`` or number of dimensions when given; :class:`Refused` otherwise.
    """
    return _read_all(*checked_dataset(h5, path, max_bytes, dtype, shape, ndim))


def checked_dataset(
    h5: h5py.File,
    path: str,
    max_bytes: int | None = None,
    dtype: np.dtype | type | None = None,
    shape: tuple[int, ...] | None = None,
    ndim: int | None = None,
) -> tuple[h5py.h5d.DatasetID, np.dtype, tuple[int, ...]]:
    """The dataset at ``path`` opened, with its type and shape, after the checks of
    :func:`read_dataset` (nothing read yet)."""
    limit = allowance(h5) if max_bytes is None else max_bytes
    dataset, found, extent = declared_dataset(h5, path, limit)
    if dtype is not None and found != np.dtype(dtype):
        raise Refused(f"{path} holds {found} values, not {np.dtype(dtype)}")
    if shape is not None and extent != shape:
        raise Refused(f"{path} has shape {extent}, not {shape}")
    if ndim is not None and len(extent) != ndim:
        raise Refused(f"{path} has {len(extent)} dimensions, not {ndim}")
    return dataset, found, extent


def _read_all(dataset: h5py.h5d.DatasetID, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    out = np.empty(shape, dtype=dtype)
    if out.size:
        dataset.read(h5py.h5s.ALL, h5py.h5s.ALL, out)
    return out


def read_text(h5: h5py.File, path: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """A text dataset as ``str``: a scalar UTF-8 string of at most ``max_bytes`` bytes."""
    dataset, dtype, shape = declared_dataset(h5, path, MIN_ALLOWANCE)
    if shape != () or h5py.check_string_dtype(dtype) is None:
        raise Refused(f"{path} is not a text dataset")
    value = _read_all(dataset, dtype, shape)[()]
    data = _as_bytes(value) if isinstance(value, bytes | str) else b""
    if len(data) > max_bytes:
        raise Refused(f"{path} is {len(data):,} bytes of text, more than {max_bytes:,}")
    return data.decode("utf-8")
