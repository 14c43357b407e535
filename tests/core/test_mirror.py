"""Mirroring across the midline: an exact involution on the default body, partial elsewhere."""

from __future__ import annotations

import numpy as np
import pytest

from bodymap.core.brush import BrushGeometry, Footprint, Viewpoint
from bodymap.core.mesh import BodyMesh
from bodymap.core.mirror import (
    NO_MIRROR,
    mirror_footprint,
    mirror_map,
    mirror_point,
    mirror_viewpoint,
)
from bodymap.io.default_body import load_default_body


@pytest.fixture(scope="module")
def body():
    mesh, _ = load_default_body()
    return mesh, mirror_map(mesh), BrushGeometry(mesh)


def test_the_default_body_map_is_an_exact_involution(body) -> None:
    mesh, mirror, _ = body
    assert mirror.dtype == np.int32 and mirror.shape == (mesh.n_vertices,)
    assert np.all(mirror != NO_MIRROR)
    np.testing.assert_array_equal(mirror[mirror], np.arange(mesh.n_vertices))
    np.testing.assert_array_equal(mesh.vertices[mirror], mesh.vertices * [-1, 1, 1])
    midline = np.flatnonzero(mesh.vertices[:, 0] == 0)
    assert len(midline) > 100
    np.testing.assert_array_equal(mirror[midline], midline)
    np.testing.assert_array_equal(mesh.internal[mirror], mesh.internal)


@pytest.mark.parametrize(("parallel", "soft"), [(False, True), (True, True), (False, False)])
def test_a_mirrored_footprint_is_the_dab_on_the_other_side(body, parallel, soft) -> None:
    """Same ids, same weights: the body is exactly symmetric, and so are its normals, and the
    walk sees x only through products of two negated numbers, which round identically. Here the
    weights come out bit-identical; the 1e-6 allowance is for a BLAS whose matrix-product kernels
    round a row differently depending on where it falls in the block."""
    mesh, mirror, brush = body
    rng = np.random.default_rng(3)
    for seed in rng.choice(np.flatnonzero(mesh.external), 25):
        center = mesh.vertices[seed] + rng.normal(0.0, 0.001, 3)
        eye = center + 1.5 * mesh.vertex_normals[seed] + rng.normal(0.0, 0.3, 3)
        viewpoint = Viewpoint(eye, center - eye, parallel)
        radius = rng.uniform(0.02, 0.12)
        here = brush.footprint(center, seed, radius, viewpoint, soft)
        there = brush.footprint(
            mirror_point(center), mirror[seed], radius, mirror_viewpoint(viewpoint), soft
        )
        mirrored = mirror_footprint(here, mirror)
        assert len(here) > 0
        np.testing.assert_array_equal(mirrored.ids, there.ids)
        np.testing.assert_allclose(mirrored.weights, there.weights, rtol=0, atol=1e-6)


def test_mirror_viewpoint_and_point_negate_x() -> None:
    viewpoint = Viewpoint(np.array([1.0, 2.0, 3.0]), np.array([-0.6, 0.0, -0.8]), parallel=True)
    mirrored = mirror_viewpoint(viewpoint)
    np.testing.assert_array_equal(mirrored.position, [-1.0, 2.0, 3.0])
    np.testing.assert_array_equal(mirrored.direction, [0.6, 0.0, -0.8])
    assert mirrored.parallel
    np.testing.assert_array_equal(mirror_point(np.ones((2, 3))), [[-1, 1, 1]] * 2)


def test_an_asymmetric_mesh_gets_a_partial_map() -> None:
    vertices = np.array(
        [[-0.1, 0, 0], [0.1, 0, 0], [0, 0.1, 0], [0.3, 0.1, 0], [0.3005, 0.2, 0.0]]
    )  # 0 and 1 are twins, 2 is on the midline, 3 and 4 have no twin
    faces = np.array([[0, 1, 2], [1, 3, 2], [3, 4, 2]])
    mirror = mirror_map(BodyMesh(vertices, faces), tolerance=0.002)
    assert mirror.tolist() == [1, 0, 2, NO_MIRROR, NO_MIRROR]
    loose = mirror_map(BodyMesh(vertices, faces), tolerance=1.0)
    assert loose[3] == 0 and loose[0] == 1  # nearest twins, but no longer an involution


def test_mirror_footprint_drops_missing_twins_and_keeps_the_strongest_weight() -> None:
    mirror = np.array([4, 4, NO_MIRROR, 0, 1], dtype=np.int32)
    footprint = Footprint(
        np.array([0, 1, 2, 3], dtype=np.int32), np.array([0.2, 0.7, 1.0, 0.5], dtype=np.float32)
    )
    mirrored = mirror_footprint(footprint, mirror)
    assert mirrored.ids.dtype == np.int32 and mirrored.weights.dtype == np.float32
    assert mirrored.ids.tolist() == [0, 4]
    assert mirrored.weights.tolist() == pytest.approx([0.5, 0.7])
    assert mirror_footprint(Footprint(), mirror).is_empty
