"""BodyMesh: validation and derived geometry on tiny meshes."""

from __future__ import annotations

import numpy as np
import pytest

from bodymap.core.mesh import BodyMesh, MeshError, adjacency_from_edges, unique_edges

TETRA_V = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
TETRA_F = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])


@pytest.mark.parametrize(
    ("vertices", "faces", "message"),
    [
        (np.zeros((0, 3)), np.zeros((0, 3), int), "fewer than 3 vertices"),
        (TETRA_V, np.zeros((0, 3), int), "no triangle faces"),
        (np.where(np.arange(12).reshape(4, 3) == 4, np.nan, TETRA_V), TETRA_F, "NaN"),
        (TETRA_V, TETRA_F + 1, "do not exist"),
        (np.outer(np.arange(4), [1.0, 2.0, 3.0]), TETRA_F, "no area"),  # a slanted line
        (np.outer(np.arange(4), [1.0, 0.0, 0.0]), TETRA_F, "no area"),
    ],
)
def test_unusable_surfaces_are_refused_with_a_reason(vertices, faces, message) -> None:
    with pytest.raises(MeshError, match=message):
        BodyMesh(vertices, faces)


def test_tetrahedron_geometry() -> None:
    mesh = BodyMesh(TETRA_V, TETRA_F)
    assert mesh.edges.tolist() == [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
    indptr, indices = mesh.adjacency
    assert sorted(indices[indptr[0] : indptr[1]].tolist()) == [1, 2, 3]
    assert mesh.vertex_areas.sum() == pytest.approx(mesh.face_areas.sum())
    assert mesh.skin_area == pytest.approx(1.5 + np.sqrt(3) / 2)
    # Outward normals: the vertex at the origin points away from the other three.
    assert np.dot(mesh.vertex_normals[0], [1, 1, 1]) < 0
    assert len(mesh.geometry_hash) == 64


def test_edge_helpers_agree_with_a_plain_python_count() -> None:
    faces = np.random.default_rng(1).integers(0, 50, (200, 3))
    expected = sorted(
        {tuple(sorted(p)) for f in faces.tolist() for p in zip(f, f[1:] + f[:1], strict=True)}
    )
    edges = unique_edges(faces)
    assert [tuple(e) for e in edges.tolist()] == expected
    indptr, indices = adjacency_from_edges(edges, 50)
    assert len(indices) == 2 * len(edges) and indptr[-1] == len(indices)


def test_cached_derived_arrays_must_belong_to_the_mesh() -> None:
    mesh = BodyMesh(TETRA_V, TETRA_F)
    other = BodyMesh(np.vstack([TETRA_V, [[2, 2, 2]]]), TETRA_F)
    with pytest.raises(ValueError, match="do not belong"):
        other.adopt_derived(mesh.derived_arrays())
