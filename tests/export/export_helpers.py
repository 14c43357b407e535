"""A painted session on the default body, with distinctive strings in every kind of text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyvista as pv

from bodymap.core.annotations import Pin, SurfacePoint
from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import RhythmReading, Session, SessionEvent, SoapNotes
from bodymap.core.tags import TagSet

CLIENT_NAME = "Ada Lovelace"
PRACTITIONER = "Zoë Ångström"
PIN_NOTE = "RUTABAGA5521"
SAID = "KUMQUAT4417"
EMOTION = "TANGERINE2290"
DIALOGUE = "PERSIMMON8843"
SOAP_MARKER = "PARSNIP3306"
EMOTIONAL = (SAID, EMOTION, DIALOGUE)
CHEST_REGION = "sternum"
BACK_REGION = "lumbar_l"


def region_vertices(atlas: Atlas, key: str) -> np.ndarray:
    index = [r.key for r in atlas.regions].index(key)
    return np.flatnonzero(atlas.region_index == index)


def ball_body() -> tuple[BodyMesh, Atlas]:
    """A small sphere with a front and a back region: renders in milliseconds."""
    sphere = pv.Icosphere(radius=0.3, nsub=3, center=(0.0, 1.0, 0.0))
    mesh = BodyMesh(np.asarray(sphere.points), sphere.regular_faces, name="ball")
    front = (mesh.vertices[:, 2] >= 0).astype(np.int16)
    atlas = Atlas(
        (Region("back", "Back", "midline", "trunk posterior"),
         Region("front", "Front", "midline", "trunk anterior")),
        (Band("waist", "Waist band"),),
        np.where(front > 0, 1, 0),
        np.where(np.abs(mesh.vertices[:, 1] - 1.0) < 0.05, 0, -1),
    )  # fmt: skip
    return mesh, atlas


def painted_session(
    mesh: BodyMesh,
    atlas: Atlas,
    client_id: str,
    front: str = CHEST_REGION,
    back: str = BACK_REGION,
    tags: TagSet | None = None,
) -> Session:
    """The front region painted with restriction (8), the back one with heat (10), and text."""
    start = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    session = Session(
        client_id, mesh.geometry_hash, mesh.n_vertices, practitioner=PRACTITIONER, started=start
    )
    if tags is not None:
        session.tags = tags
        session.overlays.ensure_layers(tags.keys())
    values = session.overlays.values
    values[region_vertices(atlas, front), session.overlays.column("restriction")] = 80
    values[region_vertices(atlas, back), session.overlays.column("heat")] = 100
    chest = int(region_vertices(atlas, front)[0])
    at = SurfacePoint(mesh.vertices[chest], chest)
    session.pins["p1"] = Pin(at, "restriction", note=PIN_NOTE, said=SAID, emotion=EMOTION,
                             technique="unwinding", id="p1")  # fmt: skip
    session.events = [
        SessionEvent("still_point", start + timedelta(minutes=5), note="CV-4", id="e1"),
        SessionEvent(
            "emotional_release", start + timedelta(minutes=20), dialogue=DIALOGUE, at=at, id="e2"
        ),  # fmt: skip
    ]
    session.notes = SoapNotes(subjective=f"Headaches {SOAP_MARKER}", plan="two weeks")
    session.rhythm = [RhythmReading("head", "both", rate=8.0, amplitude=4.5, symmetry="even")]
    return session


def export_entries(store) -> list[dict]:
    """The store's audit-log entries of exports."""
    return [e for e in store.audit.entries() if e["action"] == "export"]
