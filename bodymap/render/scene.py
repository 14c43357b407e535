"""The VTK scene behind a narrow interface: one body, its vertex colours, cameras, picking.

The UI (and later off-screen export) talks to :class:`BodyScene` only; nothing above the
render layer touches ``vtk*`` objects. The scene wraps a ``pyvista.Plotter`` it is given,
either an off-screen one or a ``pyvistaqt.QtInteractor`` (which is a Plotter), and never
imports Qt.

Performance rules (see ``shared/design/PERFORMANCE.md``):

* the mesh is added once; colour changes are written in place into the point array;
* vertex normals are stored on the polydata and the actor uses Phong interpolation, rather
  than ``smooth_shading=True``, which would re-run the normals filter on every colour change;
* picking casts the camera ray into a ``vtkStaticCellLocator`` built once per mesh, never
  ``vtkCellPicker`` (brute force, and re-computes bounds) or hardware selection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import reference
from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator, vtkVector3d

from bodymap.core.mesh import BodyMesh
from bodymap.core.views import Camera, StandardView, camera_for_view, frame_box

SKIN_RGBA = (226, 202, 186, 255)
INTERNAL_RGBA = (150, 120, 112, 255)
BACKGROUND_TOP = "#f6f6f5"
BACKGROUND_BOTTOM = "#d5d8db"
COLORS_ARRAY = "colors"
NORMALS_ARRAY = "Normals"
BODY_ACTOR = "body"
PICK_TOLERANCE = 1e-6
"""Ray-triangle tolerance as a share of the body's diagonal: a ray through a shared vertex
or edge must not slip between the triangles."""


@dataclass(frozen=True, eq=False)
class PickHit:
    """Where a screen point lands on the body.

    Attributes
    ----------
    point : (3,) float array
        The hit in world coordinates (metres).
    face_id : int
        The triangle that was hit.
    vertex_id : int
        The vertex of that triangle nearest to the hit.
    """

    point: np.ndarray
    face_id: int
    vertex_id: int


def base_colors(mesh: BodyMesh) -> np.ndarray:
    """The resting colours of a body: calm skin, internal cavities darker. (N, 4) uint8."""
    colors = np.empty((mesh.n_vertices, 4), dtype=np.uint8)
    colors[:] = SKIN_RGBA
    colors[mesh.internal] = INTERNAL_RGBA
    return colors


class BodyScene:
    """One body in a pyvista plotter: set the mesh, colour vertices, set views, pick, render.

    Parameters
    ----------
    plotter : pyvista.Plotter
        An off-screen ``pyvista.Plotter`` or a ``pyvistaqt.QtInteractor``. The caller owns
        it and closes it.
    """

    def __init__(self, plotter: pv.Plotter) -> None:
        self._plotter = plotter
        self._mesh: BodyMesh | None = None
        self._colors: np.ndarray | None = None
        self._colors_vtk = None
        self._locator: vtkStaticCellLocator | None = None
        self._pick_tolerance = 0.0
        self._view: StandardView | None = None
        plotter.set_background(BACKGROUND_BOTTOM, top=BACKGROUND_TOP)

    @property
    def mesh(self) -> BodyMesh | None:
        return self._mesh

    @property
    def view(self) -> StandardView | None:
        """The standard view last set (``None`` before any, or after a free fit)."""
        return self._view

    @property
    def colors(self) -> np.ndarray:
        """Read-only view of the per-vertex RGBA colours as drawn, (N, 4) uint8."""
        if self._colors is None:
            raise RuntimeError("the scene has no mesh yet")
        view = self._colors.view()
        view.setflags(write=False)
        return view

    def set_mesh(self, mesh: BodyMesh, view: StandardView = StandardView.ANTERIOR) -> None:
        """Show ``mesh`` (replacing any other) in its resting colours, from ``view``."""
        polydata = pv.PolyData.from_regular_faces(np.array(mesh.vertices), mesh.faces)
        polydata.point_data[NORMALS_ARRAY] = np.array(mesh.vertex_normals)  # VTK owns a copy
        polydata.GetPointData().SetActiveNormals(NORMALS_ARRAY)
        polydata.point_data[COLORS_ARRAY] = base_colors(mesh)
        actor = self._plotter.add_mesh(
            polydata,
            scalars=COLORS_ARRAY,
            rgb=True,
            show_scalar_bar=False,
            reset_camera=False,
            pickable=False,
            ambient=0.25,
            diffuse=0.75,
            specular=0.08,
            specular_power=15.0,
            name=BODY_ACTOR,
        )
        actor.prop.interpolation = "phong"  # smooth shading from the stored normals
        locator = vtkStaticCellLocator()
        locator.SetDataSet(polydata)
        locator.BuildLocator()
        self._mesh = mesh
        self._colors = np.asarray(polydata.point_data[COLORS_ARRAY])
        self._colors_vtk = polydata.GetPointData().GetArray(COLORS_ARRAY)
        self._locator = locator
        low, high = mesh.bounds
        self._pick_tolerance = PICK_TOLERANCE * float(np.linalg.norm(high - low))
        self.set_view(view)

    def set_view(self, view: StandardView) -> None:
        """Turn the camera to a standard view framing the body (or the head)."""
        mesh = self._require_mesh()
        low, high = mesh.bounds
        self.apply_camera(
            camera_for_view(view, low, high, aspect=self._aspect(), vertices=mesh.vertices)
        )
        self._view = view

    def fit_view(self) -> None:
        """Frame the whole body again, keeping the current viewing direction."""
        mesh = self._require_mesh()
        current = self._plotter.camera
        direction = np.subtract(current.position, current.focal_point)
        camera = frame_box(direction, current.up, *mesh.bounds, aspect=self._aspect())
        self.apply_camera(camera)
        self._view = None

    def apply_camera(self, camera: Camera) -> None:
        """Place the camera (does not render)."""
        target = self._plotter.camera
        target.position = tuple(camera.position)
        target.focal_point = tuple(camera.focal_point)
        target.up = tuple(camera.up)
        target.view_angle = camera.view_angle
        target.parallel_scale = camera.parallel_scale
        self._plotter.camera_set = True  # keep pyvista from resetting it on the first render
        self._plotter.renderer.ResetCameraClippingRange()

    def current_camera(self) -> Camera:
        """The camera as it is now (after any mouse interaction)."""
        camera = self._plotter.camera
        return Camera(
            position=np.array(camera.position),
            focal_point=np.array(camera.focal_point),
            up=np.array(camera.up),
            view_angle=float(camera.view_angle),
            parallel_scale=float(camera.parallel_scale),
        )

    def pick(self, x: float, y: float) -> PickHit | None:
        """The body under a screen point, or ``None`` off the body.

        Parameters
        ----------
        x, y : float
            Render-window pixels from the top-left corner (the Qt and image convention),
            in device pixels: multiply Qt's logical coordinates by the device pixel ratio.
        """
        if self._locator is None or self._mesh is None:
            return None
        width, height = self._plotter.render_window.GetSize()
        if not (0 <= x < width and 0 <= y < height):
            return None
        renderer = self._plotter.renderer
        display_y = height - 1 - y  # VTK's display origin is the bottom-left corner
        near = renderer.DisplayToWorld(vtkVector3d(x, display_y, 0.0))
        far = renderer.DisplayToWorld(vtkVector3d(x, display_y, 1.0))
        t, sub_id, cell_id = reference(0.0), reference(0), reference(-1)
        point, pcoords = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
        hit = self._locator.IntersectWithLine(
            tuple(near), tuple(far), self._pick_tolerance, t, point, pcoords, sub_id, cell_id
        )
        if not hit or int(cell_id) < 0:
            return None
        face_id = int(cell_id)
        face = self._mesh.faces[face_id]
        hit_point = np.array(point)
        nearest = np.argmin(np.linalg.norm(self._mesh.vertices[face] - hit_point, axis=1))
        return PickHit(point=hit_point, face_id=face_id, vertex_id=int(face[nearest]))

    def update_colors(self, vertex_ids: np.ndarray, rgba: np.ndarray) -> None:
        """Write colours for some vertices in place (no render).

        Parameters
        ----------
        vertex_ids : (K,) int array
        rgba : (4,) or (K, 4) uint8 array
        """
        if self._colors is None:
            raise RuntimeError("the scene has no mesh yet")
        self._colors[np.asarray(vertex_ids, dtype=np.intp)] = rgba
        self._colors_vtk.Modified()  # the one O(N) step left: VTK re-uploads the array

    def enable_camera_interaction(self) -> None:
        """Let the mouse turn the camera: the one place the interactor style is chosen.

        Left-drag rotates, middle-drag (or shift+left) pans, right-drag and the wheel zoom.
        Painting will later take the left button and move rotation to the right button.
        Keyboard handling is left to the application: pyvista's and VTK's own key bindings
        (``q`` and ``e`` close the window, ``3`` toggles stereo, ``w`` wireframe...) are
        switched off. Harmless on an off-screen plotter (nothing sends it events).
        """
        interactor = self._plotter.iren
        if interactor is None:
            return
        self._plotter.enable_trackball_style()
        interactor.clear_key_event_callbacks()
        # A style with its own CharEvent observer calls it instead of its built-in OnChar.
        interactor.style.AddObserver("CharEvent", _ignore_event)

    def render(self) -> None:
        """Draw the scene now."""
        if getattr(self._plotter, "_first_time", False):
            # pyvista ignores render() on a Plotter never shown: the off-screen case.
            self._plotter.show(auto_close=False, interactive=False)
        else:
            self._plotter.render()

    def screenshot(self) -> np.ndarray:
        """Render and return the window's pixels, (H, W, 3) uint8, top row first."""
        self.render()
        return np.asarray(self._plotter.screenshot(return_img=True))

    def window_size(self) -> tuple[int, int]:
        """(width, height) of the render window in device pixels."""
        width, height = self._plotter.render_window.GetSize()
        return int(width), int(height)

    def _aspect(self) -> float:
        width, height = self.window_size()
        return width / height if width > 0 and height > 0 else 1.0

    def _require_mesh(self) -> BodyMesh:
        if self._mesh is None:
            raise RuntimeError("the scene has no mesh yet")
        return self._mesh


def _ignore_event(*_args: object) -> None:
    """An observer that swallows the event it observes."""
