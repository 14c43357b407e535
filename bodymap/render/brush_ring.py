"""The brush ring: a thin closed line lying on the body where the next dab will land.

One actor, made once; every :meth:`BrushRing.show` rewrites its points in place and marks
them modified, so moving the ring costs a closest-point query per ring point and no
pipeline rebuild.
"""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

from bodymap.render.scene import BodyScene

RING_ACTOR = "brush_ring"
RING_POINTS = 64
RING_LIFT = 0.0005
"""Metres the ring floats above the surface: keeps it out of the body's depth values."""
RING_RGB = (0.16, 0.16, 0.17)
"""Near-black: reads on pale skin and on saturated paint alike."""
RING_WIDTH = 2.0


class BrushRing:
    """The outline of the brush, drawn on the surface of a :class:`BodyScene`.

    Parameters
    ----------
    scene : BodyScene
        The scene to draw in; the ring is added to it at once, hidden.
    n_points : int
        Points on the ring (64 keeps a 10 cm ring round at any zoom).
    lift : float
        Metres the ring floats above the surface, along the surface normal.
    """

    def __init__(
        self, scene: BodyScene, n_points: int = RING_POINTS, lift: float = RING_LIFT
    ) -> None:
        self._scene = scene
        self._lift = float(lift)
        angles = np.linspace(0.0, 2.0 * np.pi, n_points, endpoint=False)
        self._cos = np.cos(angles)[:, None]
        self._sin = np.sin(angles)[:, None]
        # VTK reads this very buffer (deep=False): writing it moves the ring.
        self._points = np.zeros((n_points, 3))
        self._center: np.ndarray | None = None
        self._radius = 0.0
        self._vtk_points = vtkPoints()
        self._vtk_points.SetData(numpy_to_vtk(self._points, deep=False))
        lines = vtkCellArray()
        lines.InsertNextCell(n_points + 1)
        for point_id in [*range(n_points), 0]:  # closed: back to the first point
            lines.InsertCellPoint(point_id)
        polydata = vtkPolyData()
        polydata.SetPoints(self._vtk_points)
        polydata.SetLines(lines)
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(polydata)
        mapper.ScalarVisibilityOff()
        self._actor = vtkActor()
        self._actor.SetMapper(mapper)
        prop = self._actor.GetProperty()
        prop.SetColor(*RING_RGB)
        prop.SetLineWidth(RING_WIDTH)
        prop.LightingOff()  # flat: the same colour facing the light or not
        self._actor.VisibilityOff()
        scene.add_overlay(self._actor, RING_ACTOR)

    @property
    def visible(self) -> bool:
        return bool(self._actor.GetVisibility())

    @property
    def points(self) -> np.ndarray:
        """The ring's points as drawn, (n_points, 3), read-only."""
        view = self._points.view()
        view.setflags(write=False)
        return view

    def show(self, center: np.ndarray, normal: np.ndarray, radius: float) -> None:
        """Put the ring around ``center`` on the surface and show it (no render).

        Parameters
        ----------
        center : (3,) float array
            Where the brush lands (usually a pick hit).
        normal : (3,) float array
            The surface normal there; the circle starts in the plane perpendicular to it
            and each of its points is snapped to the nearest surface point.
        radius : float
            Brush radius in metres; zero or less hides the ring.
        """
        if radius <= 0:
            self.hide()
            return
        center = np.asarray(center, dtype=float)
        u, v = _tangent_basis(np.asarray(normal, dtype=float))
        circle = center + radius * (self._cos * u + self._sin * v)
        self._center, self._radius = center, float(radius)
        snapped, faces = self._scene.closest_points_with_faces(circle)
        face_normals = self._scene.mesh.face_normals(faces)
        np.add(snapped, self._lift * face_normals, out=self._points)
        self._vtk_points.Modified()
        self._actor.VisibilityOn()

    def follow(self, center: np.ndarray, radius: float) -> bool:
        """Move the ring shown last, as it is, to be centred on ``center`` (no snap, no
        render): what a stroke shows between two snaps. ``False`` when there is no such
        ring to move (hidden, or of another radius): :meth:`show` it instead."""
        if not self.visible or self._center is None or float(radius) != self._radius:
            return False
        center = np.asarray(center, dtype=float)
        self._points += center - self._center
        self._center = center
        self._vtk_points.Modified()
        return True

    def hide(self) -> None:
        """Hide the ring (no render)."""
        self._actor.VisibilityOff()

    def remove(self) -> None:
        """Take the ring out of the scene for good."""
        self._scene.remove_overlay(self._actor)


def _tangent_basis(normal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors spanning the plane perpendicular to ``normal``."""
    length = np.linalg.norm(normal)
    if not length > 0:
        raise ValueError("the brush normal cannot be zero")
    normal = normal / length
    helper = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(normal, helper)
    u /= np.linalg.norm(u)
    return u, np.cross(normal, u)
