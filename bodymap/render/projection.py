"""World points to window pixels, and the on-screen scale at a point, for a VTK camera."""

from __future__ import annotations

import numpy as np


def world_to_display(renderer, window_size: tuple[int, int], points: np.ndarray) -> np.ndarray:
    """Project world points to window pixels for ``renderer``'s camera.

    Parameters
    ----------
    renderer : vtkRenderer
    window_size : (width, height) of the render window in device pixels
    points : (K, 3) or (3,) float array

    Returns
    -------
    (K, 2) float array
        ``(x, y)`` in device pixels from the top-left corner; NaN for points at or behind
        the camera's eye.
    """
    points = np.atleast_2d(np.asarray(points, dtype=float))
    matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(
        renderer.GetTiledAspectRatio(), -1, 1
    )
    projection = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    clip = points @ projection[:3, :3].T + projection[:3, 3]
    w = points @ projection[3, :3] + projection[3, 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        ndc = np.where(w[:, None] > 0, clip[:, :2] / w[:, None], np.nan)
    width, height = window_size
    x0, y0, x1, y1 = renderer.GetViewport()
    x = (x0 + (ndc[:, 0] + 1) / 2 * (x1 - x0)) * width
    y = (y0 + (ndc[:, 1] + 1) / 2 * (y1 - y0)) * height
    return np.stack([x, height - 1 - y], axis=1)  # VTK counts y up from the bottom


def pixels_per_metre(renderer, window_size: tuple[int, int], point: np.ndarray) -> float:
    """Device pixels per metre across the view at a world point.

    Exact for both projections: the two probes are offset within the plane through
    ``point`` parallel to the screen, where the projection is linear.
    """
    view = renderer.GetActiveCamera().GetViewTransformMatrix()
    right = np.array([view.GetElement(0, j) for j in range(3)])
    up = np.array([view.GetElement(1, j) for j in range(3)])
    point = np.asarray(point, dtype=float)
    step = 1e-3  # metres; any size gives the same ratio
    probes = world_to_display(
        renderer, window_size, np.stack([point, point + step * right, point + step * up])
    )
    spans = np.linalg.norm(probes[1:] - probes[0], axis=1)
    return float(spans.mean() / step)
