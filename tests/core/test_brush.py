"""Brush footprints: surface-connected, within the radius, facing the viewer, never internal."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import trimesh
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components, dijkstra

from bodymap.core.brush import (
    MIN_WEIGHT,
    BrushGeometry,
    Footprint,
    Viewpoint,
    merge_max,
    soft_falloff,
)
from bodymap.core.mesh import BodyMesh
from bodymap.io.default_body import load_default_body

SPACING = 0.005  # grid spacing of the tiny flat meshes, metres
FRONT = Viewpoint(np.array([0.0, 0.0, 3.0]), np.array([0.0, 0.0, -1.0]))


def grid(n: int, z: float = 0.0, spacing: float = SPACING) -> tuple[np.ndarray, np.ndarray]:
    """An n x n flat grid in the plane at height z, wound so its normals point to +z."""
    x, y = np.meshgrid(np.arange(n) * spacing, np.arange(n) * spacing, indexing="xy")
    vertices = np.column_stack([x.ravel(), y.ravel(), np.full(n * n, z)])
    corner = (np.arange(n - 1)[:, None] * n + np.arange(n - 1)[None, :]).ravel()  # row*n + col
    faces = np.concatenate(
        [np.column_stack([corner, corner + 1, corner + n + 1]),
         np.column_stack([corner, corner + n + 1, corner + n])]
    )  # fmt: skip
    return vertices, faces


def two_plates(gap: float = 0.01, n: int = 21) -> BodyMesh:
    """Plate A at z = 0 (vertices 0..n*n-1) and plate B a gap above it, not joined."""
    va, fa = grid(n)
    vb, fb = grid(n, z=gap)
    return BodyMesh(np.vstack([va, vb]), np.vstack([fa, fb + len(va)]), name="plates")


def sphere(radius: float = 0.1) -> BodyMesh:
    ico = trimesh.creation.icosphere(subdivisions=3, radius=radius)
    return BodyMesh(ico.vertices, ico.faces, name="sphere")


def reference_footprint(mesh, center, seed, radius, viewpoint, slack=0.0) -> np.ndarray:
    """The defined answer, computed over the whole mesh: the seed's connected component among
    the vertices in the ball that are paintable and facing; the seed itself always walkable.
    ``slack`` > 0 widens both tests by a hair, < 0 narrows them."""
    vertices = mesh.vertices.astype(np.float64)
    normals = mesh.vertex_normals.astype(np.float64)
    walkable = np.sum((vertices - center) ** 2, axis=1) <= (radius * (1 + slack)) ** 2
    if viewpoint is not None:
        toward = -viewpoint.direction if viewpoint.parallel else viewpoint.position - vertices
        facing = np.einsum("ij,ij->i", normals, np.broadcast_to(toward, normals.shape))
        walkable &= facing > -slack
    walkable &= mesh.external
    walkable[seed] = True
    a, b = mesh.edges[:, 0], mesh.edges[:, 1]
    both = walkable[a] & walkable[b]
    graph = sp.coo_matrix((np.ones(both.sum()), (a[both], b[both])), shape=(mesh.n_vertices,) * 2)
    _, labels = connected_components(graph, directed=False)
    return np.flatnonzero((labels == labels[seed]) & mesh.external).astype(np.int32)


def assert_matches_reference(footprint, mesh, center, seed, radius, viewpoint) -> None:
    """Equal to the reference, except that a vertex within rounding error (1e-9) of the rim or
    of the silhouette may go either way: the walk computes |v - c|^2 as |v|^2 - 2 v.c + |c|^2."""
    surely = reference_footprint(mesh, center, seed, radius, viewpoint, slack=-1e-9)
    maybe = reference_footprint(mesh, center, seed, radius, viewpoint, slack=1e-9)
    assert np.all(np.isin(surely, footprint.ids)), "a vertex the brush must paint is missing"
    assert np.all(np.isin(footprint.ids, maybe)), "the brush painted a vertex it must not"


def assert_well_formed(footprint: Footprint) -> None:
    assert footprint.ids.dtype == np.int32 and footprint.weights.dtype == np.float32
    assert len(footprint.ids) == len(footprint.weights) == len(footprint)
    assert np.all(np.diff(footprint.ids) > 0)  # unique and sorted
    assert np.all(footprint.weights > 0) and np.all(footprint.weights <= 1)


def distances(mesh: BodyMesh, footprint: Footprint, center) -> np.ndarray:
    return np.linalg.norm(mesh.vertices[footprint.ids].astype(np.float64) - center, axis=1)


@pytest.fixture(scope="module")
def plates() -> tuple[BodyMesh, BrushGeometry]:
    mesh = two_plates()
    return mesh, BrushGeometry(mesh)


@pytest.fixture(scope="module")
def ball() -> tuple[BodyMesh, BrushGeometry]:
    mesh = sphere()
    return mesh, BrushGeometry(mesh)


@pytest.fixture(scope="module")
def body():
    mesh, atlas = load_default_body()
    return mesh, atlas, BrushGeometry(mesh)


# --- tiny meshes -------------------------------------------------------------------------


@pytest.mark.parametrize("viewpoint", [None, FRONT])
@pytest.mark.parametrize("radius", [0.004, 0.02, 0.2])
def test_no_bleed_across_a_gap(plates, viewpoint, radius) -> None:
    mesh, brush = plates
    seed = 10 * 21 + 10  # the middle of plate A
    center = mesh.vertices[seed].astype(np.float64)
    footprint = brush.footprint(center, seed, radius, viewpoint)
    assert_well_formed(footprint)
    assert footprint.ids.max() < 21 * 21, "the brush jumped the gap onto plate B"
    in_ball = np.sum((mesh.vertices - center) ** 2, axis=1) <= radius**2
    if radius > 0.01:  # the plain ball does reach plate B: the walk is what stops it
        assert np.any(in_ball[21 * 21 :])
    np.testing.assert_array_equal(footprint.ids, np.flatnonzero(in_ball[: 21 * 21]))


@pytest.mark.parametrize("parallel", [False, True])
def test_a_sphere_seen_from_the_front_is_painted_on_its_front_only(ball, parallel) -> None:
    mesh, brush = ball
    viewpoint = Viewpoint(np.array([0.0, 0.0, 0.5]), np.array([0.0, 0.0, -1.0]), parallel)
    seed = int(np.argmax(mesh.vertices[:, 2]))
    footprint = brush.footprint(mesh.vertices[seed], seed, 1.0, viewpoint)  # a huge radius
    assert_well_formed(footprint)
    normals = mesh.vertex_normals[footprint.ids].astype(np.float64)
    toward = -viewpoint.direction if parallel else viewpoint.position - mesh.vertices[footprint.ids]
    assert np.all(np.einsum("ij,ij->i", normals, np.broadcast_to(toward, normals.shape)) > 0)
    assert mesh.vertices[footprint.ids, 2].min() > -1e-9  # never the far side
    assert 0.3 * mesh.n_vertices < len(footprint) < 0.55 * mesh.n_vertices
    everything = brush.footprint(mesh.vertices[seed], seed, 1.0, None)
    assert len(everything) == mesh.n_vertices  # without a viewer the walk wraps right round


def test_hard_brush_weighs_one_and_covers_what_the_soft_one_covers(ball) -> None:
    mesh, brush = ball
    hard = brush.footprint(mesh.vertices[5], 5, 0.05, FRONT, soft=False)
    soft = brush.footprint(mesh.vertices[5], 5, 0.05, FRONT, soft=True)
    assert_well_formed(hard)
    np.testing.assert_array_equal(hard.weights, 1.0)
    np.testing.assert_array_equal(hard.ids, soft.ids)
    assert soft.weights.min() < 1.0


def test_soft_weights_fall_with_distance(plates) -> None:
    mesh, brush = plates
    center = np.array([0.0512, 0.0487, 0.0])
    footprint = brush.footprint(center, 10 * 21 + 10, 0.04, None)
    assert_well_formed(footprint)
    order = np.argsort(distances(mesh, footprint, center), kind="stable")
    assert np.all(np.diff(footprint.weights[order]) <= 1e-6)
    assert footprint.weights.max() == 1.0 and footprint.weights.min() < 0.2


def test_soft_falloff_shape() -> None:
    ratio = np.linspace(0.0, 1.0, 1001)
    weight = soft_falloff(ratio)
    assert weight.dtype == np.float32
    np.testing.assert_array_equal(weight[ratio <= 0.5], 1.0)
    assert weight[-1] == MIN_WEIGHT and np.all(weight >= MIN_WEIGHT)
    assert np.all(np.diff(weight) <= 0)
    assert soft_falloff(np.array([0.75]))[0] == pytest.approx(0.5)


def test_internal_vertices_are_neither_painted_nor_walked_through() -> None:
    vertices, faces = grid(21)
    column = np.round(vertices[:, 0] / SPACING).astype(int)
    internal = column == 10  # a wall of internal vertices down the middle
    mesh = BodyMesh(vertices, faces, internal)
    brush = BrushGeometry(mesh)
    seed = 10 * 21 + 7  # left of the wall
    footprint = brush.footprint(mesh.vertices[seed], seed, 0.03, None)
    assert_well_formed(footprint)
    assert len(footprint) > 0 and np.all(column[footprint.ids] < 10)
    on_wall = 10 * 21 + 10
    inside = brush.footprint(mesh.vertices[on_wall], on_wall, 0.003, None)
    assert inside.is_empty  # a dab that only reaches internal vertices paints nothing


def test_a_seed_beyond_a_tiny_radius_is_still_painted(plates) -> None:
    mesh, brush = plates
    seed = 3 * 21 + 3
    center = mesh.vertices[seed] + np.array([0.002, 0.0, 0.0])  # off-vertex, radius 1 mm
    soft = brush.footprint(center, seed, 0.001, FRONT)
    hard = brush.footprint(center, seed, 0.001, FRONT, soft=False)
    assert soft.ids.tolist() == hard.ids.tolist() == [seed]
    assert soft.weights[0] == MIN_WEIGHT and hard.weights[0] == 1.0


def test_degenerate_requests(plates) -> None:
    mesh, brush = plates
    assert brush.footprint(mesh.vertices[0], 0, 0.0, None).is_empty
    with pytest.raises(IndexError):
        brush.footprint(mesh.vertices[0], mesh.n_vertices, 0.01, None)


def test_repeated_dabs_share_no_state(ball) -> None:
    mesh, brush = ball
    seeds = [0, 100, 0, 641, 100]
    first = {s: brush.footprint(mesh.vertices[s], s, 0.06, FRONT) for s in seeds[:2]}
    for s in seeds * 3:
        again = brush.footprint(mesh.vertices[s], s, 0.06, FRONT)
        if s in first:
            np.testing.assert_array_equal(again.ids, first[s].ids)
            np.testing.assert_array_equal(again.weights, first[s].weights)


def test_vertex_numbering_does_not_change_the_footprint(ball) -> None:
    """The brush works in its own spatial order of the vertices: renumbering the mesh's
    vertices renumbers the footprint and changes nothing else."""
    mesh, brush = ball
    shuffle = np.random.default_rng(3).permutation(mesh.n_vertices)  # new id -> old id
    new_id = np.argsort(shuffle)
    shuffled = BodyMesh(mesh.vertices[shuffle], new_id[mesh.faces], name="shuffled")
    other = BrushGeometry(shuffled)
    for seed, radius in [(0, 0.03), (100, 0.08), (641, 0.25)]:
        center = mesh.vertices[seed].astype(np.float64)
        expected = brush.footprint(center, seed, radius, FRONT)
        got = other.footprint(center, int(new_id[seed]), radius, FRONT)
        order = np.argsort(shuffle[got.ids])
        np.testing.assert_array_equal(shuffle[got.ids][order], expected.ids)
        np.testing.assert_array_equal(got.weights[order], expected.weights)


def test_a_brush_wider_than_the_mesh_takes_all_of_the_seeds_part(plates) -> None:
    """441 vertices a plate: the last block of the ball query is a short one, and every block
    is reached; only the plate joined to the seed is painted."""
    mesh, brush = plates
    for seed in (0, 21 * 21 - 1, 21 * 21, 2 * 21 * 21 - 1):
        footprint = brush.footprint(mesh.vertices[seed], seed, 10.0, None)
        plate = seed // (21 * 21)
        np.testing.assert_array_equal(
            footprint.ids, np.arange(plate * 21 * 21, (plate + 1) * 21 * 21)
        )


def test_union_keeps_the_strongest_weight(plates) -> None:
    mesh, brush = plates
    a = brush.footprint(mesh.vertices[100], 100, 0.02, None)
    b = brush.footprint(mesh.vertices[104], 104, 0.02, None)
    both = brush.union([a, Footprint(), b])
    assert_well_formed(both)
    np.testing.assert_array_equal(both.ids, np.union1d(a.ids, b.ids))
    expected = np.zeros(mesh.n_vertices, dtype=np.float32)
    np.maximum.at(expected, a.ids, a.weights)
    np.maximum.at(expected, b.ids, b.weights)
    np.testing.assert_array_equal(both.weights, expected[both.ids])
    assert brush.union([]).is_empty and brush.union([a]) is a
    merged = merge_max(np.array([5, 2, 5]), np.array([0.2, 0.5, 0.9]))
    assert merged.ids.tolist() == [2, 5] and merged.weights.tolist() == pytest.approx([0.5, 0.9])


@settings(max_examples=60, deadline=None)
@given(
    x=st.floats(0.0, 0.1),
    y=st.floats(0.0, 0.1),
    radius=st.floats(0.001, 0.08),
    view=st.sampled_from([None, FRONT, Viewpoint(np.array([0.05, 0.05, -1.0]), np.ones(3))]),
)
def test_property_plates_footprint_is_the_connected_part_of_the_ball(
    plates, x, y, radius, view
) -> None:
    mesh, brush = plates
    center = np.array([x, y, 0.0])
    seed = int(np.argmin(np.sum((mesh.vertices[: 21 * 21] - center) ** 2, axis=1)))
    footprint = brush.footprint(center, seed, radius, view)
    assert_well_formed(footprint)
    assert_matches_reference(footprint, mesh, center, seed, radius, view)
    if view is not None and view.position[2] < 0:  # seen from below: only the seed survives
        assert footprint.ids.tolist() == [seed]
    beyond = distances(mesh, footprint, center) > radius * (1 + 1e-9)
    assert footprint.ids[beyond].tolist() in ([], [seed])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 641),
    radius=st.floats(0.005, 0.15),
    eye=st.tuples(*[st.floats(-1.0, 1.0)] * 3).filter(lambda p: np.linalg.norm(p) > 0.2),
    parallel=st.booleans(),
)
def test_property_sphere_matches_the_reference(ball, seed, radius, eye, parallel) -> None:
    mesh, brush = ball
    eye = np.array(eye)
    viewpoint = Viewpoint(eye, -eye / np.linalg.norm(eye), parallel)
    center = mesh.vertices[seed].astype(np.float64)
    footprint = brush.footprint(center, seed, radius, viewpoint)
    assert_well_formed(footprint)
    assert_matches_reference(footprint, mesh, center, seed, radius, viewpoint)


# --- the default body --------------------------------------------------------------------


def region_vertices(mesh, atlas, *keys: str) -> np.ndarray:
    index = [r.key for r in atlas.regions]
    return np.flatnonzero(
        np.isin(atlas.region_index, [index.index(k) for k in keys]) & mesh.external
    )


def test_body_dabs_match_the_reference(body) -> None:
    mesh, _, brush = body
    rng = np.random.default_rng(7)
    for seed in rng.choice(np.flatnonzero(mesh.external), 12):
        center = mesh.vertices[seed] + rng.normal(0.0, 0.001, 3)
        eye = center + mesh.vertex_normals[seed] * 1.5 + rng.normal(0.0, 0.3, 3)
        viewpoint = Viewpoint(eye, center - eye)
        for radius in (0.05, 0.1):
            footprint = brush.footprint(center, seed, radius, viewpoint)
            assert_well_formed(footprint)
            assert_matches_reference(footprint, mesh, center, seed, radius, viewpoint)


def test_a_dab_on_a_finger_stays_off_the_neighbouring_finger(body) -> None:
    mesh, atlas, brush = body
    vertices = mesh.vertices.astype(np.float64)
    indptr, indices = mesh.adjacency
    rows = np.repeat(np.arange(mesh.n_vertices), np.diff(indptr))
    lengths = np.linalg.norm(vertices[rows] - vertices[indices], axis=1)
    surface = sp.csr_matrix((lengths, indices, indptr), shape=(mesh.n_vertices,) * 2)
    radius, elsewhere = 0.015, []
    for seed in np.random.default_rng(0).choice(region_vertices(mesh, atlas, "hand_l"), 40):
        footprint = brush.footprint(vertices[seed], seed, radius, None)
        in_ball = np.flatnonzero(np.sum((vertices - vertices[seed]) ** 2, axis=1) <= radius**2)
        in_ball = in_ball[mesh.external[in_ball]]
        assert np.all(np.isin(footprint.ids, in_ball))
        along_surface = dijkstra(surface, indices=seed, limit=3 * radius)
        # Everything within the radius along the surface is painted (no viewer: no facing test)
        near = np.flatnonzero(along_surface <= radius * (1 - 1e-9))
        assert np.all(np.isin(near[mesh.external[near]], footprint.ids))
        left_out = np.setdiff1d(in_ball, footprint.ids)
        elsewhere.extend(left_out[along_surface[left_out] > 2 * radius])
    # The plain ball would have painted skin more than twice the radius away along the surface
    # (the next finger, the other side of the hand); the walk painted none of it.
    assert len(elsewhere) > 50


def test_a_dab_between_the_legs_stays_on_one_leg(body) -> None:
    mesh, atlas, brush = body
    thigh = region_vertices(mesh, atlas, "thigh_anterior_l", "thigh_posterior_l")
    low = thigh[mesh.vertices[thigh, 1] < -0.15]
    seed = int(low[np.argmin(mesh.vertices[low, 0])])  # the inside of the left thigh
    center, radius = mesh.vertices[seed].astype(np.float64), 0.12
    footprint = brush.footprint(center, seed, radius, None)
    in_ball = np.sum((mesh.vertices - center) ** 2, axis=1) <= radius**2
    assert np.count_nonzero(in_ball & (mesh.vertices[:, 0] < 0)) > 100  # the ball: both legs
    assert len(footprint) > 1000 and np.all(mesh.vertices[footprint.ids, 0] > 0)


@pytest.mark.parametrize("radius", [0.1, 0.2])
def test_a_thigh_seen_from_the_front_is_painted_on_its_front_only(body, radius) -> None:
    mesh, atlas, brush = body
    thigh = region_vertices(mesh, atlas, "thigh_anterior_l")
    level = thigh[np.abs(mesh.vertices[thigh, 1] + 0.15) < 0.01]
    seed = int(level[np.argmax(mesh.vertices[level, 2])])
    center = mesh.vertices[seed].astype(np.float64)
    viewpoint = Viewpoint(np.array([center[0], center[1], 2.5]), np.array([0.0, 0.0, -1.0]))
    footprint = brush.footprint(center, seed, radius, viewpoint)
    assert_well_formed(footprint)
    toward = viewpoint.position - mesh.vertices[footprint.ids]
    assert np.all(np.einsum("ij,ij->i", mesh.vertex_normals[footprint.ids], toward) > 0)
    unseen = brush.footprint(center, seed, radius, None)  # no viewer: it wraps round the thigh
    assert np.all(np.isin(footprint.ids, unseen.ids)) and len(unseen) > len(footprint) + 100
