"""Sessions with every field filled in, for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from bodymap.core.annotations import ForceVector, Pin, SurfacePoint
from bodymap.core.session import (
    RhythmReading,
    Session,
    SessionEvent,
    SoapNotes,
    StrokeRecord,
)
from bodymap.core.views import Camera

MESH_HASH = "ab" * 32
OTHER_MESH = "cd" * 32
NOTE_MARKER = "Zebrafish-Quasar-7731"
"""A distinctive string written into notes: it must never reach the audit log."""


def full_session(client_id: str, n_vertices: int = 200, seed: int = 0) -> Session:
    """A session with paint in several layers, pins, vectors, events, readings, strokes."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    session = Session(client_id, MESH_HASH, n_vertices, practitioner="Zoë Ångström", started=start)
    values = session.overlays.values
    for column in (0, 2, 3):
        ids = rng.choice(n_vertices, n_vertices // 4, replace=False)
        values[ids, column] = rng.integers(1, 101, len(ids))
    at = SurfacePoint((0.1, 1.5, 0.05), 7)
    session.pins["p1"] = Pin(at, "pain", note=f"sharp — {NOTE_MARKER}", said="«ça fait mal»",
                             emotion="fear", id="p1")  # fmt: skip
    session.pins["p2"] = Pin(
        SurfacePoint((0.0, 1.0, 0.1), 3), "energy_cyst", cyst_origin="emotional trauma",
        cyst_state="active", id="p2",
    )  # fmt: skip
    session.vectors["v1"] = ForceVector(at, SurfacePoint((0.2, 1.1, 0.0), 9), note="fall", id="v1")
    session.events = [
        SessionEvent("still_point", start + timedelta(minutes=5), note="CV-4", id="e1"),
        SessionEvent(
            "emotional_release", start + timedelta(minutes=20), dialogue="我很害怕", at=at, id="e2"
        ),  # fmt: skip
    ]
    session.notes = SoapNotes(
        subjective=f"headaches 🙂 {NOTE_MARKER}", objective="restricted\nsacrum",
        assessment="ok", plan="2 weeks",
    )  # fmt: skip
    session.rhythm = [
        RhythmReading("head", "both", rate=8.0, amplitude=4.5, symmetry="even"),
        RhythmReading("heels", "left", quality="sluggish"),
    ]
    session.strokes = [stroke(rng, start, k) for k in (0, 1, 5)]
    session.camera = Camera(np.array([0.0, 1.0, 3.0]), np.zeros(3), np.array([0.0, 1.0, 0.0]),
                            30.0, 0.9)  # fmt: skip
    session.carried_over_from = "s-previous"
    return session


def stroke(rng: np.random.Generator, time: datetime, k: int) -> StrokeRecord:
    """A stroke of ``k`` dabs (``k == 0``: a fill, with empty arrays)."""
    return StrokeRecord(
        time=time,
        kind="fill" if k == 0 else "paint",
        tags=("pain", "heat") if k else ("restriction",),
        intensity=6.5,
        radius=0.04,
        soft=bool(k % 2),
        mirror=k == 5,
        path=rng.random((k, 3), dtype=np.float32),
        seeds=rng.integers(0, 200, k).astype(np.int32),
        pressure=rng.random(k, dtype=np.float32),
        view_position=(0.0, 1.2, 2.5),
        view_direction=(0.0, 0.0, 1.0),
        parallel=k == 1,
        region="occipital" if k == 0 else "",
    )


def last_change(store) -> dict:
    """The audit entry of the store's last change (its intent; commits and rollbacks and
    plain log entries such as ``open`` are skipped over only when they close a change)."""
    entries = store.audit.entries()
    return [e for e in entries if e["action"] not in ("commit", "rollback")][-1]
