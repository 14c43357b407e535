"""Zooming the 3D view with the wheel: toward the point under the pointer.

Pure numbers on a :class:`~bodymap.core.views.Camera`: a zoom scales the camera about the
picked point (a homothety), so that point stays under the pointer while everything else
grows around it, in perspective and in parallel projection alike.
"""

from __future__ import annotations

import numpy as np

from bodymap.core.views import Camera

ZOOM_STEP = 1.3
"""How much one wheel notch (120 eighths of a degree) magnifies: on the default body, about
7 notches from the whole body to the cranium close-up, 12 to the temple filling the view
(VTK's own step is 1.21 a notch, toward the middle of the view, and a full step for every
fraction of a notch a touchpad sends)."""
MIN_DISTANCE_M = 0.03
"""The closest the camera comes to its focal point (a fingertip fills the view)."""
MAX_DISTANCE_M = 30.0


def wheel_factor(angle_delta: float) -> float:
    """The magnification for a wheel turn of ``angle_delta`` eighths of a degree (>1 zooms in).

    Fractions of a notch (touchpads, free-spinning wheels) zoom by fractions of a step.
    """
    return float(ZOOM_STEP ** (angle_delta / 120.0))


def zoom_camera(camera: Camera, factor: float, toward: np.ndarray | None = None) -> Camera:
    """The camera magnified ``factor`` times about ``toward`` (the focal point when ``None``).

    The distance from the eye to the focal point is kept within
    [``MIN_DISTANCE_M``, ``MAX_DISTANCE_M``]; the factor is reduced to fit.
    """
    position = np.asarray(camera.position, dtype=float)
    focal = np.asarray(camera.focal_point, dtype=float)
    centre = focal if toward is None else np.asarray(toward, dtype=float)
    distance = float(np.linalg.norm(position - focal))
    if distance > 0:
        factor = float(np.clip(factor, distance / MAX_DISTANCE_M, distance / MIN_DISTANCE_M))
    if factor <= 0 or not np.isfinite(factor):
        return camera
    return Camera(
        position=centre + (position - centre) / factor,
        focal_point=centre + (focal - centre) / factor,
        up=np.asarray(camera.up, dtype=float),
        view_angle=camera.view_angle,
        parallel_scale=camera.parallel_scale / factor,
    )
