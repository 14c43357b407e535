"""Pins and force vectors: drawn in their colour where they stand, one actor each, picked."""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv

from bodymap.render.markers import PinMark, PinMarkers, VectorMark, VectorMarkers
from bodymap.render.scene import BodyScene

pytestmark = pytest.mark.render

SIZE = 200
RADIUS = 0.5
PIN_SIZE = 0.08  # about 14 px in this window: big enough to find its colour
GREEN = np.array([40, 200, 60], dtype=np.uint8)
RED = np.array([210, 30, 40], dtype=np.uint8)
BLUE = np.array([40, 60, 220], dtype=np.uint8)


def on_sphere(*direction: float) -> tuple[np.ndarray, np.ndarray]:
    normal = np.array(direction, dtype=float) / np.linalg.norm(direction)
    return RADIUS * normal, normal


def pin(pin_id: str, rgb: np.ndarray, *direction: float, selected: bool = False) -> PinMark:
    point, normal = on_sphere(*direction)
    return PinMark(pin_id, point, normal, rgb, selected)


def looks_like(pixels: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Pixels of this hue: its strongest channel leads the others by a wide margin."""
    pixels = pixels.astype(int)
    strongest = int(np.argmax(rgb))
    others = [k for k in range(3) if k != strongest]
    lead = pixels[..., strongest] - pixels[..., others].max(axis=-1)
    return lead > 60


def colour_near(image: np.ndarray, xy: np.ndarray, rgb: np.ndarray, reach: int = 2) -> bool:
    x, y = np.round(xy).astype(int)
    return bool(looks_like(image[y - reach : y + reach + 1, x - reach : x + reach + 1], rgb).any())


def test_pins_are_drawn_in_their_colour_where_they_stand(scene: BodyScene) -> None:
    pins = PinMarkers(scene)
    pins.set_pins([pin("a", GREEN, 0, 0, 1), pin("b", RED, 0.5, 0.4, 0.77)], size=PIN_SIZE)
    image = scene.screenshot()
    heads = scene.world_to_display(pins.anchors[:, 0])
    assert colour_near(image, heads[0], GREEN)
    assert colour_near(image, heads[1], RED)
    assert not colour_near(image, heads[0], RED, reach=3)
    assert not looks_like(image[:, : SIZE // 2], RED).any()  # b is on the viewer's right


def test_one_actor_holds_every_pin(scene: BodyScene, plotter: pv.Plotter) -> None:
    pins = PinMarkers(scene)
    rng = np.random.default_rng(0)
    many = [pin(f"p{k}", RED, *rng.normal(size=3)) for k in range(50)]
    pins.set_pins(many)
    pins.set_pins(many[:3])
    assert len(plotter.renderer.actors) == 2  # the body and the pins
    assert pins.ids == ("p0", "p1", "p2")


def test_the_selected_pin_stands_out(scene: BodyScene) -> None:
    pins = PinMarkers(scene)
    pins.set_pins([pin("a", GREEN, 0, 0, 1)], size=PIN_SIZE)
    plain = looks_like(scene.screenshot(), GREEN).sum()
    pins.set_pins([pin("a", GREEN, 0, 0, 1, selected=True)], size=PIN_SIZE)
    image = scene.screenshot()
    assert looks_like(image, GREEN).sum() > 1.5 * plain
    assert (image.astype(int).sum(axis=2) < 200).any()  # the dark collar at its foot


def test_pick_marker_finds_the_pin_under_the_pointer(scene: BodyScene) -> None:
    pins = PinMarkers(scene)
    pins.set_pins(
        [
            pin("front", GREEN, 0, 0, 1),
            pin("side", RED, 0.5, 0.4, 0.77),
            pin("back", BLUE, 0, 0, -1),
        ],
        size=PIN_SIZE,
    )
    scene.render()
    heads = scene.world_to_display(pins.anchors[:, 0])
    assert pins.pick_marker(*heads[0]) == "front"
    assert pins.pick_marker(*(heads[1] + [6, -5])) == "side"
    assert pins.pick_marker(*(heads[1] + [30, 0])) is None
    assert pins.pick_marker(3, 3) is None
    # The back pin projects near the front one but the body hides it.
    np.testing.assert_allclose(heads[2], heads[0], atol=2)
    assert pins.pick_marker(*heads[2]) == "front"
    pins.set_pins([pin("back", BLUE, 0, 0, -1)], size=PIN_SIZE)
    assert pins.pick_marker(*heads[2]) is None


def test_clear_removes_every_pin(scene: BodyScene) -> None:
    pins = PinMarkers(scene)
    pins.set_pins([pin("a", GREEN, 0, 0, 1)], size=PIN_SIZE)
    head = scene.world_to_display(pins.anchors[:, 0])[0]
    pins.clear()
    assert pins.ids == ()
    assert not looks_like(scene.screenshot(), GREEN).any()
    assert pins.pick_marker(*head) is None
    pins.set_pins([])
    assert pins.pick_marker(*head) is None


def test_pins_accept_plain_tuples_and_refuse_zero_normals(scene: BodyScene) -> None:
    pins = PinMarkers(scene)
    pins.set_pins([("t", (0, 0, RADIUS), (0, 0, 1), (1, 2, 3), False)])
    assert pins.ids == ("t",)
    with pytest.raises(ValueError):
        pins.set_pins([("z", (0, 0, RADIUS), (0, 0, 0), (1, 2, 3), False)])


def vector(vector_id: str, rgb: np.ndarray, start, end, selected: bool = False) -> VectorMark:
    start_point, normal = on_sphere(*start)
    end_point, _ = on_sphere(*end)
    return VectorMark(vector_id, start_point, end_point, normal, rgb, selected)


def test_vectors_are_arrows_in_their_colour(scene: BodyScene, plotter: pv.Plotter) -> None:
    vectors = VectorMarkers(scene)
    vectors.set_vectors(
        [
            vector("v", BLUE, (-0.4, 0, 1), (0.4, 0, 1)),
            vector("w", RED, (0, -0.5, 1), (0, -0.3, 1)),
        ],
        width=0.02,
    )
    image = scene.screenshot()
    start, end = scene.world_to_display(vectors.anchors[0])
    for share in (0.1, 0.5, 0.9):
        assert colour_near(image, start + share * (end - start), BLUE)
    assert len(plotter.renderer.actors) == 2
    # The head is wider than the shaft.
    shaft = looks_like(image[:, int(start[0] + 0.3 * (end - start)[0])], BLUE).sum()
    head = looks_like(image[:, int(start[0] + 0.93 * (end - start)[0])], BLUE).sum()
    assert head > shaft


def test_pick_marker_finds_a_vector_along_its_shaft(scene: BodyScene) -> None:
    vectors = VectorMarkers(scene)
    vectors.set_vectors(
        [
            vector("v", BLUE, (-0.4, 0, 1), (0.4, 0, 1)),
            vector("w", RED, (0, -0.5, 1), (0, -0.3, 1)),
        ],
    )
    scene.render()
    start, end = scene.world_to_display(vectors.anchors[0])
    assert vectors.pick_marker(*(0.3 * start + 0.7 * end + [0, 4])) == "v"
    w_start, w_end = scene.world_to_display(vectors.anchors[1])
    assert vectors.pick_marker(*w_end) == "w"
    assert vectors.pick_marker(*(end + [25, 0])) is None
    vectors.clear()
    assert vectors.pick_marker(*start) is None


def test_a_vector_of_no_length_is_not_drawn_but_kept(scene: BodyScene) -> None:
    vectors = VectorMarkers(scene)
    vectors.set_vectors([vector("dot", RED, (0, 0, 1), (0, 0, 1))])
    assert not looks_like(scene.screenshot(), RED).any()
    assert vectors.pick_marker(*scene.world_to_display(vectors.anchors[0, 0])[0]) == "dot"


def test_a_vector_is_drawn_a_few_pixels_wide_at_any_zoom(scene: BodyScene) -> None:
    from bodymap.core.views import Camera
    from bodymap.render.markers import VECTOR_MAX_WIDTH, VECTOR_PIXELS, VECTOR_WIDTH

    vectors = VectorMarkers(scene)
    marks = [vector("v", BLUE, (-0.1, 0, 1), (0.1, 0, 1))]

    def head_width() -> float:
        vectors.set_vectors(marks)  # the default width: sized for the screen
        low_y, high_y = vectors._actor.GetMapper().GetInput().GetBounds()[2:4]
        return high_y - low_y  # the arrow lies along x: its head is the widest part

    far = head_width()
    camera = scene.current_camera()
    near = Camera(  # a narrower view: eight times as many pixels a metre
        camera.position, camera.focal_point, camera.up, camera.view_angle / 8, 1.0
    )
    scene.apply_camera(near)
    middle = np.mean(vectors.anchors[0], axis=0)
    expected = np.clip(
        VECTOR_PIXELS / scene.pixels_per_metre(middle), VECTOR_WIDTH, VECTOR_MAX_WIDTH
    )
    close = head_width()
    assert close == pytest.approx(3 * expected, rel=0.05)  # the head is 3 shafts wide
    assert close < far
