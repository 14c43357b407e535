"""Reading parts of session files: one layer, or the rhythm readings and events, only.

Comparing visits and drawing trends read one tag's layer from many sessions. Loading whole
sessions would decode every layer, the stroke log and every JSON record; here each file is
opened, its identity checked from a few root attributes, and only the datasets asked for
are read (HDF5 still checks their fletcher32 checksums). ``bodymap verify`` and
:meth:`Store.load <bodymap.store.store.Store.load>` remain the full checks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np

from bodymap.core.session import RhythmReading
from bodymap.store.errors import SessionReadError, StoreError
from bodymap.store.hdf5_image import DIGEST_ATTRIBUTE, read_text
from bodymap.store.info import SessionInfo, unreadable
from bodymap.store.session_codec import parse_time
from bodymap.store.session_file import READ_ERRORS, check_format, hdf5_reason, open_file


@dataclass(frozen=True)
class LayerFileHeader:
    """The identity of a session file, as checked before reading parts of it."""

    session_id: str
    client_id: str
    mesh_hash: str
    n_vertices: int


def checked_header(h5: h5py.File, path: Path) -> LayerFileHeader:
    """Check that an open file is the saved session its place names; its identity.

    Format and schema (a foreign or newer file is refused), session id = file name, client
    id = folder name, not a draft. Reads seven root attributes through h5py's low-level
    API (half the cost of ``h5.attrs``), not the whole header.
    """
    try:
        version = {name: _attribute(h5, name) for name in ("format", "schema_version")}
        if isinstance(version["schema_version"], int) and version["schema_version"] > 1:
            with contextlib.suppress(KeyError):
                version["app_version"] = _attribute(h5, "app_version")
        check_format(version, path)
        header = LayerFileHeader(
            session_id=str(_attribute(h5, "session_id")),
            client_id=str(_attribute(h5, "client_id")),
            mesh_hash=str(_attribute(h5, "mesh_sha256")),
            n_vertices=int(_attribute(h5, "n_vertices")),
        )
        draft = bool(int(_attribute(h5, "draft")))
    except SessionReadError:
        raise
    except READ_ERRORS as error:
        raise SessionReadError(path, f"damaged header ({error})") from error
    if header.session_id != path.stem:
        raise SessionReadError(path, f"holds session {header.session_id!r}, not {path.stem!r}")
    if header.client_id != path.parent.name:
        raise SessionReadError(path, f"belongs to client {header.client_id!r}, not the folder's")
    if draft:
        raise SessionReadError(path, "is an autosave draft in the sessions folder")
    return header


def _attribute(h5: h5py.File, name: str):
    """A scalar root attribute: ``str`` for text, a Python number otherwise."""
    attribute = h5py.h5a.open(h5.id, name.encode())
    value = np.empty(attribute.shape, dtype=attribute.dtype)
    attribute.read(value)
    value = value[()]
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value.item() if isinstance(value, np.generic) else value


def _checked_tag(tag: str) -> str:
    if not isinstance(tag, str) or not tag or "/" in tag or tag in (".", ".."):
        raise StoreError(f"{tag!r} is not a tag key")
    return tag


def _layer(h5: h5py.File, path: Path, tag: str, n_vertices: int) -> np.ndarray | None:
    """The layer's values; ``None`` when the file has no such layer (not painted)."""
    try:
        dataset = h5py.h5d.open(h5.id, f"layers/{tag}".encode())
    except KeyError:
        return None
    try:
        values = np.empty(dataset.shape, dtype=dataset.dtype)
        if values.size:
            dataset.read(h5py.h5s.ALL, h5py.h5s.ALL, values)
    except READ_ERRORS as error:
        reason = hdf5_reason(error) if isinstance(error, OSError) else str(error)
        raise SessionReadError(path, f"damaged layer {tag!r}: {reason}") from error
    if values.dtype != np.uint8 or values.shape != (n_vertices,):
        raise SessionReadError(path, f"damaged layer {tag!r}: {values.dtype} {values.shape}")
    return values


def read_layer_file(path: Path, tag: str) -> tuple[np.ndarray | None, LayerFileHeader]:
    """One tag's (N,) uint8 layer of a session file (``None``: not painted) and its identity.

    Raises
    ------
    SessionReadError
        Unreadable, foreign, newer, misplaced, or the layer is damaged.
    """
    tag = _checked_tag(tag)
    with open_file(path) as h5:
        header = checked_header(h5, path)
        return _layer(h5, path, tag, header.n_vertices), header


def read_layer_set_file(
    path: Path, tags: list[str] | tuple[str, ...] | None = None
) -> tuple[dict[str, np.ndarray], LayerFileHeader]:
    """Every painted layer of a session file (or those of ``tags`` that it has)."""
    with open_file(path) as h5:
        header = checked_header(h5, path)
        layers = h5.get("layers")
        stored = list(layers) if layers is not None else []
        wanted = stored if tags is None else [_checked_tag(t) for t in tags if t in stored]
        return {t: _layer(h5, path, t, header.n_vertices) for t in wanted}, header


def read_rhythm_and_events(path: Path) -> tuple[list[RhythmReading], dict[str, int]]:
    """A session file's rhythm readings, and how many events of each kind it holds."""
    with open_file(path) as h5:
        checked_header(h5, path)
        try:
            readings = [RhythmReading.from_dict(d) for d in json.loads(read_text(h5, "rhythm"))]
            kinds = Counter(str(e["kind"]) for e in json.loads(read_text(h5, "events")))
        except READ_ERRORS as error:
            reason = hdf5_reason(error) if isinstance(error, OSError) else str(error)
            raise SessionReadError(path, f"damaged rhythm or events: {reason}") from error
    return readings, dict(sorted(kinds.items()))


def read_tag_names(path: Path) -> dict[str, str]:
    """Tag key -> name, from a session file's tag set (names are the practitioner's)."""
    with open_file(path) as h5:
        checked_header(h5, path)
        try:
            return {str(t["key"]): str(t["name"]) for t in json.loads(read_text(h5, "tags"))}
        except READ_ERRORS as error:
            raise SessionReadError(path, f"damaged tag set: {error}") from error


@dataclass(frozen=True, eq=False)
class TrendFileParts:
    """What trends read from one session file, in one open.

    ``info`` is the file's listing entry (unreadable, with the reason, if any check or read
    failed; only the fields trends use are filled). ``digest`` is its ``content_sha256``
    ("" if none). ``rhythm`` is ``None`` when nothing more was read: the file is
    unreadable, not wanted, or its digest was known. ``summary`` is what the caller's
    ``reduce`` made of the layers, which are then not kept.
    """

    info: SessionInfo
    digest: str = ""
    layers: dict[str, np.ndarray] | None = None
    summary: object = None
    rhythm: list[RhythmReading] | None = None
    events: dict[str, int] | None = None
    tag_names: dict[str, str] | None = None


def read_trend_file(
    path: Path,
    tags: list[str] | tuple[str, ...] | None = None,
    known: Mapping[str, SessionInfo] | None = None,
    wanted: Callable[[SessionInfo], bool] | None = None,
    reduce: Callable[[SessionInfo, dict[str, np.ndarray]], object] | None = None,
) -> TrendFileParts:
    """One session file's listing entry, then, if ``wanted``, its layers (all, or those of
    ``tags``), rhythm, event counts and tag names: one open, never the mesh. With
    ``reduce``, the layers are handed to it at once and only its result is kept, so that
    reading many files holds one file's layers at a time.

    ``known`` maps content digests the caller has seen to their entries: such a file (same
    digest, same place) is only identified, its content being what the caller kept. Never
    raises for a bad file: its entry is unreadable, with the reason.
    """
    try:
        with open_file(path) as h5:
            digest = _digest(h5)
            seen = (known or {}).get(digest) if digest else None
            if seen is not None and seen.id == path.stem and seen.client_id == path.parent.name:
                return TrendFileParts(dataclasses.replace(seen, path=path), digest)
            group = h5.get("layers")
            stored = list(group) if group is not None else []
            info, n_vertices = _trend_info(h5, path, len(stored))
            if wanted is not None and not wanted(info):
                return TrendFileParts(info, digest)
            asked = stored if tags is None else [_checked_tag(t) for t in tags if t in stored]
            layers = {t: _layer(h5, path, t, n_vertices) for t in asked}
            rhythm, kinds, names = _trend_records(h5, path)
            summary = None
            if reduce is not None:
                summary, layers = reduce(info, layers), None
    except SessionReadError as error:
        return TrendFileParts(unreadable(path, path.parent.name, error.reason))
    except READ_ERRORS as error:  # a damaged group or link: this file only
        reason = hdf5_reason(error) if isinstance(error, OSError) else f"damaged ({error})"
        return TrendFileParts(unreadable(path, path.parent.name, reason))
    return TrendFileParts(info, digest, layers, summary, rhythm, kinds, names)


def _digest(h5: h5py.File) -> str:
    try:
        return str(_attribute(h5, DIGEST_ATTRIBUTE))
    except (KeyError, *READ_ERRORS):
        return ""  # an older file: never looked up, always read


def _trend_info(h5: h5py.File, path: Path, n_layers: int) -> tuple[SessionInfo, int]:
    """The listing entry and vertex count, from the root attributes trends need."""
    header = checked_header(h5, path)
    try:
        started = datetime.fromisoformat(str(_attribute(h5, "started")))
        practitioner = str(_attribute(h5, "practitioner"))
        finalised_at = parse_time(str(_attribute(h5, "finalised_at")))
    except READ_ERRORS as error:
        raise SessionReadError(path, f"damaged header ({error})") from error
    info = SessionInfo(
        id=header.session_id,
        client_id=header.client_id,
        path=path,
        readable=True,
        started=started,
        practitioner=practitioner,
        finalised_at=finalised_at,
        n_layers=n_layers,
        mesh_hash=header.mesh_hash,
    )
    return info, header.n_vertices


def _trend_records(h5: h5py.File, path: Path) -> tuple[list, dict[str, int], dict[str, str]]:
    """Rhythm readings, event counts by kind, and tag key -> name."""
    try:
        rhythm = [RhythmReading.from_dict(d) for d in json.loads(read_text(h5, "rhythm"))]
        kinds = Counter(str(e["kind"]) for e in json.loads(read_text(h5, "events")))
        names = {str(t["key"]): str(t["name"]) for t in json.loads(read_text(h5, "tags"))}
    except READ_ERRORS as error:
        reason = hdf5_reason(error) if isinstance(error, OSError) else str(error)
        raise SessionReadError(path, f"damaged rhythm, events or tags: {reason}") from error
    return rhythm, dict(sorted(kinds.items())), names
