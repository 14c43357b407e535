"""The standard views of the body as data, and the camera that frames each one.

Conventions (as everywhere in BodyMap): metres, +y up, +z anterior, +x the subject's left.
A view's ``direction`` points from the body toward the camera, so the anterior view has
``direction = +z`` and, looking at the face, shows the subject's left on the viewer's right.

The superior view looks down from above the head with anterior (+z) up on the screen: what a
practitioner sitting at the head of a supine client sees, with the subject's right on the
viewer's right. The cranium close-up is a three-quarter view from the front and the subject's
left, slightly from above, framing the top 12% of the body's height.

Pure numpy: the render layer turns a :class:`Camera` into VTK calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from itertools import product

import numpy as np

HEAD_FRACTION = 0.12
"""Share of the body's height, from the top, that the cranium view frames."""

DEFAULT_VIEW_ANGLE = 30.0
FRAME_MARGIN = 1.08


@dataclass(frozen=True)
class ViewSpec:
    """What a standard view is: where the camera sits, which way is up, what it frames."""

    key: str
    label: str
    shortcut: str
    direction: tuple[float, float, float]
    up: tuple[float, float, float]
    description: str
    frames_head: bool = False


class StandardView(Enum):
    """The standard views, in toolbar order. ``view.spec`` holds the details."""

    ANTERIOR = "anterior"
    POSTERIOR = "posterior"
    LEFT = "left"
    RIGHT = "right"
    SUPERIOR = "superior"
    CRANIUM = "cranium"

    @property
    def spec(self) -> ViewSpec:
        return _SPECS[self]

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def shortcut(self) -> str:
        return self.spec.shortcut

    @property
    def direction(self) -> np.ndarray:
        """Unit vector from the focal point toward the camera."""
        return _unit(np.asarray(self.spec.direction, dtype=float))

    @property
    def up(self) -> np.ndarray:
        return _unit(np.asarray(self.spec.up, dtype=float))


_SPECS = {
    StandardView.ANTERIOR: ViewSpec(
        "anterior", "Anterior", "1", (0, 0, 1), (0, 1, 0), "Front of the body"
    ),
    StandardView.POSTERIOR: ViewSpec(
        "posterior", "Posterior", "2", (0, 0, -1), (0, 1, 0), "Back of the body"
    ),
    StandardView.LEFT: ViewSpec(
        "left", "Left", "3", (1, 0, 0), (0, 1, 0), "The subject's left side"
    ),
    StandardView.RIGHT: ViewSpec(
        "right", "Right", "4", (-1, 0, 0), (0, 1, 0), "The subject's right side"
    ),
    StandardView.SUPERIOR: ViewSpec(
        "superior",
        "Superior",
        "5",
        (0, 1, 0),
        (0, 0, 1),
        "From above the head, face toward the top of the screen",
    ),
    StandardView.CRANIUM: ViewSpec(
        "cranium",
        "Cranium",
        "6",
        (0.5, 0.2, 0.866),
        (0, 1, 0),
        "Close-up of the head, from the front and the subject's left",
        frames_head=True,
    ),
}

FIT_SHORTCUT = "0"
"""Shortcut of the "fit the body, keep the direction" action (not a standard view)."""


@dataclass(frozen=True, eq=False)
class Camera:
    """A camera as plain numbers.

    Attributes
    ----------
    position, focal_point, up : (3,) float arrays
    view_angle : float
        Vertical field of view in degrees, for perspective projection.
    parallel_scale : float
        Half the visible height in metres, for parallel projection.
    """

    position: np.ndarray
    focal_point: np.ndarray
    up: np.ndarray
    view_angle: float
    parallel_scale: float

    @property
    def direction(self) -> np.ndarray:
        """Unit vector from the focal point toward the camera."""
        return _unit(self.position - self.focal_point)


def head_bounds(
    vertices: np.ndarray, fraction: float = HEAD_FRACTION
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the vertices in the top ``fraction`` of the body's height."""
    vertices = np.asarray(vertices, dtype=float)
    top = vertices[:, 1].max()
    height = top - vertices[:, 1].min()
    head = vertices[vertices[:, 1] >= top - fraction * height]
    return head.min(axis=0), head.max(axis=0)


def _head_box_from_bounds(
    bounds_min: np.ndarray, bounds_max: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A head-sized box at the top centre of the body's bounds (when no vertices are known)."""
    height = bounds_max[1] - bounds_min[1]
    head_height = HEAD_FRACTION * height
    centre = (bounds_min + bounds_max) / 2
    half = np.array([0.4 * head_height, head_height / 2, 0.5 * head_height])
    middle = np.array([centre[0], bounds_max[1] - head_height / 2, centre[2]])
    return middle - half, middle + half


def frame_box(
    direction: np.ndarray,
    up: np.ndarray,
    box_min: np.ndarray,
    box_max: np.ndarray,
    aspect: float = 1.0,
    view_angle: float = DEFAULT_VIEW_ANGLE,
    margin: float = FRAME_MARGIN,
) -> Camera:
    """The camera looking along ``-direction`` that fits the box in the view.

    Parameters
    ----------
    direction : (3,) array
        From the box's centre toward the camera (need not be unit length).
    up : (3,) array
        Roughly which way is up on screen; made perpendicular to ``direction``.
    box_min, box_max : (3,) arrays
        The axis-aligned box to frame.
    aspect : float
        Viewport width / height.
    view_angle : float
        Vertical field of view in degrees.
    margin : float
        How much room to leave around the box (1.0 = touching the edges).
    """
    back = _unit(np.asarray(direction, dtype=float))
    up = np.asarray(up, dtype=float)
    up = _unit(up - np.dot(up, back) * back)
    right = np.cross(-back, up)
    box_min, box_max = np.asarray(box_min, dtype=float), np.asarray(box_max, dtype=float)
    centre = (box_min + box_max) / 2
    corners = np.array(list(product(*zip(box_min, box_max, strict=True)))) - centre
    half_width = max(np.abs(corners @ right).max(), 1e-6)
    half_height = max(np.abs(corners @ up).max(), 1e-6)
    depth = (corners @ back).max()
    tangent = np.tan(np.radians(view_angle) / 2)
    needed = max(half_height, half_width / aspect) * margin
    distance = depth + needed / tangent
    return Camera(
        position=centre + back * distance,
        focal_point=centre,
        up=up,
        view_angle=float(view_angle),
        parallel_scale=float(needed),
    )


def camera_for_view(
    view: StandardView,
    bounds_min: np.ndarray,
    bounds_max: np.ndarray,
    aspect: float = 1.0,
    vertices: np.ndarray | None = None,
) -> Camera:
    """The camera for a standard view of a body with the given bounds.

    Parameters
    ----------
    view : StandardView
    bounds_min, bounds_max : (3,) arrays
        The body's bounds.
    aspect : float
        Viewport width / height.
    vertices : (N, 3) array, optional
        The body's vertices: lets the cranium view frame the actual head rather than a
        head-sized box estimated from the bounds.
    """
    box_min, box_max = np.asarray(bounds_min, float), np.asarray(bounds_max, float)
    if view.spec.frames_head:
        if vertices is not None:
            box_min, box_max = head_bounds(vertices)
        else:
            box_min, box_max = _head_box_from_bounds(box_min, box_max)
    return frame_box(view.direction, view.up, box_min, box_max, aspect=aspect)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    if norm == 0:
        raise ValueError("a view direction or up vector cannot be zero")
    return vector / norm
