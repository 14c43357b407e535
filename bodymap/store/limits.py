"""What one file may ask of a reader, and the boundary where any failure becomes one line.

Every read of a store file goes through two guards:

* :func:`reading` (or the :func:`guarded` decorator) turns *any* exception raised while one
  file is read (HDF5 errors, ``KeyError``, ``RecursionError``, ``MemoryError``, bad UTF-8...)
  into :class:`SessionReadError` naming the file, so the caller lists that file as unreadable
  and every other record stays available.
* the checks below look at what a file *declares* (shapes, types, chunk sizes, filters,
  object and attribute counts, string lengths, JSON depth, the string heaps HDF5 would
  otherwise loop on) before anything is allocated, parsed or looped over, so no file can
  make BodyMap work without bound. Sizes are checked
  against the file's own byte length (``h5.id.get_filesize()``, which is the same for a file
  on disk and one opened from bytes in memory) times the most that deflate can expand.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np

from bodymap.core.mesh import MAX_VERTICES
from bodymap.store.errors import SessionReadError, StoreError

MAX_COMPRESSION = 1100
"""Deflate cannot expand data by more than 1032:1; a dataset declaring more is refused."""
MIN_ALLOWANCE = 1 << 20
"""Bytes any dataset may declare whatever the file's size (small files, sparse chunks)."""
MAX_LAYERS = 256
MAX_OBJECTS = 1024
MAX_ATTRIBUTES = 64
MAX_ATTRIBUTE_BYTES = 1 << 16
MAX_TEXT_BYTES = 64 << 20
MAX_JSON_DEPTH = 32
MAX_CHUNK_BYTES = 16 << 20
FILTERS = {h5py.h5z.FILTER_DEFLATE, h5py.h5z.FILTER_SHUFFLE, h5py.h5z.FILTER_FLETCHER32}
"""The only filters BodyMap writes; any other (a plugin) is refused, never looked up."""
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_HEAP = re.compile(rb"GCOL\x01\x00\x00\x00")
_HEAP_MIN = 4096
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class Refused(ValueError):
    """A file declares something BodyMap will not read (too big, wrong type or shape)."""


# ----- the boundary ---------------------------------------------------------------------------


def failure_reason(error: BaseException) -> str:
    """One short line saying why reading failed, from any exception."""
    if isinstance(error, OSError | RuntimeError) and not isinstance(error, RecursionError):
        reason = hdf5_reason(error)
    elif isinstance(error, MemoryError):
        reason = "it asks for more memory than there is"
    elif isinstance(error, RecursionError):
        reason = "it is nested too deeply"
    elif isinstance(error, UnicodeError):
        reason = "its text is not valid UTF-8"
    elif isinstance(error, KeyError):
        reason = f"something it needs is missing ({error})"
    elif isinstance(error, Refused):
        reason = str(error)
    else:
        reason = f"{type(error).__name__}: {error}"
    return " ".join(reason.split())[:240] or type(error).__name__


def hdf5_reason(error: BaseException) -> str:
    """A short reason from an h5py error ("truncated file", "checksum mismatch"...)."""
    text = str(error)
    inner = re.search(r"\(([^()]*)\)\s*$", text)
    detail = inner.group(1) if inner else text
    if "signature not found" in detail:
        return "not an HDF5 file (random bytes or another kind of file)"
    if "truncated file" in detail:
        sizes = re.search(r"eof = (\d+).*stored_eof = (\d+)", detail)
        return f"truncated file ({sizes[1]} of {sizes[2]} bytes)" if sizes else "truncated file"
    if "filter returned failure" in detail or "checksum" in detail.lower():
        return "damaged data: a checksum does not match (fletcher32)"
    return f"cannot be read as HDF5 ({detail or type(error).__name__})"


@contextlib.contextmanager
def reading(path: Path, what: str = "") -> Iterator[None]:
    """Turn any failure inside the block into ``SessionReadError(path, reason)``.

    A :class:`StoreError` passes unchanged (a :class:`SessionReadError` already says which
    file; others are the caller's mistake, such as a bad tag key). ``what`` ("layers",
    "text records"...) prefixes the reason: "damaged layers: ...".
    """
    try:
        yield
    except StoreError:
        raise
    except Exception as error:  # noqa: BLE001 - the boundary: one bad file, one line
        reason = failure_reason(error)
        raise SessionReadError(path, f"damaged {what}: {reason}" if what else reason) from error


def guarded(function):
    """Decorate a reader whose first argument is the file's path with :func:`reading`."""

    @functools.wraps(function)
    def wrapper(path, *args, **kwargs):
        with reading(Path(path)):
            return function(path, *args, **kwargs)

    return wrapper


# ----- what a file may declare ----------------------------------------------------------------


def allowance(h5: h5py.File, size: int | None = None) -> int:
    """The most bytes one dataset of ``h5`` may declare: its byte length times deflate's
    largest ratio (``size``, when the caller knows it, instead of asking HDF5)."""
    size = h5.id.get_filesize() if size is None else size
    return max(MIN_ALLOWANCE, int(size) * MAX_COMPRESSION)


def checked_count(value, what: str, maximum: int, minimum: int = 0) -> int:
    """An integer count from a file, within ``minimum`` to ``maximum``, or :class:`Refused`."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise Refused(f"{what} is not an integer ({type(value).__name__})")
    if not minimum <= int(value) <= maximum:
        raise Refused(f"{what} is {int(value):,}, outside {minimum:,} to {maximum:,}")
    return int(value)


def checked_vertex_count(value) -> int:
    return checked_count(value, "n_vertices", MAX_VERTICES, minimum=1)


def declared_bytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    return math.prod(map(int, shape)) * max(1, dtype.itemsize)  # Python ints: no overflow


def open_dataset(h5: h5py.File, path: str, limit: int) -> h5py.h5d.DatasetID:
    """The dataset at ``path`` after checking its link, type, size, chunks and filters."""
    return declared_dataset(h5, path, limit)[0]


def declared_dataset(
    h5: h5py.File, path: str, limit: int
) -> tuple[h5py.h5d.DatasetID, np.dtype, tuple[int, ...]]:
    """:func:`open_dataset`, with the type and shape it declares (h5py builds them anew
    on each ask: a tenth of a small dataset's read)."""
    check_hard_link(h5, path)
    dataset = h5py.h5d.open(h5.id, path.encode())
    dtype, shape = dataset.dtype, dataset.shape
    if not _simple(dtype):
        raise Refused(f"{path} has an unsupported data type ({dtype})")
    if declared_bytes(shape, dtype) > limit:
        raise Refused(f"{path} declares {_shape(shape)} values: more than the file holds")
    plist = dataset.get_create_plist()
    if plist.get_layout() == h5py.h5d.CHUNKED:
        chunk = plist.get_chunk()
        if declared_bytes(chunk, dtype) > MAX_CHUNK_BYTES:
            raise Refused(f"{path} declares chunks of {_shape(chunk)} values: too large")
        for index in range(plist.get_nfilters()):
            if plist.get_filter(index)[0] not in FILTERS:
                raise Refused(f"{path} uses a compression filter BodyMap does not write")
    return dataset, dtype, shape


def _simple(dtype: np.dtype) -> bool:
    """A number or a string: the only kinds of value BodyMap writes."""
    return dtype.kind in "iufS" or h5py.check_string_dtype(dtype) is not None


def check_hard_link(h5: h5py.File, path: str) -> None:
    """Refuse soft and external links on the way to ``path``: BodyMap writes neither, and
    an external link would open another file."""
    parts = path.strip("/").split("/")
    for depth in range(1, len(parts) + 1):
        name = "/".join(parts[:depth]).encode()
        if h5.id.links.get_info(name).type != h5py.h5l.TYPE_HARD:
            raise Refused(f"{name.decode()} is a link, not an object of the file")


def check_members(group: h5py.Group, what: str, maximum: int) -> int:
    """How many members ``group`` has, refused above ``maximum``."""
    count = group.id.get_num_objs()
    if count > maximum:
        raise Refused(f"{what} holds {count:,} objects, more than {maximum:,}")
    return count


def check_attribute_count(obj_id, what: str) -> None:
    count = h5py.h5o.get_info(obj_id).num_attrs
    if count > MAX_ATTRIBUTES:
        raise Refused(f"{what} has {count:,} attributes, more than {MAX_ATTRIBUTES}")


def read_attribute(obj_id, name: str):
    """A scalar attribute, checked before it is read: ``str`` for text, a Python number.

    Raises ``KeyError`` when absent and :class:`Refused` when it is not a scalar string or
    number, or a string longer than :data:`MAX_ATTRIBUTE_BYTES`.
    """
    return _attribute_value(h5py.h5a.open(obj_id, name.encode()), name)


def _attribute_value(attribute, name: str):
    dtype, shape = attribute.dtype, attribute.shape
    if not _simple(dtype) or shape not in ((), (1,)):
        raise Refused(f"attribute {name!r} is not a single text or number")
    if dtype.itemsize > MAX_ATTRIBUTE_BYTES:
        raise Refused(f"attribute {name!r} is longer than {MAX_ATTRIBUTE_BYTES:,} bytes")
    value = np.empty(shape, dtype=dtype)
    attribute.read(value)
    value = value.reshape(-1)[0]
    if isinstance(value, bytes | str):
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
        if len(raw) > MAX_ATTRIBUTE_BYTES:
            raise Refused(f"attribute {name!r} is longer than {MAX_ATTRIBUTE_BYTES:,} bytes")
        return raw.decode("utf-8")
    return value.item()


def read_attributes(h5: h5py.File, names: tuple[str, ...]) -> dict:
    """The named root attributes that exist, each checked (see :func:`read_attribute`)."""
    check_attribute_count(h5.id, "the file's root")
    found = {}
    for name in names:
        if h5py.h5a.exists(h5.id, name.encode()):
            found[name] = read_attribute(h5.id, name)
    return found


def all_attributes(obj_id, what: str) -> list[tuple[str, str | int | float]]:
    """(name, value) of every attribute of an object, each checked before it is read."""
    check_attribute_count(obj_id, what)
    found = []
    for index in range(h5py.h5a.get_num_attrs(obj_id)):
        attribute = h5py.h5a.open(obj_id, index=index)
        name = attribute.name.decode("utf-8")
        found.append((name, _attribute_value(attribute, f"{what}@{name}")))
    return found


def check_global_heaps(data: bytes) -> None:
    """Refuse a file whose global heap collections (where HDF5 keeps variable-length
    strings) do not add up: HDF5 loops for ever on some damaged ones instead of failing.

    A collection is ``GCOL``, version 1, three reserved bytes, its size (8 bytes), then
    objects of a 16-byte header (index, reference count, reserved, size) and the data
    padded to 8 bytes; the last, index 0, is the free space up to the collection's end.
    """
    for match in _HEAP.finditer(data):
        start = match.start()
        end = start + int.from_bytes(data[start + 8 : start + 16], "little")
        if end - start < _HEAP_MIN or end > len(data):
            raise Refused("damaged data: a string heap runs past the end of the file")
        position = start + 16
        while position + 16 <= end:
            index = int.from_bytes(data[position : position + 2], "little")
            size = int.from_bytes(data[position + 8 : position + 16], "little")
            if index == 0:
                if size != end - position:
                    raise Refused("damaged data: a string heap's free space does not add up")
                break
            position += 16 + (size + 7) // 8 * 8
        if position > end:
            raise Refused("damaged data: a string in a string heap runs past its end")


# ----- JSON -----------------------------------------------------------------------------------


def check_json(text: str | bytes, what: str, max_bytes: int, max_depth: int) -> None:
    """Refuse JSON text longer than ``max_bytes`` or nested deeper than ``max_depth``,
    before any parser sees it (a deep document makes ``json.loads`` recurse)."""
    if len(text) > max_bytes:
        raise Refused(f"{what} is {len(text):,} bytes, more than {max_bytes:,}")
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).encode("ascii")
    if len(brackets) > max_depth:  # fewer brackets cannot nest deeper than max_depth
        steps = np.frombuffer(brackets, np.uint8)
        depth = np.cumsum(np.where((steps == ord("[")) | (steps == ord("{")), 1, -1))
        if int(depth.max()) > max_depth:
            raise Refused(f"{what} is nested more than {max_depth} levels deep")


def parse_json(
    text: str | bytes,
    what: str,
    max_bytes: int = MAX_TEXT_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
):
    """``json.loads(text)`` after :func:`check_json`; :class:`Refused` for what it refuses.

    Parameters
    ----------
    text : str or bytes
        The document (bytes are decoded as UTF-8).
    what : str
        What the document is ("events", "client file"), for the message.
    """
    check_json(text, what, max_bytes, max_depth)
    return json.loads(text)


def _shape(shape: tuple[int, ...]) -> str:
    return " x ".join(f"{n:,}" for n in shape) or "1"


# ----- spoken notes (/clips) ------------------------------------------------------------------

MAX_CLIPS = 256
"""Spoken notes one session file may hold (each is an object of the file)."""
MAX_CLIP_BYTES = 600 * 48_000 * 2
"""Ten minutes of int16 at the highest rate a clip may have (the core's bounds)."""
_CLIP_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
_CLIP_TEXTS = ("time", "transcript", "event_id", "pin_id")


def check_clip_group(h5: h5py.File, name: str) -> h5py.Group:
    """The group of spoken notes, after checking it is one and holds at most
    :data:`MAX_CLIPS` members."""
    check_hard_link(h5, name)
    group = h5[name]
    if not isinstance(group, h5py.Group):
        raise Refused(f"{name} is not a group")
    check_members(group, name, MAX_CLIPS)
    check_attribute_count(group.id, name)
    return group


def checked_clip_id(name: str) -> str:
    """A clip's id as a file names it: letters, digits, ``_`` and ``-``, at most 64."""
    if not _CLIP_ID.fullmatch(name):
        raise Refused(f"a spoken note is named {name[:80]!r}, not an id")
    return name


def clip_bytes_allowed(h5: h5py.File) -> int:
    """The most bytes one clip's samples may declare in ``h5``."""
    return min(MAX_CLIP_BYTES, allowance(h5))


def read_clip_fields(h5: h5py.File, path: str) -> tuple[dict, int]:
    """A clip's attributes (each checked) and its number of samples, its samples unread.

    The dataset must be 1-D int16 within :func:`clip_bytes_allowed`; ``rate`` 8,000 to
    48,000, ``transcript_automatic`` 0 or 1, the others text.
    """
    dataset = open_dataset(h5, path, clip_bytes_allowed(h5))
    if dataset.dtype != np.int16 or len(dataset.shape) != 1:
        raise Refused(f"{path} is not one channel of int16 samples")
    fields = dict(all_attributes(dataset, path))
    for name in _CLIP_TEXTS:
        if not isinstance(fields.get(name), str):
            raise Refused(f"{path} has no text attribute {name!r}")
    fields["rate"] = checked_count(fields.get("rate"), f"{path} rate", 48_000, 8_000)
    automatic = fields.get("transcript_automatic")
    fields["transcript_automatic"] = checked_count(automatic, f"{path} transcript_automatic", 1)
    return fields, int(dataset.shape[0])
