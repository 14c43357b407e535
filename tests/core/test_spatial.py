"""A mesh's spatial order and its block helpers (core/spatial.py)."""

from __future__ import annotations

import numpy as np
from flat_grid import grid_mesh

from bodymap.core.spatial import BLOCK, block_spheres, inverse_order, ranges


def test_ranges_concatenates_runs_and_skips_empty_ones() -> None:
    out = ranges(np.array([5, 0, 9]), np.array([3, 0, 2]))
    np.testing.assert_array_equal(out, [5, 6, 7, 9, 10])
    assert ranges(np.array([4]), np.array([0])).size == 0
    assert ranges(np.zeros(0, dtype=int), np.zeros(0, dtype=int)).size == 0


def test_spatial_order_is_a_permutation_kept_on_the_mesh() -> None:
    mesh = grid_mesh()
    order = mesh.spatial_order
    assert order.dtype == np.int32
    np.testing.assert_array_equal(np.sort(order), np.arange(mesh.n_vertices))
    assert mesh.spatial_order is order  # computed once per mesh
    rank = inverse_order(order)
    np.testing.assert_array_equal(order[rank], np.arange(mesh.n_vertices))


def test_block_spheres_hold_their_vertices() -> None:
    mesh = grid_mesh()
    points = mesh.vertices[mesh.spatial_order]
    centre, radius = block_spheres(points)
    for block in range(len(radius)):
        inside = points[block * BLOCK : (block + 1) * BLOCK] - centre[:, block]
        assert np.linalg.norm(inside, axis=1).max() <= radius[block] + 1e-12
