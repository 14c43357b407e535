"""BodyScene off-screen: drawing, cameras, picking by the cached locator, in-place colours."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import pyvista as pv

from bodymap.core.mesh import BodyMesh
from bodymap.core.views import StandardView
from bodymap.render.scene import INTERNAL_RGBA, SKIN_RGBA, BodyScene, base_colors

pytestmark = pytest.mark.render

SIZE = 300
CENTRE = SIZE // 2
RADIUS = 0.5


def sphere_mesh(nsub: int = 3, internal_below: float | None = None) -> BodyMesh:
    sphere = pv.Icosphere(radius=RADIUS, nsub=nsub)
    vertices = np.asarray(sphere.points)
    internal = None if internal_below is None else vertices[:, 1] < internal_below
    return BodyMesh(vertices, sphere.regular_faces, internal=internal, name="sphere")


@pytest.fixture
def plotter() -> Iterator[pv.Plotter]:
    plotter = pv.Plotter(off_screen=True, window_size=(SIZE, SIZE))
    yield plotter
    plotter.close()


@pytest.fixture
def scene(plotter: pv.Plotter) -> BodyScene:
    scene = BodyScene(plotter)
    scene.set_mesh(sphere_mesh())
    scene.render()
    return scene


def test_the_body_is_drawn_over_the_background(scene: BodyScene) -> None:
    image = scene.screenshot()
    assert image.shape == (SIZE, SIZE, 3)
    background = image[2, CENTRE].astype(int)
    body = image[CENTRE, CENTRE].astype(int)
    assert np.abs(body - background).sum() > 60
    # Warm skin: more red than blue.
    assert body[0] > body[2] + 15


def test_pick_at_the_centre_hits_the_front_not_the_back(scene: BodyScene) -> None:
    hit = scene.pick(CENTRE, CENTRE)
    assert hit is not None
    assert hit.point[2] > 0.95 * RADIUS
    assert scene.mesh.vertices[hit.vertex_id][2] > 0.9 * RADIUS
    assert hit.vertex_id in scene.mesh.faces[hit.face_id]
    # Everywhere on the silhouette's inside, the anterior view picks the front half.
    for x, y in [(CENTRE - 60, CENTRE), (CENTRE + 60, CENTRE + 40), (CENTRE, CENTRE - 70)]:
        assert scene.pick(x, y).point[2] > 0


def test_screen_directions_follow_the_conventions(scene: BodyScene) -> None:
    above = scene.pick(CENTRE, CENTRE - 60)  # y counts down from the top of the window
    assert above.point[1] > 0.15
    viewers_right = scene.pick(CENTRE + 60, CENTRE)  # anterior view: the subject's left, +x
    assert viewers_right.point[0] > 0.15


def test_the_picked_vertex_is_the_one_drawn_there(scene: BodyScene, plotter: pv.Plotter) -> None:
    mesh = scene.mesh
    front = np.flatnonzero(mesh.vertices[:, 2] > 0.3)
    renderer = plotter.renderer
    for vertex in front[::7]:
        renderer.SetWorldPoint(*mesh.vertices[vertex], 1.0)
        renderer.WorldToDisplay()
        x, y_up, _ = renderer.GetDisplayPoint()
        hit = scene.pick(x, SIZE - 1 - y_up)
        assert hit is not None
        assert np.linalg.norm(hit.point - mesh.vertices[vertex]) < 0.03


def test_picking_off_the_body_finds_nothing(scene: BodyScene) -> None:
    assert scene.pick(3, 3) is None
    assert scene.pick(SIZE - 3, SIZE - 3) is None
    assert scene.pick(-5, CENTRE) is None
    assert scene.pick(CENTRE, SIZE + 10) is None


def test_a_scene_without_a_mesh_picks_nothing(plotter: pv.Plotter) -> None:
    assert BodyScene(plotter).pick(CENTRE, CENTRE) is None


@pytest.mark.parametrize("view", list(StandardView))
def test_set_view_turns_the_camera_as_named(scene: BodyScene, view: StandardView) -> None:
    scene.set_view(view)
    camera = scene.current_camera()
    np.testing.assert_allclose(camera.direction, view.direction, atol=1e-6)
    assert scene.view is view
    scene.render()
    hit = scene.pick(CENTRE, CENTRE)
    if not view.spec.frames_head:  # the camera looks at the centre: the hit faces it
        assert hit is not None
        assert np.dot(hit.point, view.direction) > 0.95 * RADIUS


def test_fit_view_keeps_the_direction(scene: BodyScene) -> None:
    scene.set_view(StandardView.LEFT)
    scene.fit_view()
    np.testing.assert_allclose(scene.current_camera().direction, (1, 0, 0), atol=1e-6)
    assert scene.view is None


def test_update_colors_changes_exactly_those_vertices(scene: BodyScene) -> None:
    before = scene.colors.copy()
    front = np.flatnonzero(scene.mesh.vertices[:, 2] > 0.35)
    scene.update_colors(front, np.array([200, 30, 30, 255], dtype=np.uint8))
    after = scene.colors
    changed = np.flatnonzero(np.any(after != before, axis=1))
    np.testing.assert_array_equal(changed, front)
    np.testing.assert_array_equal(after[front], np.tile([200, 30, 30, 255], (len(front), 1)))
    pixel = scene.screenshot()[CENTRE, CENTRE].astype(int)
    assert pixel[0] > 2 * pixel[1]  # red now, where skin was before


def test_update_colors_accepts_one_colour_per_vertex(scene: BodyScene) -> None:
    ids = np.array([0, 5, 9])
    rgba = np.array([[1, 2, 3, 255], [4, 5, 6, 255], [7, 8, 9, 255]], dtype=np.uint8)
    scene.update_colors(ids, rgba)
    np.testing.assert_array_equal(scene.colors[ids], rgba)
    with pytest.raises(ValueError):
        scene.colors[0] = 0  # the public view is read-only: colours change through the scene


def test_internal_vertices_are_darker() -> None:
    mesh = sphere_mesh(nsub=2, internal_below=-0.3)
    colors = base_colors(mesh)
    np.testing.assert_array_equal(
        colors[mesh.internal], np.tile(INTERNAL_RGBA, (mesh.internal.sum(), 1))
    )
    np.testing.assert_array_equal(colors[~mesh.internal][0], SKIN_RGBA)
    assert sum(INTERNAL_RGBA[:3]) < sum(SKIN_RGBA[:3])


def test_set_mesh_replaces_the_body(scene: BodyScene, plotter: pv.Plotter) -> None:
    bigger = sphere_mesh(nsub=2)
    scene.set_mesh(bigger)
    scene.render()
    assert len(plotter.renderer.actors) == 1
    assert scene.colors.shape == (bigger.n_vertices, 4)
    hit = scene.pick(CENTRE, CENTRE)
    assert hit.vertex_id < bigger.n_vertices
    assert hit.vertex_id in bigger.faces[hit.face_id]


def test_camera_interaction_is_harmless_off_screen(scene: BodyScene) -> None:
    scene.enable_camera_interaction()
    assert scene.pick(CENTRE, CENTRE) is not None
