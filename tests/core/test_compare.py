"""Comparing visits: change classes, exact areas, Jaccard, symmetry, series, transfer."""

from datetime import UTC, datetime

import numpy as np
import pytest
from flat_grid import grid_mesh

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.compare import (
    NEW,
    NONE,
    PERSISTING,
    RESOLVED,
    change_classes,
    combined_layer,
    difference,
    jaccard,
    skin_areas_cm2,
    transfer_layer,
)
from bodymap.core.findings import tag_findings
from bodymap.core.overlays import Overlays
from bodymap.core.series import SessionPoint, practitioner_changes, region_series
from bodymap.core.symmetry import mirror_region_pairs, symmetry
from bodymap.core.tags import TagSet

EXACT = 1e-12


@pytest.fixture(scope="module")
def grid():
    """A 12 cm square grid; regions: its left half (+x), right half, middle column; a band
    over its upper half."""
    mesh = grid_mesh()
    x, y = mesh.vertices[:, 0], mesh.vertices[:, 1]
    region = np.where(x > 1e-9, 0, np.where(x < -1e-9, 1, 2))
    atlas = Atlas(
        (Region("side_l", "Left side", "left", "head"),
         Region("side_r", "Right side", "right", "head"),
         Region("middle", "Middle", "midline", "head")),
        (Band("upper", "Upper band"),),
        region,
        np.where(y > 1e-9, 0, -1),
    )  # fmt: skip
    return mesh, atlas


def disk(mesh, x, y, radius):
    return np.linalg.norm(mesh.vertices[:, :2] - [x, y], axis=1) <= radius


def layer_of(mask, value=60):
    return np.where(mask, value, 0).astype(np.uint8)


def area(mesh, mask):
    return float(skin_areas_cm2(mesh)[mask].sum())


def test_change_classes_from_two_layers():
    before = np.array([0, 5, 5, 0, 100], np.uint8)
    after = np.array([0, 0, 7, 9, 1], np.uint8)
    assert change_classes(before, after).tolist() == [NONE, RESOLVED, PERSISTING, NEW, PERSISTING]
    assert change_classes(None, after).tolist() == [NONE, NONE, NEW, NEW, NEW]
    assert change_classes(before, None).tolist() == [NONE, RESOLVED, RESOLVED, NONE, RESOLVED]
    assert change_classes(None, None, n_vertices=3).tolist() == [0, 0, 0]
    assert change_classes(before, after).dtype == np.uint8
    with pytest.raises(ValueError):
        change_classes(None, None)
    with pytest.raises(ValueError):
        change_classes(before, after[:3])


def test_a_moved_patch_is_new_resolved_and_persisting_exactly(grid):
    mesh, atlas = grid
    was, now = disk(mesh, -0.02, -0.03, 0.015), disk(mesh, -0.005, -0.03, 0.015)
    diff = difference(layer_of(was, 60), layer_of(now, 30), mesh, atlas, "pain")
    total = diff.total
    assert total.new_cm2 == pytest.approx(area(mesh, now & ~was), rel=EXACT)
    assert total.resolved_cm2 == pytest.approx(area(mesh, was & ~now), rel=EXACT)
    assert total.persisting_cm2 == pytest.approx(area(mesh, was & now), rel=EXACT)
    assert total.area_before_cm2 == pytest.approx(area(mesh, was), rel=EXACT)
    assert total.area_after_cm2 == pytest.approx(area(mesh, now), rel=EXACT)
    assert total.change_cm2 == pytest.approx(area(mesh, now) - area(mesh, was), abs=1e-9)
    assert (total.mean_before, total.mean_after) == pytest.approx((6.0, 3.0), rel=EXACT)
    assert total.jaccard == pytest.approx(area(mesh, was & now) / area(mesh, was | now))
    skin = float(skin_areas_cm2(mesh).sum())
    assert total.percent_before == pytest.approx(100 * area(mesh, was) / skin)
    assert diff.tag == "pain" and np.array_equal(diff.classes, change_classes(was, now))
    # The patch moved from the right side (-x) into the middle and the left side.
    right, left = atlas.region_index == 1, atlas.region_index == 0
    by_key = {r.key: r for r in diff.regions}
    assert set(by_key) == {"side_l", "side_r", "middle"}
    assert by_key["side_r"].resolved_cm2 == pytest.approx(area(mesh, was & ~now & right))
    assert by_key["side_l"].new_cm2 == pytest.approx(area(mesh, now & ~was & left))
    assert by_key["side_l"].area_before_cm2 == 0.0 and by_key["side_l"].jaccard == 0.0
    changes = [abs(r.change_cm2) for r in diff.regions]
    assert changes == sorted(changes, reverse=True)
    assert diff.bands == ()  # nothing in the upper band


def test_a_shrunk_patch_and_a_removed_one(grid):
    mesh, atlas = grid
    big, small = disk(mesh, 0.02, 0.02, 0.02), disk(mesh, 0.02, 0.02, 0.01)
    shrunk = difference(layer_of(big), layer_of(small), mesh, atlas).total
    assert shrunk.new_cm2 == 0.0
    assert shrunk.resolved_cm2 == pytest.approx(area(mesh, big & ~small), rel=EXACT)
    assert shrunk.persisting_cm2 == pytest.approx(area(mesh, small), rel=EXACT)
    gone = difference(layer_of(big), None, mesh, atlas)
    assert gone.total.resolved_cm2 == pytest.approx(area(mesh, big), rel=EXACT)
    assert (gone.total.area_after_cm2, gone.total.mean_after, gone.total.jaccard) == (0, 0, 0)
    [band] = gone.bands
    upper = atlas.band_index == 0
    assert band.key == "upper" and band.resolved_cm2 == pytest.approx(area(mesh, big & upper))
    nothing = difference(None, None, mesh, atlas)
    assert nothing.total.jaccard is None and nothing.regions == () and not nothing.classes.any()
    data = gone.to_dict()
    assert "classes" not in data and data["total"]["resolved_cm2"] == gone.total.resolved_cm2


@pytest.mark.parametrize("n", [1, 6, 60])
def test_jaccard_of_identical_disjoint_and_half_overlapping_areas(n):
    weights = np.ones(4 * n)
    a = np.zeros(4 * n, bool)
    a[: 2 * n] = True
    assert jaccard(a, a, weights) == 1.0
    assert jaccard(a, ~a, weights) == 0.0
    half = np.roll(a, n)  # two equal sets, each overlapping the other by half
    assert jaccard(a, half, weights) == 1 / 3
    assert jaccard(np.zeros(4 * n, bool), np.zeros(4 * n, bool), weights) is None


def test_jaccard_is_weighted_by_area():
    a = np.array([True, True, False])
    b = np.array([False, True, True])
    assert jaccard(a, b, np.array([1.0, 2.0, 1.0])) == 0.5


def test_combined_layer_takes_the_strongest_value():
    overlays = Overlays(4, ("pain", "heat", "release"))
    overlays.set_layer("pain", np.array([10, 0, 50, 0]))
    overlays.set_layer("heat", np.array([30, 0, 20, 0]))
    overlays.set_layer("release", np.array([0, 0, 0, 90]))
    assert combined_layer(overlays).tolist() == [30, 0, 50, 90]
    assert combined_layer(overlays, ["pain", "heat", "absent"]).tolist() == [30, 0, 50, 0]
    assert combined_layer(overlays, []).tolist() == [0, 0, 0, 0]


@pytest.fixture(scope="module")
def body():
    from bodymap.core.mirror import mirror_map
    from bodymap.io.default_body import load_default_body

    mesh, atlas = load_default_body()
    return mesh, atlas, mirror_map(mesh)


def test_mirror_pairs_of_the_default_atlas(body):
    _, atlas, _ = body
    pairs = mirror_region_pairs(atlas)
    keys = [(atlas.regions[left].key, atlas.regions[right].key) for left, right in pairs]
    assert ("temporal_l", "temporal_r") in keys and ("tmj_l", "tmj_r") in keys
    assert all(left.endswith("_l") and right == left[:-2] + "_r" for left, right in keys)
    assert len(keys) == sum(r.key.endswith("_l") for r in atlas.regions)


def test_a_mirrored_painting_is_exactly_symmetric(body):
    mesh, atlas, mirror = body
    rng = np.random.default_rng(3)
    layer = np.zeros(mesh.n_vertices, np.uint8)
    left = np.flatnonzero(mesh.vertices[:, 0] > 0.01)
    for centre in rng.choice(left, 25, replace=False):
        near = np.linalg.norm(mesh.vertices - mesh.vertices[centre], axis=1) < 0.04
        layer[near] = rng.integers(10, 100)
    mirrored = np.maximum(layer, layer[mirror])
    rows = symmetry(mirrored, mesh, atlas)
    painted = [row for row in rows if row.index is not None]
    assert len(rows) == len(mirror_region_pairs(atlas)) and len(painted) >= 10
    assert all(row.index == 0.0 for row in painted)
    assert all(row.left_cm2 == pytest.approx(row.right_cm2, rel=1e-12) for row in painted)
    temporal = next(row for row in rows if row.left_key == "temporal_l")
    assert temporal.name == "Temporal" and temporal.right_key == "temporal_r"


def test_a_one_sided_painting_scores_plus_or_minus_one(body):
    mesh, atlas, mirror = body
    layer = np.zeros(mesh.n_vertices, np.uint8)
    layer[atlas.region_index == atlas.region_by_key("temporal_l")] = 50
    by_key = {row.left_key: row for row in symmetry(layer, mesh, atlas)}
    assert by_key["temporal_l"].index == 1.0 and by_key["temporal_l"].right_cm2 == 0.0
    assert by_key["tmj_l"].index is None
    assert {row.left_key: row for row in symmetry(layer[mirror], mesh, atlas)}[
        "temporal_l"
    ].index == -1.0


def test_region_series_matches_the_findings_of_each_session(body):
    mesh, atlas, _ = body
    rng = np.random.default_rng(7)
    layers = []
    for _ in range(4):
        layer = np.zeros(mesh.n_vertices, np.uint8)
        for centre in rng.choice(mesh.n_vertices, 6, replace=False):
            near = np.linalg.norm(mesh.vertices - mesh.vertices[centre], axis=1) < 0.05
            layer[near] = rng.integers(1, 101, near.sum())
        layers.append(layer)
    layers.insert(2, None)  # a visit without this tag
    series = region_series(layers, mesh, atlas)
    area, mean, region_area, region_mean = series  # unpacks into four arrays
    n_regions = len(atlas.regions)
    assert area.shape == mean.shape == (5,)
    assert region_area.shape == region_mean.shape == (5, n_regions)
    assert area[2] == 0 and mean[2] == 0 and not region_area[2].any()
    for s, layer in enumerate(layers):
        if layer is None:
            continue
        overlays = Overlays(mesh.n_vertices, ("pain",))
        overlays.set_layer("pain", layer)
        [finding] = tag_findings(overlays, TagSet(), mesh, atlas)
        assert area[s] == pytest.approx(finding.total.area_cm2, rel=1e-12)
        assert mean[s] == pytest.approx(finding.total.mean_intensity, rel=1e-12)
        regions = {atlas.region_by_key(r.region_key): r for r in finding.regions}
        assert set(np.flatnonzero(region_area[s])) == set(regions)
        for index, r in regions.items():
            assert region_area[s, index] == pytest.approx(r.area_cm2, rel=1e-12)
            assert region_mean[s, index] == pytest.approx(r.mean_intensity, rel=1e-12)


def test_region_series_of_nothing(grid):
    mesh, atlas = grid
    series = region_series([], mesh, atlas)
    assert series.area_cm2.shape == (0,) and series.region_area_cm2.shape == (0, 3)
    with pytest.raises(ValueError):
        region_series([np.zeros(5, np.uint8)], mesh, atlas)


def test_practitioner_changes():
    names = ["Zoë", "zoë ", "Sam", "Sam", "Zoë", ""]
    assert practitioner_changes(names) == [2, 4, 5]
    assert practitioner_changes([]) == [] and practitioner_changes(["A"]) == []


def test_session_point_to_dict():
    when = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
    point = SessionPoint("s-1", when, "Zoë", 12.5, 4.0)
    assert point.to_dict()["started"] == "2026-01-02T09:30:00+00:00"


def test_transfer_onto_a_coarser_grid_takes_the_nearest_values():
    fine, coarse = grid_mesh(n=61, step=0.002), grid_mesh(n=31, step=0.004)
    layer = np.zeros(fine.n_vertices, np.uint8)
    layer[disk(fine, 0.01, -0.02, 0.02)] = 70
    moved = transfer_layer(layer, fine, coarse)
    # Coarse vertex (i, j) lies on fine vertex (2i, 2j): the values carry over exactly.
    i, j = np.divmod(np.arange(coarse.n_vertices), 31)
    assert np.allclose(fine.vertices[2 * i * 61 + 2 * j], coarse.vertices)
    assert moved.dtype == np.uint8 and moved.shape == (coarse.n_vertices,)
    assert moved.any() and np.array_equal(moved, layer[2 * i * 61 + 2 * j])
    assert transfer_layer(None, fine, coarse).tolist() == [0] * coarse.n_vertices
    assert np.array_equal(transfer_layer(layer, fine, fine), layer)


def test_region_series_drops_unassigned_vertices_and_keeps_sessions_apart(grid):
    """Paint on a vertex of no region counts in the body's total only; each session's
    figures are its own whatever the others hold (one bin per session and region)."""
    from bodymap.core.atlas import NO_REGION, Atlas
    from bodymap.core.series import PaintedVertices, region_bins

    mesh, atlas = grid
    index = np.array(atlas.region_index)
    index[0] = NO_REGION
    partial = Atlas(atlas.regions, atlas.bands, index, atlas.band_index)
    bins = region_bins(partial)
    assert bins[0] == len(atlas.regions) and np.array_equal(bins[1:], index[1:])
    assert not bins.flags.writeable and region_bins(partial) is bins
    only_zero = np.zeros(mesh.n_vertices, np.uint8)
    only_zero[0] = 50
    everywhere = np.full(mesh.n_vertices, 30, np.uint8)
    both = region_series([only_zero, everywhere, None], mesh, partial)
    alone = [region_series([layer], mesh, partial) for layer in (only_zero, everywhere)]
    assert not both.region_area_cm2[0].any() and both.area_cm2[0] > 0
    assert both.mean_intensity[0] == pytest.approx(5.0)
    for row, single in enumerate(alone):
        for got, expected in zip(both, single, strict=True):
            assert np.array_equal(got[row], expected[0])
    assert not both.region_area_cm2[2].any() and both.area_cm2[2] == 0
    painted = PaintedVertices.of(everywhere)
    sparse = region_series([painted], mesh, partial)
    assert all(np.array_equal(a, b) for a, b in zip(sparse, alone[1], strict=True))
