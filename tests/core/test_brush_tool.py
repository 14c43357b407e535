"""The brush state machine on a flat grid and on the real body: strokes, mirror, fill."""

import numpy as np
import pytest
from flat_grid import FRONT, PX, Hit, grid_mesh, plane_picker

from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.brush_tool import BrushSettings, BrushStroke, fill
from bodymap.core.mirror import mirror_map
from bodymap.core.overlays import Overlays
from bodymap.core.painter import Painter


def start(mesh, settings, spacing_px=2.0, mirror=None, pick=None):
    overlays = Overlays(mesh.n_vertices, ("pain", "release"))
    painter = Painter(overlays)
    stroke = BrushStroke(
        painter,
        BrushGeometry(mesh),
        settings,
        "Pain",
        overlays.keys,
        pick or plane_picker(mesh),
        FRONT,
        spacing_px,
        mirror,
    )
    return overlays, stroke


def test_a_fast_stroke_leaves_no_gap():
    mesh = grid_mesh()
    overlays, stroke = start(mesh, BrushSettings("pain", 8, radius=0.004, soft=False))
    stroke.press(-40, 0)
    stroke.move(40, 0)  # 80 mm in a single mouse sample
    edit = stroke.release()
    on_line = np.flatnonzero(
        (np.abs(mesh.vertices[:, 1]) < 1e-6) & (np.abs(mesh.vertices[:, 0]) <= 0.040)
    )
    assert (overlays.layer("pain")[on_line] == 80).all()
    assert edit.record.path.shape[0] >= 40 and edit.text == "paint Pain"
    assert edit.record.seeds.shape == (edit.record.path.shape[0],)


def test_a_stroke_off_the_body_paints_nothing():
    mesh = grid_mesh()
    overlays, stroke = start(mesh, BrushSettings("pain"))
    stroke.press(500, 500)
    stroke.move(600, 500)
    assert stroke.release() is None and overlays.is_empty()


def test_erase_one_tag_keeps_the_others():
    mesh = grid_mesh()
    overlays = Overlays(mesh.n_vertices, ("pain", "release"))
    painter = Painter(overlays)
    everything = np.arange(mesh.n_vertices)
    painter.fill(("pain",), everything, 50)
    painter.fill(("release",), everything, 30)
    stroke = BrushStroke(
        painter,
        BrushGeometry(mesh),
        BrushSettings("pain", mode="erase", soft=False),
        "Pain",
        overlays.keys,
        plane_picker(mesh),
        FRONT,
        2.0,
    )
    stroke.press(0, 0)
    edit = stroke.release()
    assert edit.text == "erase Pain" and edit.record.kind == "erase"
    assert overlays.layer("pain")[edit.layers.ids].max() == 0
    assert (overlays.layer("release") == 30).all()


def test_cancel_restores_the_layers():
    mesh = grid_mesh()
    overlays, stroke = start(mesh, BrushSettings("pain"))
    stroke.press(0, 0)
    stroke.move(10, 10)
    assert stroke.cancel().size > 0
    assert overlays.is_empty()


def test_settings_are_clamped_and_named():
    s = BrushSettings("pain", intensity=14, radius=5.0)
    assert s.intensity == 10 and s.radius == 0.25 and s.target == 100
    assert BrushSettings("pain", mode="erase_all").describe("Pain") == "erase all tags"
    with pytest.raises(ValueError):
        BrushSettings("pain", mode="smudge")


@pytest.fixture(scope="module")
def body():
    from bodymap.io.default_body import load_default_body

    mesh, atlas = load_default_body()
    return mesh, atlas, mirror_map(mesh)


def front_picker(mesh):
    """An anterior-view picker: pixel (x, y) is world (x mm, y mm); the hit is the front-most
    vertex within 3 mm of that line of sight."""

    def pick(x, y):
        target = np.array([x * PX, y * PX])
        near = np.flatnonzero(np.linalg.norm(mesh.vertices[:, :2] - target, axis=1) < 0.003)
        if near.size == 0:
            return None
        vertex = int(near[np.argmax(mesh.vertices[near, 2])])
        return Hit(mesh.vertices[vertex].astype(np.float64), vertex)

    return pick


def test_mirror_mode_paints_an_exact_mirror_on_the_body(body):
    mesh, _atlas, mirror = body
    overlays = Overlays(mesh.n_vertices, ("pain",))
    viewpoint = Viewpoint(
        position=np.array([0.0, 1.0, 3.0]), direction=np.array([0, 0, -1.0]), parallel=True
    )
    stroke = BrushStroke(
        Painter(overlays),
        BrushGeometry(mesh),
        BrushSettings("pain", 7, radius=0.03, mirror=True),
        "Pain",
        overlays.keys,
        front_picker(mesh),
        viewpoint,
        5.0,
        mirror,
    )
    stroke.press(120, 420)  # the subject's left chest, seen from the front
    stroke.move(60, 380)
    edit = stroke.release()
    layer = overlays.layer("pain")
    assert edit is not None and edit.record.mirror
    left = layer[mesh.vertices[:, 0] > 0]
    assert left.any()
    assert np.array_equal(layer, layer[mirror])


def test_fill_a_region_with_its_mirror(body):
    mesh, atlas, mirror = body
    overlays = Overlays(mesh.n_vertices, ("pain",))
    region = atlas.region_by_key("temporal_l")
    ids = np.flatnonzero((atlas.region_index == region) & ~mesh.internal)
    settings = BrushSettings("pain", 4, mirror=True)
    edit = fill(
        Painter(overlays),
        settings,
        "Pain",
        overlays.keys,
        ids,
        "temporal_l",
        "Left temporal",
        mirror,
    )
    layer = overlays.layer("pain")
    right = atlas.region_by_key("temporal_r")
    assert (layer[ids] == 40).all()
    assert (layer[atlas.region_index == right] == 40).all()
    assert np.count_nonzero(layer) == 2 * ids.size
    assert edit.text == "fill Left temporal with Pain" and edit.record.region == "temporal_l"
