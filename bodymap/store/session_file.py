"""Reading and writing one session file (HDF5); every failure becomes one clear line.

Files are read whole and opened from memory (:func:`open_file`): the store never modifies
a file in place (every save writes a new file and renames it over the old one), HDF5 never
locks or writes the file on disk (locking is what fails on network folders, errno 37), and
what a file declares is checked against its bytes first (:mod:`bodymap.store.limits`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np

import bodymap
from bodymap.core.session import Session
from bodymap.store.chunk_reads import start_layer_reads
from bodymap.store.clip_codec import read_clips
from bodymap.store.errors import SessionReadError
from bodymap.store.file_index import index_block, read_index, reserve
from bodymap.store.hdf5_image import DIGEST_ATTRIBUTE, build_image, read_dataset, read_text
from bodymap.store.limits import (
    MAX_JSON_DEPTH,
    MAX_LAYERS,
    MAX_TEXT_BYTES,
    Refused,
    allowance,
    check_global_heaps,
    check_hard_link,
    check_json,
    check_members,
    checked_count,
    checked_vertex_count,
    guarded,
    read_attribute,
    read_attributes,
    reading,
)
from bodymap.store.session_codec import (
    SCHEMA_VERSION,
    SESSION_FORMAT,
    STROKE_ARRAYS,
    parse_time,
    session_from_parts,
    session_plan,
)

TEXTS = ("tags", "pins", "vectors", "events", "notes", "rhythm", "camera", "strokes/log")
REQUIRED = (
    "session_id",
    "client_id",
    "started",
    "practitioner",
    "mesh_sha256",
    "n_vertices",
    "carried_over_from",
    "finalised_at",
    "draft",
    "saved_at",
)
MAX_THUMBNAIL_BYTES = 16 << 20


@dataclass(frozen=True)
class SessionHeader:
    """A session file's root attributes, read without touching its data."""

    session_id: str
    client_id: str
    started: datetime
    practitioner: str
    mesh_hash: str
    n_vertices: int
    carried_over_from: str | None
    finalised_at: datetime | None
    draft: bool
    saved_at: datetime | None
    app_version: str
    schema_version: int
    n_layers: int
    has_thumbnail: bool
    topology_id: str = ""


def encode_session(
    session: Session,
    saved_at: datetime,
    draft: bool = False,
    thumbnail: bytes | None = None,
    index: bool = True,
) -> tuple[bytes, SessionHeader]:
    """The bytes of the session file for ``session`` and the header they hold.

    See ``docs/SESSION_FORMAT.md`` for the layout. ``index``: the index at the file's head
    (:mod:`bodymap.store.file_index`); without it, the file starts with HDF5's signature
    (an export for other tools).
    """
    plan = session_plan(session, saved_at, draft=draft, thumbnail=thumbnail)
    header = SessionHeader(
        session_id=session.id,
        client_id=session.client_id,
        started=session.started,
        practitioner=session.practitioner,
        mesh_hash=session.mesh_hash,
        n_vertices=session.n_vertices,
        carried_over_from=session.carried_over_from,
        finalised_at=session.finalised_at,
        draft=draft,
        saved_at=saved_at,
        app_version=bodymap.__version__,
        schema_version=SCHEMA_VERSION,
        n_layers=sum(path.startswith("/layers/") for path in plan.arrays),
        has_thumbnail=thumbnail is not None,
        topology_id=session.topology_id,
    )
    if not index:
        return build_image(plan), header
    block = reserve(plan)

    def head(h5: h5py.File, objects: dict, rest: bytes) -> bytes:
        return index_block(plan, h5, objects, block, rest)

    image = build_image(plan, userblock=block, head=head)
    return image, header


def open_file(path: Path, data: bytes | None = None) -> h5py.File:
    """Open an HDF5 file read-only, or raise :class:`SessionReadError` saying why not.

    The one place the store opens a file for reading. The file's bytes (``data``, when the
    caller has them already, e.g. decrypted) are checked (:func:`check_global_heaps`) and
    opened in memory, so HDF5 never reads the file on disk again and never writes to it.
    """
    with reading(path):
        data = file_bytes(path, data)
        check_global_heaps(data)
        try:
            return h5py.File(h5py.h5f.open_file_image(data))
        except ValueError:  # HDF5 does not say why an image fails; the same bytes as a file do
            return h5py.File(io.BytesIO(data), "r")


def file_bytes(path: Path, data: bytes | None = None) -> bytes:
    """``data``, or the file's bytes read from disk; an empty file is refused."""
    if data is None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SessionReadError(path, "the file does not exist") from None
    if not data:
        raise SessionReadError(path, "empty file (0 bytes)")
    return data


def check_format(
    attrs, path: Path, expected: str = SESSION_FORMAT, supported: int = SCHEMA_VERSION
) -> int:
    """The schema version, after checking the file is ours and not from a newer BodyMap.

    ``format`` must equal ``expected`` (else: a foreign file) and ``schema_version`` must be
    an integer from 1 to ``supported`` (higher: written by a newer BodyMap).
    """
    kind = attrs.get("format")
    if isinstance(kind, bytes):
        kind = kind.decode("utf-8", "replace")
    if kind != expected:
        raise SessionReadError(path, f"not a BodyMap {expected.split('-')[-1]} file (foreign)")
    version = attrs.get("schema_version")
    if not isinstance(version, int | np.integer) or int(version) < 1:
        raise SessionReadError(path, "damaged header: no valid schema_version")
    if int(version) > supported:
        writer = attrs.get("app_version", "?")
        raise SessionReadError(
            path,
            f"written by a newer BodyMap ({writer}, schema {int(version)}); BodyMap "
            f"{bodymap.__version__} reads schema {supported}: update BodyMap to open it",
        )
    return int(version)


HEADER_ATTRIBUTES = ("format", "schema_version", "app_version", "topology_id", *REQUIRED)
TEXTS_SINCE = {"body": 2}
"""Text records added after schema 1, and the schema that added them."""


def header_of(h5: h5py.File, path: Path, attrs: dict | None = None) -> SessionHeader:
    """Check and decode the root attributes (``attrs``, if already read) of an open file."""
    attrs = read_attributes(h5, HEADER_ATTRIBUTES) if attrs is None else attrs
    check_format(attrs, path)  # before anything else is read
    with reading(path, "header"):
        n_layers, has_thumbnail = _layer_count(h5), "thumbnail" in h5
    return header_from(attrs, path, n_layers, has_thumbnail)


def header_from(attrs: Mapping, path: Path, n_layers: int, has_thumbnail: bool) -> SessionHeader:
    """Check and decode a file's root attributes (read, or from its index)."""
    version = check_format(attrs, path)
    missing = [name for name in REQUIRED if name not in attrs]
    if missing:
        raise SessionReadError(path, f"damaged header: no attribute {missing[0]!r}")
    with reading(path, "header"):
        return SessionHeader(
            session_id=_text(attrs, "session_id"),
            client_id=_text(attrs, "client_id"),
            started=datetime.fromisoformat(_text(attrs, "started")),
            practitioner=_text(attrs, "practitioner"),
            mesh_hash=_text(attrs, "mesh_sha256"),
            n_vertices=checked_vertex_count(attrs["n_vertices"]),
            carried_over_from=_text(attrs, "carried_over_from") or None,
            finalised_at=parse_time(_text(attrs, "finalised_at")),
            draft=bool(checked_count(attrs["draft"], "draft", 1)),
            saved_at=parse_time(_text(attrs, "saved_at")),
            app_version=str(attrs.get("app_version", "")),
            schema_version=version,
            n_layers=n_layers,
            has_thumbnail=has_thumbnail,
            topology_id=str(attrs.get("topology_id", "")),
        )


def _text(attrs: dict, name: str) -> str:
    value = attrs[name]
    if not isinstance(value, str):
        raise Refused(f"attribute {name!r} is not text")
    return value


def _layer_count(h5: h5py.File) -> int:
    if "layers" not in h5:
        return 0
    check_hard_link(h5, "layers")
    layers = h5["layers"]
    if not isinstance(layers, h5py.Group):
        raise Refused("layers is not a group")
    return check_members(layers, "layers", MAX_LAYERS)


@guarded
def read_header(path: Path, data: bytes | None = None) -> SessionHeader:
    """A session file's header (attributes only: fast enough for listings).

    ``data``: the file's bytes, as the store's seam read (and decrypted) them; without it
    the file is read from disk (tools and tests)."""
    data = file_bytes(path, data)
    index = read_index(data)
    if index is not None:  # the index at its head repeats the header
        return header_from(index.attrs, path, len(index.layers), index.thumbnail)
    with open_file(path, data) as h5:
        return header_of(h5, path)


@guarded
def read_session(path: Path, data: bytes | None = None) -> tuple[Session, SessionHeader]:
    """The whole session in a file (or in ``data``, its bytes), and its header.

    Raises
    ------
    SessionReadError
        Unreadable, foreign, newer-schema, or damaged (fletcher32 catches damaged layers),
        or declaring more than it could hold (see :mod:`bodymap.store.limits`).
    """
    data = file_bytes(path, data)
    with open_file(path, data) as h5:
        session, header, _ = decode_session(h5, path, data)
    return session, header


def decode_session(
    h5: h5py.File,
    path: Path,
    data: bytes,
    check: Callable[[SessionHeader], None] | None = None,
) -> tuple[Session, SessionHeader, dict[str, str | np.ndarray]]:
    """The session in an open file (opened from ``data``), its header, and every dataset
    read, by path (``/layers/pain``): what a full check need not read again. ``check``
    sees the header before any dataset is read."""
    attrs = read_attributes(h5, HEADER_ATTRIBUTES)
    header = header_of(h5, path, attrs)
    if check is not None:
        check(header)
    limit = allowance(h5)
    with reading(path, "text records"):
        names = TEXTS + tuple(
            name for name, since in TEXTS_SINCE.items() if header.schema_version >= since
        )
        texts = {name: read_text(h5, name) for name in names}
        for name, text in texts.items():
            check_json(text, name, MAX_TEXT_BYTES, MAX_JSON_DEPTH)
    with reading(path, "stroke log"):
        strokes = {name: _stroke_array(h5, name, limit) for name in STROKE_ARRAYS}
    with reading(path, "spoken notes"):
        clips = read_clips(h5, path, header.schema_version, data)
    with reading(path, "layers"):
        # Started once this thread's HDF5 reads are done (each holds the GIL, and a worker
        # would wait for it after every chunk): from here all threads inflate together.
        keys = list(h5["layers"]) if header.n_layers else []
        n = header.n_vertices
        layers = start_layer_reads(h5, data, keys, n, lambda key: read_layer(h5, key, n)).finish()
    with reading(path, "records"):
        session = session_from_parts(attrs, texts, layers, strokes, clips)
    read = {f"/{name}": text for name, text in texts.items()}
    read |= {f"/layers/{key}": values for key, values in layers.items()}
    for name, (values, offsets) in strokes.items():
        read[f"/strokes/{name}"], read[f"/strokes/{name}_offsets"] = values, offsets
    return session, header, read


def read_layer(h5: h5py.File, key: str, n_vertices: int) -> np.ndarray | None:
    """The (N,) uint8 layer ``key``, its type and shape checked before it is read;
    ``None`` when the file has no such layer (not painted)."""
    path = f"layers/{key}"
    if "layers" not in h5 or key not in h5["layers"]:
        return None
    # The exact shape is required, so n_vertices bytes (at most MAX_VERTICES) is the bound.
    return read_dataset(h5, path, n_vertices, dtype=np.uint8, shape=(n_vertices,))


def _stroke_array(h5: h5py.File, name: str, limit: int) -> tuple[np.ndarray, np.ndarray]:
    dtype, empty = STROKE_ARRAYS[name]
    values = read_dataset(h5, f"strokes/{name}", limit, dtype=dtype, ndim=len(empty))
    if values.shape[1:] != empty[1:]:
        raise Refused(f"stroke {name} has shape {values.shape}, not (K, {', '.join(empty[1:])})")
    offsets = read_dataset(h5, f"strokes/{name}_offsets", limit, dtype=np.int64, ndim=1)
    if len(offsets) == 0 or offsets[0] != 0 or offsets[-1] != len(values):
        raise Refused(f"stroke {name} offsets do not match the data")
    if np.any(np.diff(offsets) < 0):
        raise Refused(f"stroke {name} offsets are not increasing")
    return values, offsets


def stored_digest(h5: h5py.File) -> str | None:
    if not h5py.h5a.exists(h5.id, DIGEST_ATTRIBUTE.encode()):
        return None
    return str(read_attribute(h5.id, DIGEST_ATTRIBUTE))


@guarded
def read_thumbnail(path: Path, data: bytes | None = None) -> bytes | None:
    """The PNG thumbnail stored in a session file, or ``None``."""
    with open_file(path, data) as h5:
        header_of(h5, path)
        if "thumbnail" not in h5:
            return None
        with reading(path, "thumbnail"):
            return read_dataset(h5, "thumbnail", MAX_THUMBNAIL_BYTES, np.uint8, ndim=1).tobytes()
