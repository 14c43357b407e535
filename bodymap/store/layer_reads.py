"""Reading parts of session files: one layer, or the rhythm readings and events, only.

Comparing visits and drawing trends read one tag's layer from many sessions. Loading whole
sessions would decode every layer, the stroke log and every JSON record; here each file is
opened, its identity checked from a few root attributes, and only the datasets asked for
are read (HDF5 still checks their fletcher32 checksums). ``bodymap verify`` and
:meth:`Store.load <bodymap.store.store.Store.load>` remain the full checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np

from bodymap.core.session import RhythmReading
from bodymap.store.errors import SessionReadError, StoreError
from bodymap.store.hdf5_image import read_text
from bodymap.store.info import SessionInfo
from bodymap.store.limits import (
    MAX_LAYERS,
    Refused,
    check_hard_link,
    check_members,
    checked_count,
    checked_vertex_count,
    guarded,
    parse_json,
    read_attributes,
    reading,
)
from bodymap.store.session_codec import parse_time
from bodymap.store.session_file import check_format, open_file, read_layer


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
    id = folder name, not a draft. Reads eight root attributes through h5py's low-level
    API (half the cost of ``h5.attrs``), each checked before it is read, not the whole
    header.
    """
    return identity_of(read_attributes(h5, IDENTITY), path)


def identity_of(attrs: Mapping[str, object], path: Path) -> LayerFileHeader:
    """:func:`checked_header` of a file's root attributes (read, or from its index)."""
    check_format(attrs, path)
    missing = [name for name in IDENTITY[3:] if name not in attrs]
    if missing:
        raise SessionReadError(path, f"damaged header: no attribute {missing[0]!r}")
    with reading(path, "header"):
        header = LayerFileHeader(
            session_id=str(attrs["session_id"]),
            client_id=str(attrs["client_id"]),
            mesh_hash=str(attrs["mesh_sha256"]),
            n_vertices=checked_vertex_count(attrs["n_vertices"]),
        )
        draft = bool(checked_count(attrs["draft"], "draft", 1))
    if header.session_id != path.stem:
        raise SessionReadError(path, f"holds session {header.session_id!r}, not {path.stem!r}")
    if header.client_id != path.parent.name:
        raise SessionReadError(path, f"belongs to client {header.client_id!r}, not the folder's")
    if draft:
        raise SessionReadError(path, "is an autosave draft in the sessions folder")
    return header


IDENTITY = ("format", "schema_version", "app_version", "session_id", "client_id",
            "mesh_sha256", "n_vertices", "draft")  # fmt: skip


def checked_tag(tag: str) -> str:
    """``tag`` if it can name a layer dataset (a key, never a path); else StoreError."""
    if not isinstance(tag, str) or not tag or "/" in tag or tag in (".", ".."):
        raise StoreError(f"{tag!r} is not a tag key")
    return tag


def _layer(h5: h5py.File, path: Path, tag: str, n_vertices: int) -> np.ndarray | None:
    """The layer's values; ``None`` when the file has no such layer (not painted)."""
    with reading(path, f"layer {tag!r}"):
        return read_layer(h5, tag, n_vertices)


@guarded
def read_layer_set_file(
    path: Path, tags: list[str] | tuple[str, ...] | None = None, data: bytes | None = None
) -> tuple[dict[str, np.ndarray], LayerFileHeader]:
    """Every painted layer of a session file (or those of ``tags`` that it has)."""
    with open_file(path, data) as h5:
        header = checked_header(h5, path)
        with reading(path, "layers"):
            layers = h5.get("layers")
            if layers is not None:
                check_hard_link(h5, "layers")
                check_members(layers, "layers", MAX_LAYERS)
            stored = list(layers) if layers is not None else []
        wanted = stored if tags is None else [checked_tag(t) for t in tags if t in stored]
        found = {t: _layer(h5, path, t, header.n_vertices) for t in wanted}
        return {t: v for t, v in found.items() if v is not None}, header


@guarded
def read_rhythm_and_events(
    path: Path, data: bytes | None = None
) -> tuple[list[RhythmReading], dict[str, int]]:
    """A session file's rhythm readings, and how many events of each kind it holds."""
    with open_file(path, data) as h5:
        checked_header(h5, path)
        with reading(path, "rhythm or events"):
            readings = [RhythmReading.from_dict(d) for d in read_json(h5, "rhythm", list)]
            kinds = Counter(str(e["kind"]) for e in read_json(h5, "events", list))
    return readings, dict(sorted(kinds.items()))


@guarded
def read_tag_names(path: Path, data: bytes | None = None) -> dict[str, str]:
    """Tag key -> name, from a session file's tag set (names are the practitioner's)."""
    with open_file(path, data) as h5:
        checked_header(h5, path)
        with reading(path, "tag set"):
            return {str(t["key"]): str(t["name"]) for t in read_json(h5, "tags", list)}


def read_json(h5: h5py.File, name: str, kind: type):
    """The JSON text dataset ``name``, bounded, which must parse to a ``kind``."""
    return json_of(read_text(h5, name), name, kind)


def json_of(text: str, name: str, kind: type):
    """The JSON record ``name`` (its ``text``, bounded), which must parse to a ``kind``."""
    value = parse_json(text, name)
    if not isinstance(value, kind):
        raise Refused(f"{name} is not a JSON {kind.__name__}")
    return value


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


def trend_info(h5: h5py.File, path: Path, n_layers: int) -> tuple[SessionInfo, int]:
    """The listing entry and vertex count, from the root attributes trends need."""
    header = checked_header(h5, path)
    with reading(path, "header"):
        attrs = read_attributes(h5, ("started", "practitioner", "finalised_at", "topology_id"))
    return trend_info_of(header, attrs, path, n_layers)


def trend_info_of(
    header: LayerFileHeader, attrs: Mapping[str, object], path: Path, n_layers: int
) -> tuple[SessionInfo, int]:
    """:func:`trend_info` from a checked identity and the root attributes."""
    with reading(path, "header"):
        started = datetime.fromisoformat(str(attrs["started"]))
        practitioner = str(attrs["practitioner"])
        finalised_at = parse_time(str(attrs["finalised_at"]))
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
        topology_id=str(attrs.get("topology_id", "")),
    )
    return info, header.n_vertices
