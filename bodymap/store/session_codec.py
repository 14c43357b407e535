"""A :class:`~bodymap.core.session.Session` to and from the contents of a session file.

The layout is documented in ``docs/SESSION_FORMAT.md``; keep the two in step. Structured
records (tags, pins, vectors, events, notes, rhythm readings, camera, the stroke log's
per-stroke fields) are UTF-8 JSON text datasets, readable in ``h5dump`` and HDFView;
bulk numbers (layers, stroke paths, seeds, pressures, the thumbnail) are numeric arrays.
"""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np

import bodymap
from bodymap.core.annotations import ForceVector, Pin
from bodymap.core.overlays import VALUE_SCALE, Overlays
from bodymap.core.session import (
    RhythmReading,
    Session,
    SessionEvent,
    SoapNotes,
    StrokeRecord,
)
from bodymap.core.tags import TagSet
from bodymap.core.views import Camera
from bodymap.store.clip_codec import plan_clips
from bodymap.store.hdf5_image import FilePlan

SESSION_FORMAT = "bodymap-session"
SCHEMA_VERSION = 3
"""Bumped on any change an older reader would misread or lose on saving back.

2: the body a session was recorded on (``/body``) and its mesh's ``topology_id``. Files of
schema 1 still open: their body is ``{}`` and their topology unknown (``""``).
3: spoken notes (``/clips``, :mod:`bodymap.store.clip_codec`); older files have none."""
LENGTH_UNIT = "m"
LAYER_UNIT = "tenths of intensity: stored value / 10 = intensity 0-10"
STROKE_ARRAYS = {
    "path": (np.float32, (0, 3)),
    "seeds": (np.int32, (0,)),
    "pressure": (np.float32, (0,)),
}
"""Per-stroke arrays: dtype and the shape of an empty one."""


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def iso(time: datetime | None) -> str:
    """ISO 8601 text of a time, ``""`` for none."""
    return "" if time is None else time.isoformat()


def parse_time(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def session_plan(
    session: Session, saved_at: datetime, draft: bool = False, thumbnail: bytes | None = None
) -> FilePlan:
    """Everything a session file holds for ``session``, ready for ``build_image``."""
    plan = FilePlan()
    root = {
        "format": SESSION_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "app_version": bodymap.__version__,
        "session_id": session.id,
        "client_id": session.client_id,
        "started": iso(session.started),
        "practitioner": session.practitioner,
        "mesh_sha256": session.mesh_hash,
        "n_vertices": session.n_vertices,
        "carried_over_from": session.carried_over_from or "",
        "finalised_at": iso(session.finalised_at),
        "draft": int(draft),
        "saved_at": iso(saved_at),
        "length_unit": LENGTH_UNIT,
        "topology_id": session.topology_id,
    }
    for name, value in root.items():
        plan.attr("/", name, value)
    _plan_layers(plan, session.overlays)
    plan.text("/tags", _json(session.tags.to_list()))
    plan.text("/pins", _json({key: pin.to_dict() for key, pin in session.pins.items()}))
    plan.text("/vectors", _json({key: v.to_dict() for key, v in session.vectors.items()}))
    plan.text("/events", _json([event.to_dict() for event in session.events]))
    plan.text("/notes", _json(session.notes.to_dict()))
    plan.text("/rhythm", _json([reading.to_dict() for reading in session.rhythm]))
    plan.text("/camera", _json(camera_to_dict(session.camera)))
    plan.text("/body", _json(session.body))
    _plan_strokes(plan, session.strokes)
    plan_clips(plan, session.clips)
    if thumbnail is not None:
        plan.array("/thumbnail", np.frombuffer(bytes(thumbnail), dtype=np.uint8), compress=False)
        plan.attr("/thumbnail", "mime_type", "image/png")
    return plan


def _plan_layers(plan: FilePlan, overlays: Overlays) -> None:
    plan.attr("/layers", "unit", LAYER_UNIT)
    plan.attr("/layers", "value_scale", VALUE_SCALE)
    # One transposed copy is far faster than a strided copy per column ((N, C) is row-major).
    columns = np.ascontiguousarray(overlays.values.T)
    painted = columns.max(axis=1, initial=0) > 0  # max: far faster than any() on bytes
    for key, column, stored in zip(overlays.keys, columns, painted, strict=True):
        if stored:  # only painted layers are stored: all-zero layers mean "absent"
            plan.array(f"/layers/{key}", column, sparse=True)


def _plan_strokes(plan: FilePlan, strokes: list[StrokeRecord]) -> None:
    plan.attr("/strokes", "count", len(strokes))
    plan.text("/strokes/log", _json([stroke_fields(s) for s in strokes]))
    for name, (dtype, empty) in STROKE_ARRAYS.items():
        parts = [np.asarray(getattr(s, name), dtype=dtype).reshape(-1, *empty[1:]) for s in strokes]
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        plan.array(f"/strokes/{name}", np.concatenate(parts) if parts else np.zeros(empty, dtype))
        plan.array(f"/strokes/{name}_offsets", offsets)


def stroke_fields(stroke: StrokeRecord) -> dict:
    """A stroke's fields other than its arrays, as JSON-ready values."""
    return {
        "time": iso(stroke.time),
        "kind": stroke.kind,
        "tags": list(stroke.tags),
        "intensity": float(stroke.intensity),
        "radius": float(stroke.radius),
        "soft": bool(stroke.soft),
        "mirror": bool(stroke.mirror),
        "view_position": [float(c) for c in stroke.view_position],
        "view_direction": [float(c) for c in stroke.view_direction],
        "parallel": bool(stroke.parallel),
        "region": stroke.region,
    }


def camera_to_dict(camera: Camera | None) -> dict | None:
    if camera is None:
        return None
    return {
        "position": [float(c) for c in camera.position],
        "focal_point": [float(c) for c in camera.focal_point],
        "up": [float(c) for c in camera.up],
        "view_angle": float(camera.view_angle),
        "parallel_scale": float(camera.parallel_scale),
    }


def camera_from_dict(data: dict | None) -> Camera | None:
    if data is None:
        return None
    return Camera(
        position=np.array(data["position"], dtype=float),
        focal_point=np.array(data["focal_point"], dtype=float),
        up=np.array(data["up"], dtype=float),
        view_angle=float(data["view_angle"]),
        parallel_scale=float(data["parallel_scale"]),
    )


def strokes_from(log: list[dict], arrays: dict[str, tuple[np.ndarray, np.ndarray]]) -> list:
    """Rebuild the stroke log from its JSON fields and its concatenated arrays + offsets."""
    strokes = []
    for index, fields in enumerate(log):
        parts = {
            name: values[offsets[index] : offsets[index + 1]].copy()
            for name, (values, offsets) in arrays.items()
        }
        strokes.append(
            StrokeRecord(
                time=datetime.fromisoformat(fields["time"]),
                kind=str(fields["kind"]),
                tags=tuple(str(t) for t in fields["tags"]),
                intensity=float(fields["intensity"]),
                radius=float(fields["radius"]),
                soft=bool(fields["soft"]),
                mirror=bool(fields["mirror"]),
                view_position=tuple(float(c) for c in fields["view_position"]),
                view_direction=tuple(float(c) for c in fields["view_direction"]),
                parallel=bool(fields["parallel"]),
                region=str(fields.get("region", "")),
                **parts,
            )
        )
    return strokes


def session_from_parts(
    header: dict, texts: dict[str, str], layers, strokes, clips: dict | None = None
) -> Session:
    """A :class:`Session` from its root attributes, JSON texts, layers, stroke log and
    spoken notes."""
    parsed = {name: json.loads(text) for name, text in texts.items()}
    tags = TagSet.from_list(parsed["tags"])
    n_vertices = int(header["n_vertices"])
    keys = tags.keys() + [key for key in layers if key not in tags]
    overlays = Overlays(n_vertices, keys)
    for key, values in layers.items():
        overlays.set_layer(key, values)
    return Session(
        client_id=str(header["client_id"]),
        mesh_hash=str(header["mesh_sha256"]),
        n_vertices=n_vertices,
        practitioner=str(header["practitioner"]),
        started=datetime.fromisoformat(header["started"]),
        id=str(header["session_id"]),
        tags=tags,
        overlays=overlays,
        pins={k: Pin.from_dict(d) for k, d in parsed["pins"].items()},
        vectors={k: ForceVector.from_dict(d) for k, d in parsed["vectors"].items()},
        events=[SessionEvent.from_dict(d) for d in parsed["events"]],
        notes=SoapNotes.from_dict(parsed["notes"]),
        rhythm=[RhythmReading.from_dict(d) for d in parsed["rhythm"]],
        strokes=strokes_from(parsed["strokes/log"], strokes),
        camera=camera_from_dict(parsed["camera"]),
        clips=dict(clips or {}),
        carried_over_from=str(header["carried_over_from"]) or None,
        finalised_at=parse_time(str(header["finalised_at"])),
        body=parsed.get("body") or {},
        topology_id=str(header.get("topology_id", "")),
    )
