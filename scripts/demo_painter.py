"""Painting the demo client's findings on the default body without a window.

Every stroke goes through the real brush and fill code (``BrushStroke``, ``fill``) with a
simple picker, so the stroke logs replay exactly (:mod:`bodymap.core.replay`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.spatial import cKDTree

from bodymap.core.annotations import SurfacePoint
from bodymap.core.atlas import Atlas
from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.brush_tool import BrushSettings, BrushStroke, fill
from bodymap.core.mesh import BodyMesh
from bodymap.core.mirror import mirror_map
from bodymap.core.painter import Painter
from bodymap.core.replay import place_vertices
from bodymap.core.session import Session
from bodymap.core.stroke_path import spacing_for

PX = 0.001  # the picker's "screen": one pixel is one millimetre in the view plane
PICK_RADIUS_M = 0.003
VIEW_DISTANCE_M = 3.0


@dataclass
class Hit:
    point: np.ndarray
    vertex_id: int


class ViewPicker:
    """Picks the body from the front or the back in parallel projection.

    Screen pixel (x, y) is the world point (x mm, y mm) in the view plane; the hit is the
    skin vertex nearest the viewer within 3 mm of that line of sight. Its position is a
    float32 vertex, so the stroke log stores dab centres exactly.
    """

    def __init__(self, mesh: BodyMesh, posterior: bool) -> None:
        self._mesh = mesh
        self._skin = np.flatnonzero(mesh.external)
        self._tree = cKDTree(mesh.vertices[self._skin, :2])
        self._sign = -1.0 if posterior else 1.0  # which way "toward the viewer" is along z
        self.viewpoint = Viewpoint(
            position=np.array([0.0, 0.0, self._sign * VIEW_DISTANCE_M]),
            direction=np.array([0.0, 0.0, -self._sign]),
            parallel=True,
        )

    def __call__(self, x: float, y: float) -> Hit | None:
        near = self._tree.query_ball_point([x * PX, y * PX], PICK_RADIUS_M)
        if not near:
            return None
        candidates = self._skin[np.asarray(near)]
        vertex = int(candidates[np.argmax(self._sign * self._mesh.vertices[candidates, 2])])
        return Hit(self._mesh.vertices[vertex].astype(np.float64), vertex)

    def surface_point(self, x: float, y: float) -> SurfacePoint:
        hit = self(x, y)
        if hit is None:
            raise ValueError(f"nothing of the body at ({x}, {y}) mm")
        return SurfacePoint(hit.point, hit.vertex_id)


@dataclass(frozen=True)
class Stroke:
    """A brush drag along ``points`` (mm in the view plane), as the practitioner might."""

    tag: str
    points: tuple[tuple[float, float], ...]
    intensity: float = 5.0
    radius: float = 0.02
    mode: str = "paint"
    posterior: bool = True
    mirror: bool = False
    soft: bool = True
    pressure: float = 1.0


@dataclass(frozen=True)
class Fill:
    """Fill (or clear) a region or a diaphragm band with one tag."""

    tag: str
    place: str
    intensity: float = 5.0
    mode: str = "paint"


class DemoPainter:
    """Paints :class:`Stroke` and :class:`Fill` specs into a session, logging each stroke."""

    def __init__(self, mesh: BodyMesh, atlas: Atlas) -> None:
        self.mesh, self.atlas = mesh, atlas
        self.geometry = BrushGeometry(mesh)
        self.mirror = mirror_map(mesh)
        self.pickers = {True: ViewPicker(mesh, True), False: ViewPicker(mesh, False)}

    def paint(self, session: Session, specs, start: datetime) -> None:
        painter = Painter(session.overlays)
        names = {t.key: t.name for t in session.tags}
        for minute, spec in enumerate(specs):
            settings = BrushSettings(
                spec.tag,
                spec.intensity,
                radius=getattr(spec, "radius", 0.02),
                soft=getattr(spec, "soft", True),
                mirror=getattr(spec, "mirror", False),
                mode=spec.mode,
            )
            if isinstance(spec, Fill):
                edit = self._fill(painter, settings, names, session, spec)
            else:
                edit = self._stroke(painter, settings, names, session, spec)
            if edit is None:
                raise ValueError(f"{spec} changed nothing: check its coordinates")
            # Fixed stroke times, so that the files are the same on every run.
            edit.record = dataclasses.replace(edit.record, time=start + timedelta(minutes=minute))
            edit.apply(session)

    def _stroke(self, painter, settings, names, session, spec: Stroke):
        picker = self.pickers[spec.posterior]
        stroke = BrushStroke(
            painter,
            self.geometry,
            settings,
            names[spec.tag],
            session.overlays.keys,
            picker,
            picker.viewpoint,
            spacing_for(settings.radius, 1.0 / PX),
            self.mirror,
        )
        first, *rest = spec.points
        stroke.press(*first, pressure=spec.pressure)
        for point in rest:
            stroke.move(*point, pressure=spec.pressure)
        return stroke.release()

    def _fill(self, painter, settings, names, session, spec: Fill):
        ids = place_vertices(spec.place, self.mesh, self.atlas)
        return fill(
            painter, settings, names[spec.tag], session.overlays.keys, ids, spec.place, spec.place
        )
