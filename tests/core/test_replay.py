"""Replaying stroke logs: the real brush and fill code, then replay, gives the same layers."""

import dataclasses

import numpy as np
import pytest
from flat_grid import FRONT, Hit, grid_mesh, plane_picker

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.brush_tool import BrushSettings, BrushStroke, fill
from bodymap.core.mirror import mirror_map
from bodymap.core.painter import Painter
from bodymap.core.replay import place_vertices, replay, replay_states, state_after
from bodymap.core.session import Session, carry_over

KEYS = ("pain", "release", "heat", "restriction")


def float32_picker(pick):
    """Rounds the hit to float32, as the stroke log stores it (see bodymap.core.replay)."""

    def rounded(x, y):
        hit = pick(x, y)
        if hit is None:
            return None
        return Hit(np.asarray(hit.point, np.float32).astype(np.float64), hit.vertex_id)

    return rounded


class Recorder:
    """Paints a session with the real tools and keeps a copy of the layers after each edit."""

    def __init__(self, session, mesh, atlas, pick, viewpoint, spacing_px=2.0):
        self.session, self.mesh, self.atlas = session, mesh, atlas
        self.painter = Painter(session.overlays)
        self.geometry = BrushGeometry(mesh)
        self.mirror = mirror_map(mesh)
        self.pick, self.viewpoint, self.spacing = pick, viewpoint, spacing_px
        self.states = []

    def stroke(self, settings, points, pressures=None):
        pressures = pressures or [1.0] * len(points)
        stroke = BrushStroke(
            self.painter, self.geometry, settings, settings.tag, self.session.overlays.keys,
            self.pick, self.viewpoint, self.spacing, self.mirror,
        )  # fmt: skip
        stroke.press(*points[0], pressures[0])
        for point, pressure in zip(points[1:], pressures[1:], strict=True):
            stroke.move(*point, pressure)
        self._apply(stroke.release())

    def fill(self, settings, place):
        ids = place_vertices(place, self.mesh, self.atlas)
        edit = fill(self.painter, settings, settings.tag, self.session.overlays.keys, ids,
                    place, place, self.mirror)  # fmt: skip
        self._apply(edit)

    def _apply(self, edit):
        assert edit is not None, "the edit changed nothing"
        edit.apply(self.session)
        self.states.append(self.session.overlays.copy())


@pytest.fixture(scope="module")
def grid():
    mesh = grid_mesh()
    x, y = mesh.vertices[:, 0], mesh.vertices[:, 1]
    atlas = Atlas(
        (Region("side_l", "Left side", "left", "head"),
         Region("side_r", "Right side", "right", "head"),
         Region("middle", "Middle", "midline", "head")),
        (Band("upper", "Upper band"),),
        np.where(x > 1e-9, 0, np.where(x < -1e-9, 1, 2)),
        np.where(y > 1e-9, 0, -1),
    )  # fmt: skip
    return mesh, atlas


def painted_on_grid(mesh, atlas, session=None):
    session = session or Session("c-1", mesh.geometry_hash, mesh.n_vertices)
    session.overlays.ensure_layers(KEYS)
    rec = Recorder(session, mesh, atlas, float32_picker(plane_picker(mesh)), FRONT)
    rec.stroke(BrushSettings("pain", 7, radius=0.006), [(-30, -20), (-5, 3), (20, 10)],
               [0.7, 0.4, 1.0])  # fmt: skip
    rec.stroke(BrushSettings("release", 4.5, radius=0.004, soft=False, mirror=True),
               [(-25, 20), (-10, 25)])  # fmt: skip
    rec.fill(BrushSettings("heat", 3), "side_l")
    rec.fill(BrushSettings("restriction", 8, mirror=True), "upper")
    rec.stroke(BrushSettings("pain", radius=0.005, mode="erase"), [(-10, 0), (0, 5)], [0.8, 0.8])
    rec.stroke(BrushSettings("pain", 2, radius=0.008), [(10, 8), (12, -10)])  # over old paint
    rec.stroke(BrushSettings("pain", radius=0.006, mode="erase_all", soft=False), [(15, 20)])
    rec.fill(BrushSettings("heat", mode="erase"), "upper")
    return session, rec.states


def test_replay_reproduces_every_state_exactly(grid):
    mesh, atlas = grid
    session, states = painted_on_grid(mesh, atlas)
    assert len(session.strokes) == len(states) == 8
    kinds = [s.kind for s in session.strokes]
    assert kinds == ["paint", "paint", "fill", "fill", "erase", "paint", "erase", "erase"]
    replayed = replay_states(session.strokes, mesh, atlas, KEYS)
    assert len(replayed) == len(states)
    for k, (got, want) in enumerate(zip(replayed, states, strict=True)):
        for key in KEYS:
            assert np.array_equal(got.layer(key), want.layer(key)), (k, key)
    final = state_after(session.strokes, mesh, atlas, len(session.strokes), KEYS)
    assert final.equals(session.overlays)
    assert state_after(session.strokes, mesh, atlas, 3).equals(states[2])
    assert state_after(session.strokes, mesh, atlas, 0).is_empty()


def test_replay_yields_one_overlays_painted_further(grid):
    mesh, atlas = grid
    session, states = painted_on_grid(mesh, atlas)
    seen = []
    for index, overlays in replay(session.strokes, mesh, atlas, KEYS):
        assert overlays.equals(states[index])
        seen.append(overlays)
    assert all(o is seen[0] for o in seen)


def test_replay_after_a_store_round_trip(grid, tmp_path):
    from bodymap.store import Store

    mesh, atlas = grid
    store = Store(tmp_path / "store")
    client = store.create_client("Ada")
    session, _ = painted_on_grid(mesh, atlas, Session(client.id, mesh.geometry_hash,
                                                      mesh.n_vertices))  # fmt: skip
    store.save(session)
    loaded = store.load(session.id)
    replayed = state_after(loaded.strokes, mesh, atlas, len(loaded.strokes), KEYS)
    assert replayed.equals(loaded.overlays) and not replayed.is_empty()


def test_a_carried_over_session_replays_from_its_start(grid):
    mesh, atlas = grid
    first, _ = painted_on_grid(mesh, atlas)
    second = carry_over(first)
    rec = Recorder(second, mesh, atlas, float32_picker(plane_picker(mesh)), FRONT)
    rec.stroke(BrushSettings("pain", mode="erase", radius=0.01, soft=False), [(-30, -20)])
    rec.stroke(BrushSettings("release", 9, radius=0.005), [(0, -25), (25, -25)])
    start = first.overlays
    again = state_after(second.strokes, mesh, atlas, len(second.strokes), KEYS, start=start)
    assert again.equals(second.overlays)
    assert start.equals(first.overlays)  # the start is copied, never painted
    # From empty layers the carried-over findings are missing: the start is needed.
    assert not state_after(second.strokes, mesh, atlas, len(second.strokes)).equals(second.overlays)


def test_a_fill_of_an_unknown_place_is_refused(grid):
    mesh, atlas = grid
    session, _ = painted_on_grid(mesh, atlas)
    broken = [dataclasses.replace(session.strokes[2], region="nowhere")]
    with pytest.raises(KeyError, match="nowhere"):
        state_after(broken, mesh, atlas, 1)


@pytest.fixture(scope="module")
def body():
    from bodymap.io.default_body import load_default_body

    return load_default_body()


def front_picker(mesh):
    """Pixel (x, y) is world (x mm, y mm); the hit is the front-most vertex within 3 mm."""

    def pick(x, y):
        near = np.flatnonzero(np.linalg.norm(mesh.vertices[:, :2] - [x / 1e3, y / 1e3], axis=1)
                              < 0.003)  # fmt: skip
        if near.size == 0:
            return None
        vertex = int(near[np.argmax(mesh.vertices[near, 2])])
        return Hit(mesh.vertices[vertex].astype(np.float64), vertex)

    return pick


def test_replay_on_the_default_body(body):
    mesh, atlas = body
    session = Session("c-1", mesh.geometry_hash, mesh.n_vertices)
    view = Viewpoint(np.array([0.0, 1.0, 3.0]), np.array([0.0, 0.0, -1.0]), parallel=True)
    rec = Recorder(session, mesh, atlas, front_picker(mesh), view, spacing_px=5.0)
    rec.stroke(BrushSettings("pain", 7, radius=0.03, mirror=True), [(120, 420), (60, 380)])
    rec.fill(BrushSettings("restriction", 6), "occipital")
    rec.fill(BrushSettings("release", 4, mirror=True), "cranial_base")
    rec.stroke(BrushSettings("pain", 3, radius=0.02), [(90, 400), (100, 300)], [0.5, 0.9])
    rec.stroke(BrushSettings("pain", mode="erase_all", radius=0.03), [(95, 390)])
    replayed = state_after(session.strokes, mesh, atlas, len(session.strokes))
    assert replayed.equals(session.overlays) and not replayed.is_empty()
