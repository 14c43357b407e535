"""Render the body off-screen: no window, no display needed.

VTK picks its OpenGL window at run time. With no X display (a server, a CI runner, the
command line over SSH) it would first try X, print a warning, and fall back to EGL; when
no display is set we ask for EGL directly (``VTK_DEFAULT_OPENGL_WINDOW``, VTK 9.4+), which
renders through the GPU or Mesa's software renderer. With a display (the app), the default
window class is kept.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType

import numpy as np
import pyvista as pv

from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.core.views import Camera, StandardView
from bodymap.render.markers import PinMarkers, VectorMarkers, session_marks
from bodymap.render.scene import BodyScene
from bodymap.render.session_view import PIN_PIXELS, PIN_SIZE_RANGE_M

EXPORT_BACKGROUND = "white"
"""Exports are printed: a white ground rather than the app's grey gradient."""


def prepare_headless() -> None:
    """Make VTK render without a display when there is none (idempotent).

    Only then is pyvista switched to off-screen as a whole (``pv.OFF_SCREEN``): with a
    display, the app's own Qt render windows must stay on screen, and the export's plotters
    are off-screen by their own argument.
    """
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        pv.OFF_SCREEN = True
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")


class OffscreenBody:
    """A body in an off-screen render window of a fixed size; use as a context manager.

    Parameters
    ----------
    mesh : BodyMesh
    size : (width, height)
        Pixels of every image it renders.
    """

    def __init__(self, mesh: BodyMesh, size: tuple[int, int]) -> None:
        prepare_headless()
        self.size = (int(size[0]), int(size[1]))
        self._plotter = pv.Plotter(off_screen=True, window_size=self.size)
        try:
            self.scene = BodyScene(self._plotter)
            self._plotter.set_background(EXPORT_BACKGROUND)
            self.scene.set_mesh(mesh)
        except BaseException:
            self._plotter.close()
            raise
        self._ids = np.arange(mesh.n_vertices)
        self._mesh = mesh
        self._marks: tuple[list, list] = ([], [])
        self._pins = PinMarkers(self.scene)
        self._vectors = VectorMarkers(self.scene)

    def resize(self, size: tuple[int, int]) -> None:
        """Render at ``size`` (width, height) from now on; the body stays loaded."""
        size = (int(size[0]), int(size[1]))
        if size != self.size:
            self._plotter.window_size = size
            self.size = size

    def set_colors(self, rgba: np.ndarray) -> None:
        """Colour every vertex, (N, 4) uint8."""
        self.scene.update_colors(self._ids, rgba)

    def set_markers(self, session: Session) -> None:
        """Draw ``session``'s pins and vectors on every image from now on, as the app does."""
        self._marks = session_marks(session, self._mesh.vertex_normals)

    def render(self, view: StandardView) -> np.ndarray:
        """The body from ``view``: (H, W, 3) uint8, top row first."""
        self.scene.set_view(view)
        return self._shot()

    def render_camera(self, camera: Camera) -> np.ndarray:
        """The body seen by ``camera`` (a close-up): (H, W, 3) uint8, top row first."""
        self.scene.apply_camera(camera)
        return self._shot()

    def _shot(self) -> np.ndarray:
        self._size_markers()
        image = self.scene.screenshot()
        if image.shape[:2] != (self.size[1], self.size[0]):  # a high-DPI window, rare
            raise RuntimeError(f"rendered {image.shape[1]}x{image.shape[0]}, not {self.size}")
        return np.ascontiguousarray(image[:, :, :3])

    def _size_markers(self) -> None:
        # Sized per view and window: a pin stays about PIN_PIXELS wide on every image,
        # and an arrow's shaft a third of that, so both read on paper.
        pins, vectors = self._marks
        if not (pins or vectors):
            return
        low, high = self._mesh.bounds
        scale = self.scene.pixels_per_metre((np.asarray(low) + np.asarray(high)) / 2)
        smallest, largest = PIN_SIZE_RANGE_M
        size = float(np.clip(PIN_PIXELS / scale, smallest, largest)) if scale > 0 else smallest
        self._pins.set_pins(pins, size=size)
        self._vectors.set_vectors(vectors, width=size / 3)

    def project(self, view: StandardView, points: np.ndarray) -> np.ndarray:
        """Where world points land in images of ``view``: (K, 2) pixels from the top left."""
        self.scene.set_view(view)
        return self.scene.world_to_display(points)

    def close(self) -> None:
        self._plotter.close()

    def __enter__(self) -> OffscreenBody:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def render_views(
    mesh: BodyMesh,
    colors: np.ndarray,
    views: list[StandardView],
    size: tuple[int, int],
    markers: Session | None = None,
) -> dict[StandardView, np.ndarray]:
    """Each view of the coloured body at ``size``: {view: (H, W, 3) uint8}.

    ``markers``: a session whose pins and vectors are drawn over the body.
    """
    with OffscreenBody(mesh, size) as body:
        body.set_colors(colors)
        if markers is not None:
            body.set_markers(markers)
        return {view: body.render(view) for view in views}
