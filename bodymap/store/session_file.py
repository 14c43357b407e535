"""Reading and writing one session file (HDF5); every failure becomes one clear line.

Files are opened read-only with HDF5 file locking off: the store never modifies a file in
place (every save writes a new file and renames it over the old one), so there is no
writer to lock against, and locking is what fails on network folders (errno 37).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np

import bodymap
from bodymap.core.session import Session
from bodymap.store.errors import SessionReadError
from bodymap.store.hdf5_image import DIGEST_ATTRIBUTE, build_image, read_dataset, read_text
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
READ_ERRORS = (OSError, KeyError, ValueError, TypeError, IndexError, AttributeError)
"""What damaged content raises inside h5py, json and the core constructors."""


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


def encode_session(
    session: Session, saved_at: datetime, draft: bool = False, thumbnail: bytes | None = None
) -> tuple[bytes, SessionHeader]:
    """The bytes of the session file for ``session`` and the header they hold.

    See ``docs/SESSION_FORMAT.md`` for the layout.
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
    )
    return build_image(plan), header


def open_file(path: Path) -> h5py.File:
    """Open an HDF5 file read-only, or raise :class:`SessionReadError` saying why not."""
    try:
        if path.stat().st_size == 0:
            raise SessionReadError(path, "empty file (0 bytes)")
        return h5py.File(path, "r", locking=False)
    except FileNotFoundError:
        raise SessionReadError(path, "the file does not exist") from None
    except OSError as error:
        raise SessionReadError(path, hdf5_reason(error)) from error


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


def header_of(h5: h5py.File, path: Path, attrs: dict | None = None) -> SessionHeader:
    """Check and decode the root attributes (``attrs``, if already read) of an open file."""
    attrs = dict(h5.attrs) if attrs is None else attrs
    version = check_format(attrs, path)
    missing = [name for name in REQUIRED if name not in attrs]
    if missing:
        raise SessionReadError(path, f"damaged header: no attribute {missing[0]!r}")
    try:
        return SessionHeader(
            session_id=str(attrs["session_id"]),
            client_id=str(attrs["client_id"]),
            started=datetime.fromisoformat(str(attrs["started"])),
            practitioner=str(attrs["practitioner"]),
            mesh_hash=str(attrs["mesh_sha256"]),
            n_vertices=int(attrs["n_vertices"]),
            carried_over_from=str(attrs["carried_over_from"]) or None,
            finalised_at=parse_time(str(attrs["finalised_at"])),
            draft=bool(int(attrs["draft"])),
            saved_at=parse_time(str(attrs["saved_at"])),
            app_version=str(attrs.get("app_version", "")),
            schema_version=version,
            n_layers=len(h5["layers"]) if "layers" in h5 else 0,
            has_thumbnail="thumbnail" in h5,
        )
    except READ_ERRORS as error:
        raise SessionReadError(path, f"damaged header ({error})") from error


def read_header(path: Path) -> SessionHeader:
    """A session file's header (attributes only: fast enough for listings)."""
    with open_file(path) as h5:
        try:
            return header_of(h5, path)
        except SessionReadError:
            raise
        except READ_ERRORS as error:
            raise SessionReadError(path, hdf5_reason(error)) from error


def read_session(path: Path) -> tuple[Session, SessionHeader]:
    """The whole session in a file, and its header.

    Raises
    ------
    SessionReadError
        Unreadable, foreign, newer-schema, or damaged (fletcher32 catches damaged layers).
    """
    with open_file(path) as h5:
        attrs = dict(h5.attrs)
        header = header_of(h5, path, attrs)
        where = "the file"
        try:
            where = "layers"
            layers = {key: _layer(h5, key, header.n_vertices) for key in h5["layers"]}
            where = "text records"
            texts = {name: read_text(h5, name) for name in TEXTS}
            where = "stroke log"
            strokes = {name: _stroke_array(h5, name) for name in STROKE_ARRAYS}
            where = "records"
            session = session_from_parts(attrs, texts, layers, strokes)
        except READ_ERRORS as error:
            reason = hdf5_reason(error) if isinstance(error, OSError) else str(error)
            raise SessionReadError(path, f"damaged {where}: {reason}") from error
    return session, header


def _layer(h5: h5py.File, key: str, n_vertices: int) -> np.ndarray:
    values = read_dataset(h5, f"layers/{key}")
    if values.dtype != np.uint8 or values.shape != (n_vertices,):
        raise ValueError(f"layer {key!r} is {values.dtype} {values.shape}, not uint8 (N,)")
    return values


def _stroke_array(h5: h5py.File, name: str) -> tuple[np.ndarray, np.ndarray]:
    values = read_dataset(h5, f"strokes/{name}")
    offsets = read_dataset(h5, f"strokes/{name}_offsets").astype(np.int64)
    if len(offsets) == 0 or offsets[0] != 0 or offsets[-1] != len(values):
        raise ValueError(f"stroke {name} offsets do not match the data")
    if np.any(np.diff(offsets) < 0):
        raise ValueError(f"stroke {name} offsets are not increasing")
    return values, offsets


def stored_digest(h5: h5py.File) -> str | None:
    value = h5.attrs.get(DIGEST_ATTRIBUTE)
    return None if value is None else str(value)


def read_thumbnail(path: Path) -> bytes | None:
    """The PNG thumbnail stored in a session file, or ``None``."""
    with open_file(path) as h5:
        header_of(h5, path)
        if "thumbnail" not in h5:
            return None
        try:
            return h5["thumbnail"][()].tobytes()
        except READ_ERRORS as error:
            raise SessionReadError(path, f"damaged thumbnail: {hdf5_reason(error)}") from error
