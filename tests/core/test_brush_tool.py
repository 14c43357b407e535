"""The brush state machine on a flat grid and on the real body: strokes, mirror, fill."""

import numpy as np
import pytest
from flat_grid import FRONT, PX, Hit, grid_mesh, plane_picker

from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.brush_tool import (
    BrushSettings,
    BrushStroke,
    fill,
    place_at,
    place_vertices,
)
from bodymap.core.document import SessionDocument
from bodymap.core.mirror import mirror_map
from bodymap.core.overlays import Overlays
from bodymap.core.painter import Painter
from bodymap.core.session import Session


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


def test_a_hit_the_caller_picked_is_used_for_the_sample_itself():
    mesh = grid_mesh()
    picker = plane_picker(mesh)
    asked = []

    def counting(x, y):
        asked.append((x, y))
        return picker(x, y)

    overlays, stroke = start(mesh, BrushSettings("pain", radius=0.004), 5.0, pick=counting)
    stroke.press(0, 0, hit=picker(0, 0))
    assert asked == []  # the press dabs at the hit it was given
    stroke.move(20, 0, hit=picker(20, 0))
    # Only the points in between are picked here; the last one is the caller's hit.
    assert asked and (20.0, 0.0) not in asked and len(asked) == 3
    stroke.move(25, 0, hit=None)  # the caller picked nothing there: no dab at (25, 0)
    edit = stroke.release()
    assert edit.record.path.shape[0] == 1 + 4 + 0
    assert np.allclose(edit.record.path[-1], [0.020, 0.0, 0.0])


def test_a_stroke_is_logged_once_and_its_layers_written_once():
    mesh = grid_mesh()
    session = Session("c-1", mesh.geometry_hash, mesh.n_vertices)
    document = SessionDocument(session, mesh, None)
    changes = []
    document.subscribe(changes.append)
    stroke = BrushStroke(
        document.painter, BrushGeometry(mesh), BrushSettings("pain"), "Pain",
        ("pain",), plane_picker(mesh), FRONT, 2.0,
    )  # fmt: skip
    document.announce_dab(stroke.press(0, 0))
    document.announce_dab(stroke.move(10, 0))
    assert all(c.live and c.vertex_ids.size for c in changes)
    edit = stroke.release()
    painted = session.overlays.values.copy()
    edit.layers.after[:] = 0  # were the layers written again, they would be wiped
    document.finish_stroke(edit)
    assert np.array_equal(session.overlays.values, painted)
    assert session.strokes == [edit.record]
    last = changes[-1]
    assert last.kind == "layers" and not last.live and last.vertex_ids is None


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


@pytest.mark.parametrize(("key", "band"), [("temporal_l", False), ("occipital", False)])
def test_the_fill_tool_and_replay_choose_the_same_vertices(body, key, band):
    mesh, atlas, _mirror = body
    ids = place_vertices(key, mesh, atlas)
    place = place_at(atlas, int(ids[0]), band)
    assert place is not None and place.key == key
    assert ids.size and not mesh.internal[ids].any()


def test_a_band_is_chosen_by_shift_click_and_found_again_by_its_key(body):
    mesh, atlas, _mirror = body
    band = atlas.bands[0]
    vertex = int(np.flatnonzero(atlas.band_index == 0)[0])
    assert place_at(atlas, vertex, band=True).key == band.key
    ids = place_vertices(band.key, mesh, atlas)
    assert np.array_equal(ids, np.flatnonzero((atlas.band_index == 0) & ~mesh.internal))
    region_keys = {r.key for r in atlas.regions}
    assert not region_keys & {b.key for b in atlas.bands}  # a key names one place only
    assert place_at(atlas, int(np.flatnonzero(atlas.band_index < 0)[0]), band=True) is None
