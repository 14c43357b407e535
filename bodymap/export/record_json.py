"""The JSON export of a session and of a client's whole record, and reading it back.

Format ``bodymap-export``, version 1, described in ``docs/EXPORT_FORMAT.md`` (keep the two
in step). Layers are sparse: per painted tag, the ids of the painted vertices and their
stored values (intensity = value / ``value_scale``), with the mesh's SHA-256 so that the ids
are only ever read against the body they were painted on. Everything a session file holds
is there (stroke log and camera included) except the thumbnail, so that
``read_session_json(path).same_record(original)`` holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

import bodymap
from bodymap.core.annotations import ForceVector, Pin
from bodymap.core.overlays import MAX_VALUE, VALUE_SCALE, Overlays
from bodymap.core.session import (
    Client,
    RhythmReading,
    Session,
    SessionEvent,
    SoapNotes,
    StrokeRecord,
)
from bodymap.core.tags import TagSet
from bodymap.export.clips import clips_to_dicts
from bodymap.export.errors import RecordFormatError
from bodymap.store.amendments import Amendment
from bodymap.store.session_codec import camera_from_dict, camera_to_dict, stroke_fields

EXPORT_FORMAT = "bodymap-export"
EXPORT_VERSION = 1
"""Bumped on any change an older reader would misread; readers refuse newer versions."""
SESSION_KIND = "session"
CLIENT_KIND = "client-record"
AMENDMENT_FIELDS = (
    "id",
    "session_id",
    "client_id",
    "created",
    "author",
    "section",
    "text",
    "original_sha256",
)


def dumps(value) -> str:
    """Compact UTF-8 JSON (the files are for programs; ``jq .`` pretty-prints them)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def envelope(kind: str) -> dict:
    """The fields every export file starts with."""
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "kind": kind,
        "app_version": bodymap.__version__,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# ----- writing -----------------------------------------------------------------------------
def session_to_dict(session: Session) -> dict:
    """Everything recorded in a session, JSON-ready."""
    return {
        "id": session.id,
        "client_id": session.client_id,
        "practitioner": session.practitioner,
        "started": session.started.isoformat(),
        "finalised_at": _iso(session.finalised_at),
        "carried_over_from": session.carried_over_from,
        "mesh": {"sha256": session.mesh_hash, "n_vertices": session.n_vertices},
        "tags": session.tags.to_list(),
        "layers": layers_to_dict(session.overlays),
        "pins": {key: pin.to_dict() for key, pin in session.pins.items()},
        "vectors": {key: vector.to_dict() for key, vector in session.vectors.items()},
        "events": [event.to_dict() for event in session.events],
        "notes": session.notes.to_dict(),
        "rhythm": [reading.to_dict() for reading in session.rhythm],
        "camera": camera_to_dict(session.camera),
        "strokes": [_stroke_to_dict(stroke) for stroke in session.strokes],
        "clips": clips_to_dicts(session),  # spoken notes without their audio
    }


def layers_to_dict(overlays: Overlays) -> dict:
    """Painted layers only, sparse: ``{"value_scale", "items": [{tag, vertex_ids, values}]}``."""
    items = []
    for key in overlays.painted_keys():
        layer = overlays.layer(key)
        ids = np.flatnonzero(layer)
        items.append({"tag": key, "vertex_ids": ids.tolist(), "values": layer[ids].tolist()})
    return {"value_scale": VALUE_SCALE, "max_value": MAX_VALUE, "items": items}


def amendment_to_dict(amendment: Amendment) -> dict:
    content = amendment.content()
    return {name: content[name] for name in AMENDMENT_FIELDS}


def session_entry(session: Session, amendments=(), file_sha256: str | None = None) -> dict:
    """A session with its amendments and the SHA-256 of its stored file."""
    return {
        "session": session_to_dict(session),
        "amendments": [amendment_to_dict(a) for a in amendments],
        "session_file_sha256": file_sha256,
    }


def session_document(session: Session, amendments=(), file_sha256: str | None = None) -> dict:
    """The whole ``kind = "session"`` export file."""
    return {**envelope(SESSION_KIND), **session_entry(session, amendments, file_sha256)}


def session_json_bytes(session: Session, amendments=(), file_sha256: str | None = None) -> bytes:
    return (dumps(session_document(session, amendments, file_sha256)) + "\n").encode("utf-8")


def _stroke_to_dict(stroke: StrokeRecord) -> dict:
    return {
        **stroke_fields(stroke),
        "path": np.asarray(stroke.path, dtype=np.float32).reshape(-1, 3).tolist(),
        "seeds": np.asarray(stroke.seeds, dtype=np.int32).tolist(),
        "pressure": np.asarray(stroke.pressure, dtype=np.float32).tolist(),
    }


def _iso(time: datetime | None) -> str | None:
    return None if time is None else time.isoformat()


# ----- reading -----------------------------------------------------------------------------
@dataclass
class SessionRecord:
    """A re-imported session with its amendments and the hash of the file it came from."""

    session: Session
    amendments: list[Amendment] = field(default_factory=list)
    file_sha256: str | None = None


@dataclass
class ClientRecord:
    """A re-imported client record: the client, every readable session, the unreadable ids."""

    client: Client
    sessions: list[SessionRecord]
    unreadable: list[dict]


def read_session_json(path: Path) -> Session:
    """The session in a ``kind = "session"`` export file.

    Raises
    ------
    RecordFormatError
        Not such a file, damaged, or written by a newer BodyMap.
    """
    return read_session_record(path).session


def read_session_record(path: Path) -> SessionRecord:
    """The session in a session export, with its amendments and file hash."""
    document = _load(Path(path), SESSION_KIND)
    return _guarded(path, lambda: session_record_from(document))


def read_client_json(path: Path) -> ClientRecord:
    """The client record in a ``kind = "client-record"`` export file."""
    document = _load(Path(path), CLIENT_KIND)

    def build() -> ClientRecord:
        return ClientRecord(
            client=Client.from_dict(document["client"]),
            sessions=[session_record_from(entry) for entry in document["sessions"]],
            unreadable=[dict(item) for item in document.get("unreadable_sessions", [])],
        )

    return _guarded(path, build)


def session_record_from(entry: dict) -> SessionRecord:
    return SessionRecord(
        session=session_from_dict(entry["session"]),
        amendments=[_amendment_from(item) for item in entry.get("amendments", [])],
        file_sha256=entry.get("session_file_sha256"),
    )


def session_from_dict(data: dict) -> Session:
    """A :class:`Session` from :func:`session_to_dict`'s output (checked)."""
    n_vertices = int(data["mesh"]["n_vertices"])
    tags = TagSet.from_list(data["tags"])
    layers = _layers_from(data["layers"], n_vertices)
    overlays = Overlays(n_vertices, tags.keys() + [k for k in layers if k not in tags])
    for key, values in layers.items():
        overlays.set_layer(key, values)
    finalised = data.get("finalised_at")
    return Session(
        client_id=str(data["client_id"]),
        mesh_hash=str(data["mesh"]["sha256"]),
        n_vertices=n_vertices,
        practitioner=str(data.get("practitioner", "")),
        started=datetime.fromisoformat(data["started"]),
        id=str(data["id"]),
        tags=tags,
        overlays=overlays,
        pins={str(k): Pin.from_dict(v) for k, v in data.get("pins", {}).items()},
        vectors={str(k): ForceVector.from_dict(v) for k, v in data.get("vectors", {}).items()},
        events=[SessionEvent.from_dict(e) for e in data.get("events", [])],
        notes=SoapNotes.from_dict(data.get("notes", {})),
        rhythm=[RhythmReading.from_dict(r) for r in data.get("rhythm", [])],
        strokes=[_stroke_from(s) for s in data.get("strokes", [])],
        camera=camera_from_dict(data.get("camera")),
        carried_over_from=data.get("carried_over_from") or None,
        finalised_at=datetime.fromisoformat(finalised) if finalised else None,
    )


def _layers_from(data: dict, n_vertices: int) -> dict[str, np.ndarray]:
    if int(data.get("value_scale", VALUE_SCALE)) != VALUE_SCALE:
        raise ValueError(f"layers use value_scale {data['value_scale']}, expected {VALUE_SCALE}")
    layers = {}
    for item in data["items"]:
        key = str(item["tag"])
        ids = np.asarray(item["vertex_ids"], dtype=np.int64).reshape(-1)
        values = np.asarray(item["values"], dtype=np.int64).reshape(-1)
        if ids.shape != values.shape:
            raise ValueError(f"layer {key!r}: {ids.size} vertex ids but {values.size} values")
        if ids.size and (ids.min() < 0 or ids.max() >= n_vertices):
            raise ValueError(f"layer {key!r} names vertices outside the mesh (0..{n_vertices - 1})")
        if np.any(np.diff(ids) <= 0):
            raise ValueError(f"layer {key!r}: vertex ids are not strictly increasing")
        if values.size and (values.min() < 0 or values.max() > MAX_VALUE):
            raise ValueError(f"layer {key!r} holds values outside 0..{MAX_VALUE}")
        if key in layers:
            raise ValueError(f"layer {key!r} appears twice")
        layer = np.zeros(n_vertices, dtype=np.uint8)
        layer[ids] = values
        layers[key] = layer
    return layers


def _stroke_from(data: dict) -> StrokeRecord:
    return StrokeRecord(
        time=datetime.fromisoformat(data["time"]),
        kind=str(data["kind"]),
        tags=tuple(str(t) for t in data["tags"]),
        intensity=float(data["intensity"]),
        radius=float(data["radius"]),
        soft=bool(data["soft"]),
        mirror=bool(data["mirror"]),
        path=np.asarray(data["path"], dtype=np.float32).reshape(-1, 3),
        seeds=np.asarray(data["seeds"], dtype=np.int32).reshape(-1),
        pressure=np.asarray(data["pressure"], dtype=np.float32).reshape(-1),
        view_position=tuple(float(c) for c in data["view_position"]),
        view_direction=tuple(float(c) for c in data["view_direction"]),
        parallel=bool(data["parallel"]),
        region=str(data.get("region", "")),
    )


def _amendment_from(data: dict) -> Amendment:
    fields = {name: data[name] for name in AMENDMENT_FIELDS}
    fields["created"] = datetime.fromisoformat(fields["created"])
    return Amendment(**fields)


def _load(path: Path, kind: str) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordFormatError(f"no file {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RecordFormatError(f"{path.name}: not a BodyMap JSON export ({error})") from error
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise RecordFormatError(
            f"{path.name}: not a BodyMap JSON export (format is not {EXPORT_FORMAT!r})"
        )
    version = document.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise RecordFormatError(f"{path.name}: damaged export (no valid format_version)")
    if version > EXPORT_VERSION:
        raise RecordFormatError(
            f"{path.name}: written by a newer BodyMap (format version {version}; this one reads "
            f"{EXPORT_VERSION}): update BodyMap to read it"
        )
    if document.get("kind") != kind:
        raise RecordFormatError(
            f"{path.name}: a {document.get('kind')!r} export, not a {kind!r} export"
        )
    return document


def _guarded(path, build):
    try:
        return build()
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RecordFormatError(f"{Path(path).name}: damaged export ({error!r})") from error
