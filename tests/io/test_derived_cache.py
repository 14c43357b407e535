"""The derived-array cache: a second mesh of the same geometry takes its arrays from the
file, and what it leaves unread (the edges) is rebuilt the same when asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bodymap.core.mesh import BodyMesh, unique_edges
from bodymap.io.derived_cache import attach_derived, cache_path

OCTAHEDRON_V = np.array(
    [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], dtype=float
)
OCTAHEDRON_F = np.array(
    [[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]]
)


def test_a_cached_mesh_matches_a_computed_one(tmp_path: Path) -> None:
    computed = BodyMesh(OCTAHEDRON_V, OCTAHEDRON_F)
    assert attach_derived(computed, tmp_path) is False  # first time: computed and stored
    assert cache_path(computed, tmp_path).exists()
    cached = BodyMesh(OCTAHEDRON_V, OCTAHEDRON_F)
    assert attach_derived(cached, tmp_path) is True
    assert "edges" not in cached.__dict__  # left in the file, not read
    np.testing.assert_array_equal(cached.vertex_normals, computed.vertex_normals)
    np.testing.assert_array_equal(cached.vertex_areas, computed.vertex_areas)
    for mine, theirs in zip(cached.adjacency, computed.adjacency, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(cached.edges, unique_edges(OCTAHEDRON_F))


def test_an_unreadable_cache_file_is_rebuilt(tmp_path: Path) -> None:
    mesh = BodyMesh(OCTAHEDRON_V, OCTAHEDRON_F)
    path = cache_path(mesh, tmp_path)
    path.write_bytes(b"not a zip file")
    assert attach_derived(mesh, tmp_path) is False
    assert attach_derived(BodyMesh(OCTAHEDRON_V, OCTAHEDRON_F), tmp_path) is True
