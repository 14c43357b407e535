"""BodyScene off-screen: drawing, cameras, picking, in-place colours."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import pyvista as pv
from pyvista.plotting import _ALL_PLOTTERS

from bodymap.core.colors import INTERNAL_RGBA, SKIN_RGBA, base_colors
from bodymap.core.mesh import BodyMesh
from bodymap.core.views import StandardView
from bodymap.render.scene import BodyScene

pytestmark = pytest.mark.render

SIZE = 300
CENTRE = SIZE // 2
RADIUS = 0.5


def sphere_mesh(nsub: int = 3, internal_below: float | None = None) -> BodyMesh:
    sphere = pv.Icosphere(radius=RADIUS, nsub=nsub)
    vertices = np.asarray(sphere.points)
    internal = None if internal_below is None else vertices[:, 1] < internal_below
    return BodyMesh(vertices, sphere.regular_faces, internal=internal, name="sphere")


@pytest.fixture(autouse=True)
def no_leaked_plotters() -> Iterator[None]:
    before = set(_ALL_PLOTTERS)
    yield
    assert set(_ALL_PLOTTERS) <= before, "a test left a plotter open"


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
    camera, hit = scene.current_camera(), scene.pick(CENTRE, CENTRE)
    scene.enable_camera_interaction()
    after = scene.current_camera()
    np.testing.assert_allclose(after.position, camera.position)
    np.testing.assert_allclose(after.direction, camera.direction)
    again = scene.pick(CENTRE, CENTRE)
    assert (again.face_id, again.vertex_id) == (hit.face_id, hit.vertex_id)
    np.testing.assert_allclose(again.point, hit.point)
    assert again.point[2] > 0.95 * RADIUS  # still the front of the body, under the centre


@pytest.fixture(scope="module")
def shared_plotter() -> Iterator[pv.Plotter]:
    """One plotter for the tests below: a first render costs more than such a test."""
    plotter = pv.Plotter(off_screen=True, window_size=(SIZE, SIZE))
    yield plotter
    plotter.close()


@pytest.fixture(scope="module")
def module_scene(shared_plotter: pv.Plotter) -> BodyScene:
    scene = BodyScene(shared_plotter)
    scene.set_mesh(sphere_mesh())
    scene.enable_camera_interaction()
    scene.render()
    return scene


@pytest.fixture
def shared(module_scene: BodyScene, shared_plotter: pv.Plotter) -> BodyScene:
    """The module's scene with its camera put back to the anterior perspective view."""
    shared_plotter.camera.SetParallelProjection(False)
    module_scene.set_view(StandardView.ANTERIOR)
    return module_scene


def drag(
    plotter: pv.Plotter,
    button: str,
    start: tuple[int, int],
    end: tuple[int, int],
    shift: bool = False,
    ctrl: bool = False,
) -> None:
    """Drive a button drag through the interactor, as the Qt widget would."""
    interactor = plotter.iren.interactor
    path = np.linspace(start, end, 5).round().astype(int)
    interactor.SetEventInformation(*path[0], int(ctrl), int(shift))
    interactor.InvokeEvent(f"{button}ButtonPressEvent")
    for x, y in path[1:]:
        interactor.SetEventInformation(int(x), int(y), int(ctrl), int(shift))
        interactor.InvokeEvent("MouseMoveEvent")
    interactor.InvokeEvent(f"{button}ButtonReleaseEvent")


@pytest.mark.parametrize("button", ["Right", "Middle", "Left"])
def test_a_plain_drag_rotates_about_the_focal_point(
    shared: BodyScene, shared_plotter: pv.Plotter, button: str
) -> None:
    before = shared.current_camera()
    drag(shared_plotter, button, (CENTRE, CENTRE), (CENTRE + 40, CENTRE + 10))
    after = shared.current_camera()
    np.testing.assert_allclose(after.focal_point, before.focal_point, atol=1e-9)
    distance = np.linalg.norm(before.position - before.focal_point)
    assert np.linalg.norm(after.position - after.focal_point) == pytest.approx(distance)
    assert np.degrees(np.arccos(np.dot(after.direction, before.direction))) > 10


@pytest.mark.parametrize("button", ["Right", "Middle"])
def test_a_shift_drag_pans(shared: BodyScene, shared_plotter: pv.Plotter, button: str) -> None:
    before = shared.current_camera()
    drag(shared_plotter, button, (CENTRE, CENTRE), (CENTRE + 40, CENTRE), shift=True)
    after = shared.current_camera()
    moved = after.focal_point - before.focal_point
    assert np.linalg.norm(moved) > 0.05
    np.testing.assert_allclose(after.direction, before.direction, atol=1e-9)  # no turn
    np.testing.assert_allclose(after.position - before.position, moved, atol=1e-9)


def test_the_wheel_zooms(shared: BodyScene, shared_plotter: pv.Plotter) -> None:
    before = shared.current_camera()
    interactor = shared_plotter.iren.interactor
    interactor.SetEventInformation(CENTRE, CENTRE, 0, 0)
    interactor.InvokeEvent("MouseWheelForwardEvent")
    after = shared.current_camera()
    np.testing.assert_allclose(after.direction, before.direction, atol=1e-9)
    distance = np.linalg.norm(before.position - before.focal_point)
    assert np.linalg.norm(after.position - after.focal_point) < 0.95 * distance


def test_vtk_key_bindings_stay_off(shared: BodyScene, shared_plotter: pv.Plotter) -> None:
    interactor = shared_plotter.iren.interactor
    interactor.SetKeyCode("w")  # VTK's own binding: every actor to wireframe
    interactor.InvokeEvent("CharEvent")
    assert shared_plotter.renderer.actors["body"].prop.style == "Surface"


def test_viewpoint_follows_the_camera(shared: BodyScene, shared_plotter: pv.Plotter) -> None:
    view = shared.viewpoint()
    camera = shared.current_camera()
    np.testing.assert_allclose(view.position, camera.position)
    np.testing.assert_allclose(view.direction, -camera.direction, atol=1e-12)
    assert not view.parallel
    assert view.depth(camera.focal_point)[0] == pytest.approx(
        np.linalg.norm(camera.position - camera.focal_point)
    )
    toward = view.toward_camera(np.array([[0.0, 0.0, RADIUS]]))
    np.testing.assert_allclose(toward, [[0, 0, 1]], atol=1e-9)
    shared_plotter.camera.enable_parallel_projection()
    parallel = shared.viewpoint()
    assert parallel.parallel
    np.testing.assert_allclose(parallel.toward_camera(np.zeros((2, 3))), [[0, 0, 1]] * 2)


@pytest.mark.parametrize("parallel", [False, True])
def test_world_to_display_agrees_with_vtk_and_with_pick(
    shared: BodyScene, shared_plotter: pv.Plotter, parallel: bool
) -> None:
    shared_plotter.camera.SetParallelProjection(parallel)
    shared_plotter.camera.azimuth = 30.0
    shared_plotter.camera.elevation = 20.0
    renderer = shared_plotter.renderer
    front = shared.mesh.vertices[::23]
    projected = shared.world_to_display(front)
    for vertex, (x, y) in zip(front, projected, strict=True):
        renderer.SetWorldPoint(*vertex, 1.0)
        renderer.WorldToDisplay()
        vtk_x, vtk_y, _ = renderer.GetDisplayPoint()
        assert (x, y) == pytest.approx((vtk_x, SIZE - 1 - vtk_y))
    facing = np.dot(shared.mesh.vertex_normals, -shared.viewpoint().direction) > 0.5
    vertex = np.flatnonzero(facing)[0]
    hit = shared.pick(*shared.world_to_display(shared.mesh.vertices[vertex])[0])
    assert np.linalg.norm(hit.point - shared.mesh.vertices[vertex]) < 1e-3


def test_points_behind_the_eye_do_not_project(shared: BodyScene) -> None:
    camera = shared.current_camera()
    behind = camera.position + 2 * camera.direction
    assert np.isnan(shared.world_to_display(behind)).all()


@pytest.mark.parametrize("parallel", [False, True])
def test_pixels_per_metre_matches_projected_spans(
    shared: BodyScene, shared_plotter: pv.Plotter, parallel: bool
) -> None:
    shared_plotter.camera.SetParallelProjection(parallel)
    point = np.array([0.0, 0.0, RADIUS])
    scale = shared.pixels_per_metre(point)
    ends = shared.world_to_display(np.array([[-0.1, 0.0, RADIUS], [0.1, 0.0, RADIUS]]))
    assert scale == pytest.approx(np.linalg.norm(ends[1] - ends[0]) / 0.2, rel=1e-6)
    assert 100 < scale < 1000  # a 1 m sphere fills most of a 300 px window
    half_angle = np.radians(shared_plotter.camera.view_angle) / 2
    shared_plotter.camera.zoom(2.0)  # halves the view angle, or the parallel scale
    zoomed = np.tan(half_angle) / np.tan(np.radians(shared_plotter.camera.view_angle) / 2)
    assert shared.pixels_per_metre(point) == pytest.approx(
        (2.0 if parallel else zoomed) * scale, rel=1e-6
    )
    if not parallel:  # farther away looks smaller
        assert shared.pixels_per_metre(np.array([0.0, 0.0, -RADIUS])) < 2 * scale


def test_closest_points_keep_surface_points_and_snap_others(shared: BodyScene) -> None:
    mesh = shared.mesh
    corners = mesh.vertices[mesh.faces[::5]].astype(float)
    on_faces = np.einsum("k,fkc->fc", [0.2, 0.3, 0.5], corners)  # inside each triangle
    snapped, faces = shared.closest_points_with_faces(on_faces)
    np.testing.assert_allclose(snapped, on_faces, atol=1e-9)
    np.testing.assert_array_equal(faces, np.arange(0, mesh.n_faces, 5))
    np.testing.assert_allclose(shared.closest_points(mesh.vertices[:50]), mesh.vertices[:50])
    normals = mesh.face_normals_unit[::5]
    lifted = shared.closest_points(on_faces + 0.004 * normals)
    np.testing.assert_allclose(lifted, on_faces, atol=1e-9)
    assert shared.closest_points(np.zeros(3)).shape == (1, 3)


def test_closest_points_need_a_mesh(plotter: pv.Plotter) -> None:
    with pytest.raises(RuntimeError):
        BodyScene(plotter).closest_points(np.zeros((1, 3)))


def test_colour_writes_never_rebuild_the_picking_structure(scene: BodyScene) -> None:
    """A rebuilt structure would cost a body's build on every dab (0.9 s at 1M vertices)."""
    width, height = scene.window_size()
    before = scene.pick(width / 2, height / 2)
    built = scene._surface
    scene.update_colors(np.arange(10), np.array([255, 0, 0, 255], np.uint8))
    after = scene.pick(width / 2, height / 2)
    scene.closest_points(np.array([[0.0, 0.0, 1.0]]))
    assert built is not None and scene._surface is built
    assert (after.face_id, after.vertex_id) == (before.face_id, before.vertex_id)
    np.testing.assert_allclose(after.point, before.point)


def test_another_body_of_the_same_topology_reshapes_the_actor_in_place(
    scene: BodyScene, plotter: pv.Plotter
) -> None:
    shown = scene.mesh
    actor = plotter.actors["body"]
    wider = BodyMesh(shown.vertices * np.array([1.6, 1.0, 1.0]), shown.faces, name="wider")
    scene.set_mesh(wider)
    scene.render()
    assert plotter.actors["body"] is actor  # the same actor: another shipped body's shape
    polydata = actor.GetMapper().GetInput()
    assert np.allclose(pv.wrap(polydata).points, wider.vertices)
    # The pick follows the new shape: a point beyond the old sphere's rim is on the body now.
    rim = np.array([[0.7, 0.0, 0.0]])
    x, y = scene.world_to_display(rim)[0]
    hit = scene.pick(x, y)
    assert hit is not None and hit.point[0] > RADIUS
    assert np.linalg.norm(hit.point / np.array([1.6 * RADIUS, RADIUS, RADIUS])) == pytest.approx(
        1.0, abs=0.05
    )


def test_a_body_of_another_topology_gets_a_new_actor(scene: BodyScene, plotter: pv.Plotter) -> None:
    actor = plotter.actors["body"]
    coarser = sphere_mesh(nsub=2)
    scene.set_mesh(coarser)
    scene.render()
    assert plotter.actors["body"] is not actor
    assert pv.wrap(plotter.actors["body"].GetMapper().GetInput()).n_points == coarser.n_vertices


def test_back_faces_are_culled_only_on_a_closed_body_wound_outward(plotter: pv.Plotter) -> None:
    scene = BodyScene(plotter)
    outward = sphere_mesh()
    scene.set_mesh(outward)
    prop = plotter.actors["body"].GetProperty()
    assert prop.GetBackfaceCulling()
    inward = BodyMesh(outward.vertices, outward.faces[:, ::-1], name="inside out")
    scene.set_mesh(inward)  # the same faces reversed: another topology, a new actor
    assert not plotter.actors["body"].GetProperty().GetBackfaceCulling()
    holed = BodyMesh(outward.vertices, outward.faces[1:], name="with a hole")
    scene.set_mesh(holed)  # the background would show through the hole's far side
    assert not plotter.actors["body"].GetProperty().GetBackfaceCulling()
    scene.set_mesh(inward)
    scene.render()
    image = scene.screenshot()
    assert np.abs(image[CENTRE, CENTRE].astype(int) - image[2, CENTRE]).sum() > 60  # drawn
