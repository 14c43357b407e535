"""Standard views: where each camera sits, which way is up, and that the body fits the view."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from bodymap.core.views import (
    FIT_SHORTCUT,
    HEAD_FRACTION,
    Camera,
    StandardView,
    camera_for_view,
    frame_box,
    head_bounds,
)

# A standing body: 1.7 m tall, arms slightly out, feet at y = 0.
BODY_MIN = np.array([-0.45, 0.0, -0.15])
BODY_MAX = np.array([0.45, 1.7, 0.15])

HEAD_MIN = np.array([-0.08, 1.5, -0.1])
HEAD_MAX = np.array([0.08, 1.7, 0.12])

EXPECTED_DIRECTION = {
    StandardView.ANTERIOR: (0, 0, 1),
    StandardView.POSTERIOR: (0, 0, -1),
    StandardView.LEFT: (1, 0, 0),
    StandardView.RIGHT: (-1, 0, 0),
    StandardView.SUPERIOR: (0, 1, 0),
}


def screen_axes(camera: Camera) -> tuple[np.ndarray, np.ndarray]:
    """(right, up) unit vectors on screen, in world coordinates."""
    looking = -camera.direction
    right = np.cross(looking, camera.up)
    return right / np.linalg.norm(right), camera.up


def projected(camera: Camera, points: np.ndarray, aspect: float) -> np.ndarray:
    """Normalised screen coordinates in [-1, 1] when a point is inside the perspective view."""
    right, up = screen_axes(camera)
    relative = points - camera.position
    depth = relative @ -camera.direction
    tangent = np.tan(np.radians(camera.view_angle) / 2)
    x = (relative @ right) / (depth * tangent * aspect)
    y = (relative @ up) / (depth * tangent)
    return np.column_stack([x, y])


def corners(box_min: np.ndarray, box_max: np.ndarray) -> np.ndarray:
    return np.array(list(product(*zip(box_min, box_max, strict=True))))


def point_body() -> np.ndarray:
    """A crude body as a point cloud: a wide block below a small head."""
    rng = np.random.default_rng(0)
    below = rng.uniform(BODY_MIN, [0.45, 1.45, 0.15], size=(2000, 3))
    head = rng.uniform(HEAD_MIN, HEAD_MAX, size=(300, 3))
    return np.concatenate([below, corners(HEAD_MIN, HEAD_MAX), head])


@pytest.mark.parametrize(("view", "expected"), EXPECTED_DIRECTION.items())
def test_camera_sits_on_the_named_side(view: StandardView, expected) -> None:
    camera = camera_for_view(view, BODY_MIN, BODY_MAX, aspect=4 / 3)
    np.testing.assert_allclose(camera.direction, expected, atol=1e-9)
    np.testing.assert_allclose(camera.focal_point, (BODY_MIN + BODY_MAX) / 2)
    assert abs(np.dot(camera.up, camera.direction)) < 1e-9


def test_anterior_shows_the_subjects_left_on_the_viewers_right() -> None:
    right, up = screen_axes(camera_for_view(StandardView.ANTERIOR, BODY_MIN, BODY_MAX))
    np.testing.assert_allclose(right, (1, 0, 0), atol=1e-9)
    np.testing.assert_allclose(up, (0, 1, 0), atol=1e-9)


def test_left_view_shows_the_face_on_the_viewers_left() -> None:
    right, _ = screen_axes(camera_for_view(StandardView.LEFT, BODY_MIN, BODY_MAX))
    np.testing.assert_allclose(right, (0, 0, -1), atol=1e-9)


def test_superior_view_has_the_face_up_and_the_subjects_right_on_the_right() -> None:
    right, up = screen_axes(camera_for_view(StandardView.SUPERIOR, BODY_MIN, BODY_MAX))
    np.testing.assert_allclose(up, (0, 0, 1), atol=1e-9)
    np.testing.assert_allclose(right, (-1, 0, 0), atol=1e-9)


@pytest.mark.parametrize("view", list(StandardView))
@pytest.mark.parametrize("aspect", [0.5, 1.0, 4 / 3, 2.5])
def test_the_framed_box_fits_the_view_snugly(view: StandardView, aspect: float) -> None:
    camera = camera_for_view(view, BODY_MIN, BODY_MAX, aspect=aspect, vertices=point_body())
    box = corners(HEAD_MIN, HEAD_MAX) if view.spec.frames_head else corners(BODY_MIN, BODY_MAX)
    screen = projected(camera, box, aspect)
    assert np.abs(screen).max() <= 1.0
    assert np.abs(screen).max() > 0.6  # and it is not a speck in the middle


def test_cranium_view_frames_the_head_closer_than_the_whole_body() -> None:
    cranium = camera_for_view(StandardView.CRANIUM, BODY_MIN, BODY_MAX, vertices=point_body())
    estimate = camera_for_view(StandardView.CRANIUM, BODY_MIN, BODY_MAX)
    anterior = camera_for_view(StandardView.ANTERIOR, BODY_MIN, BODY_MAX)
    head_bottom = BODY_MAX[1] - HEAD_FRACTION * (BODY_MAX[1] - BODY_MIN[1])
    for camera in (cranium, estimate):
        assert head_bottom < camera.focal_point[1] < BODY_MAX[1]
        distance = np.linalg.norm(camera.position - camera.focal_point)
        assert distance < 0.5 * np.linalg.norm(anterior.position - anterior.focal_point)
        # From the front and the subject's left, slightly above.
        assert camera.direction[2] > 0.5
        assert camera.direction[0] > 0.2
        assert camera.direction[1] > 0


def test_head_bounds_keep_the_top_of_the_body() -> None:
    vertices = np.array([[0, 0, 0], [0, 1.0, 0], [0.1, 1.95, 0.05], [-0.1, 2.0, -0.05]])
    low, high = head_bounds(vertices)
    np.testing.assert_allclose(low, (-0.1, 1.95, -0.05))
    np.testing.assert_allclose(high, (0.1, 2.0, 0.05))


def test_parallel_scale_covers_the_larger_screen_extent() -> None:
    tall = frame_box((0, 0, 1), (0, 1, 0), (-0.1, 0, -0.1), (0.1, 2, 0.1), aspect=1.0)
    wide = frame_box((0, 0, 1), (0, 1, 0), (-2, 0, -0.1), (2, 0.2, 0.1), aspect=2.0)
    assert tall.parallel_scale == pytest.approx(1.0 * 1.08)
    assert wide.parallel_scale == pytest.approx(1.0 * 1.08)


def test_degenerate_directions_are_refused() -> None:
    with pytest.raises(ValueError, match="zero"):
        frame_box((0, 0, 0), (0, 1, 0), BODY_MIN, BODY_MAX)
    with pytest.raises(ValueError, match="zero"):
        frame_box((0, 1, 0), (0, 2, 0), BODY_MIN, BODY_MAX)


def test_views_have_distinct_keys_labels_and_shortcuts() -> None:
    specs = [view.spec for view in StandardView]
    for field in ("key", "label", "shortcut"):
        values = [getattr(spec, field) for spec in specs]
        assert len(set(values)) == len(values)
    assert FIT_SHORTCUT not in {spec.shortcut for spec in specs}
    assert [view.value for view in StandardView] == [spec.key for spec in specs]
