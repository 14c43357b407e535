"""The VTK scene behind a narrow interface: one body, its vertex colours, cameras, picking.

The UI and the exports talk to :class:`BodyScene` only; nothing above the render layer
touches ``vtk*`` objects. It wraps a ``pyvista.Plotter`` it is given (off-screen, or a
``pyvistaqt.QtInteractor``) and never imports Qt. A screenshot renders the VTK window
itself: after a shown widget's repaint the buffer read back may hold the frame before.

Performance rules:

* the mesh is added once; colour changes are written in place into the point array, and
  another body on the same faces (a client's other shipped body) reshapes it in place;
* vertex normals are stored on the polydata and the actor uses Phong interpolation, rather
  than ``smooth_shading=True``, which would re-run the normals filter on every colour change;
* back faces are culled on a closed body wound outward (``BodyMesh.closed`` and
  ``wound_outward``): the same picture from half the triangles, which software GL
  otherwise keeps for every frame;
* picking casts the camera ray into the body's own triangles, grouped by blocks of its
  spatial order (:class:`~bodymap.core.surface_query.SurfaceQuery`, built once per shape on
  the first pick), never ``vtkCellPicker`` (brute force, and re-computes bounds) or hardware
  selection; a ``vtkStaticCellLocator`` picked in 0.04 ms at 1M (this: about 0.25 ms) but
  held about 140 MiB there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonDataModel import vtkVector3d
from vtkmodules.vtkRenderingCore import vtkProp

from bodymap.core.colors import base_colors
from bodymap.core.mesh import BodyMesh
from bodymap.core.surface_query import SurfaceQuery
from bodymap.core.views import Camera, StandardView, camera_for_view, frame_box
from bodymap.render.interaction import camera_drags
from bodymap.render.projection import pixels_per_metre, world_to_display

BACKGROUND_TOP = "#f6f6f5"
BACKGROUND_BOTTOM = "#d5d8db"
DARK_BACKGROUND_TOP = "#3a3d42"
DARK_BACKGROUND_BOTTOM = "#1e1f22"
"""The dark scheme's gradient: the skin stays readable against it, as on the light one."""
COLORS_ARRAY = "colors"
NORMALS_ARRAY = "Normals"
BODY_ACTOR = "body"


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


@dataclass(frozen=True, eq=False)
class ViewRay:
    """Where the camera looks from, as plain numbers.

    Attributes
    ----------
    position : (3,) float array
        The camera's position in world coordinates.
    direction : (3,) float array
        Unit direction of projection (from the camera into the scene).
    parallel : bool
        True for a parallel (orthographic) projection: every ray has ``direction``.
    """

    position: np.ndarray
    direction: np.ndarray
    parallel: bool

    def depth(self, points: np.ndarray) -> np.ndarray:
        """Distance of points in front of the camera along ``direction``, (K,)."""
        return (np.atleast_2d(np.asarray(points, dtype=float)) - self.position) @ self.direction

    def toward_camera(self, points: np.ndarray) -> np.ndarray:
        """Unit vectors from points toward the eye, (K, 3): facing tests use their sign."""
        points = np.atleast_2d(np.asarray(points, dtype=float))
        if self.parallel:
            return np.tile(-self.direction, (len(points), 1))
        offsets = self.position - points
        return offsets / np.linalg.norm(offsets, axis=1, keepdims=True)


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
        self._actor = None
        self._surface: SurfaceQuery | None = None
        self._polydata: pv.PolyData | None = None
        self._view: StandardView | None = None
        plotter.set_background(BACKGROUND_BOTTOM, top=BACKGROUND_TOP)

    @property
    def mesh(self) -> BodyMesh | None:
        return self._mesh

    def set_dark_background(self, dark: bool) -> None:
        """Use the dark (or the light) background gradient, to match the system's scheme."""
        top, bottom = (
            (DARK_BACKGROUND_TOP, DARK_BACKGROUND_BOTTOM)
            if dark
            else (BACKGROUND_TOP, BACKGROUND_BOTTOM)
        )
        self._plotter.set_background(bottom, top=top)

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
        """Show ``mesh`` (replacing any other) in its resting colours, from ``view`` (no render;
        the picking structure is built on the first pick)."""
        if self._reshape(mesh):
            self._show_shape(mesh, view)
            return
        # VTK wraps the mesh's own (read-only, never changed) arrays: no second copy, and
        # the scene keeps the mesh, so they live as long as the polydata.
        polydata = pv.PolyData.from_regular_faces(mesh.vertices, mesh.faces)
        polydata.point_data[NORMALS_ARRAY] = mesh.vertex_normals
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
            render=False,  # the caller draws the frame: one render, not two
        )
        actor.prop.interpolation = "phong"  # smooth shading from the stored normals
        self._actor = actor
        self._polydata = polydata
        self._colors = np.asarray(polydata.point_data[COLORS_ARRAY])
        self._colors_vtk = polydata.GetPointData().GetArray(COLORS_ARRAY)
        self._show_shape(mesh, view)

    def _reshape(self, mesh: BodyMesh) -> bool:
        """Give the body shown ``mesh``'s shape and resting colours in place if it has the
        same faces (another shipped body: no new actor); ``False`` for another topology."""
        shown, polydata = self._mesh, self._polydata
        if shown is None or polydata is None or shown.faces.shape != mesh.faces.shape:
            return False
        if shown.faces is not mesh.faces and not np.array_equal(shown.faces, mesh.faces):
            return False
        polydata.points = mesh.vertices  # wrapped, not copied, as in set_mesh
        polydata.point_data[NORMALS_ARRAY] = mesh.vertex_normals
        polydata.GetPointData().SetActiveNormals(NORMALS_ARRAY)
        self._colors[:] = base_colors(mesh)
        self._colors_vtk.Modified()
        return True

    def _show_shape(self, mesh: BodyMesh, view: StandardView) -> None:
        self._mesh = mesh
        # Culled only where hidden: a body wound inward would show its inside, and one
        # with holes (a scan) the background through them.
        self._actor.prop.SetBackfaceCulling(mesh.closed and mesh.wound_outward)
        self._surface = None  # the old one searches the old shape
        self.set_view(view)

    def _surface_query(self) -> SurfaceQuery:
        """The body's picking structure, built on first use (about 0.1 s at 168k vertices:
        a switch never waits); colour writes never touch it."""
        if self._surface is None:
            self._surface = SurfaceQuery(self._require_mesh())
        return self._surface

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
        if self._mesh is None:
            return None
        width, height = self._plotter.render_window.GetSize()
        if not (0 <= x < width and 0 <= y < height):
            return None
        renderer = self._plotter.renderer
        display_y = height - 1 - y  # VTK's display origin is the bottom-left corner
        near = renderer.DisplayToWorld(vtkVector3d(x, display_y, 0.0))
        far = renderer.DisplayToWorld(vtkVector3d(x, display_y, 1.0))
        hit = self._surface_query().first_hit(np.array(near), np.array(far))
        if hit is None:
            return None
        face_id, hit_point = hit.face_id, hit.point
        face = self._mesh.faces[face_id]
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
        ids = np.asarray(vertex_ids, dtype=np.intp)
        rgba = np.asarray(rgba, dtype=np.uint8)
        # One 4-byte word a vertex: six times faster than writing (K, 4) rows.
        words = np.ascontiguousarray(np.broadcast_to(rgba, (len(ids), 4))).view(np.uint32)
        self._colors.view(np.uint32)[ids, 0] = words[:, 0]
        self._colors_vtk.Modified()  # the one O(N) step left: VTK re-uploads the array

    def enable_camera_interaction(self) -> None:
        """Let the mouse turn the camera (see :func:`bodymap.render.interaction.camera_drags`)."""
        camera_drags(self._plotter)

    def viewpoint(self) -> ViewRay:
        """The camera's position, unit direction of projection and projection kind."""
        camera = self._plotter.camera
        return ViewRay(
            position=np.array(camera.GetPosition()),
            direction=np.array(camera.GetDirectionOfProjection()),
            parallel=bool(camera.GetParallelProjection()),
        )

    def world_to_display(self, points: np.ndarray) -> np.ndarray:
        """Project world points to window pixels for the current camera: (K, 2) ``(x, y)``
        in device pixels from the top-left corner, as :meth:`pick` takes them; NaN for
        points at or behind the camera's eye (see :mod:`bodymap.render.projection`)."""
        return world_to_display(self._plotter.renderer, self.window_size(), points)

    def pixels_per_metre(self, point: np.ndarray) -> float:
        """On-screen scale at a world point: device pixels per metre across the view."""
        return pixels_per_metre(self._plotter.renderer, self.window_size(), point)

    def closest_points(self, points: np.ndarray) -> np.ndarray:
        """Snap points onto the body surface (the nearest surface point of each), (K, 3)."""
        return self.closest_points_with_faces(points)[0]

    def closest_points_with_faces(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest surface point of each point and the triangle it lies on.

        Uses the structure kept for picking (exact: see
        :class:`~bodymap.core.surface_query.SurfaceQuery`).

        Returns
        -------
        closest : (K, 3) float array
        face_ids : (K,) int array
        """
        if self._mesh is None:
            raise RuntimeError("the scene has no mesh yet")
        return self._surface_query().closest(points)

    def add_overlay(self, actor: vtkProp, name: str) -> None:
        """Show an unpickable overlay actor (brush ring, markers); replaces one named alike."""
        actor.PickableOff()
        self._plotter.add_actor(actor, reset_camera=False, name=name, pickable=False, render=False)

    def remove_overlay(self, actor: vtkProp) -> None:
        """Take an overlay actor added with :meth:`add_overlay` out of the scene."""
        self._plotter.remove_actor(actor, reset_camera=False, render=False)

    def render(self) -> None:
        """Draw a frame now."""
        self._render_window()

    def _render_window(self) -> None:
        if getattr(self._plotter, "_first_time", False):
            # pyvista ignores render() on a Plotter never shown: the off-screen case.
            self._plotter.show(auto_close=False, interactive=False)
        else:
            self._plotter.render()

    def screenshot(self) -> np.ndarray:
        """The pixels of a render of the VTK window itself, (H, W, 3) uint8, top row first."""
        self._render_window()
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
