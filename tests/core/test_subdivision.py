"""Loop subdivision and longest-edge bisection keep a closed surface closed."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from bodymap.core.mesh import BodyMesh
from bodymap.core.subdivision import loop_subdivide, refine_long_edges


def closed(vertices, faces) -> bool:
    mesh = trimesh.Trimesh(vertices, faces, process=False)
    return bool(mesh.is_watertight and mesh.is_winding_consistent)


@pytest.fixture
def sphere():
    mesh = trimesh.creation.icosphere(subdivisions=1)
    return mesh.vertices, mesh.faces


def test_loop_quadruples_faces_and_stays_closed(sphere) -> None:
    vertices, faces = sphere
    fine_v, fine_f, operator, parent = loop_subdivide(vertices, faces, 2)
    assert len(fine_f) == 16 * len(faces)
    assert closed(fine_v, fine_f)
    np.testing.assert_allclose(np.asarray(operator.sum(axis=1)).ravel(), 1.0)  # affine weights
    np.testing.assert_array_equal(np.bincount(parent), 16)
    radius = np.linalg.norm(fine_v, axis=1)
    assert radius.min() > 0.9 and radius.max() <= 1.0 + 1e-9


def test_loop_refuses_an_open_mesh() -> None:
    with pytest.raises(ValueError, match="closed manifold"):
        loop_subdivide(np.eye(3), np.array([[0, 1, 2]]), 1)


def test_bisection_bounds_every_edge_and_stays_closed(sphere) -> None:
    vertices, faces = sphere
    fine_v, fine_f, operator, parent = refine_long_edges(vertices, faces, 0.2)
    mesh = BodyMesh(fine_v, fine_f)
    assert mesh.edge_lengths.max() <= 0.2
    assert closed(fine_v, fine_f)
    # Midpoints only: the surface area and every original vertex are unchanged.
    original = BodyMesh(vertices, faces)
    assert mesh.face_areas.sum() == pytest.approx(original.face_areas.sum())
    np.testing.assert_array_equal(fine_v[: len(vertices)], vertices)
    np.testing.assert_allclose(operator @ vertices, fine_v)
    assert parent.max() == len(faces) - 1


def test_bisection_keeps_mirror_symmetry(sphere) -> None:
    vertices, faces = sphere
    fine_v, _, _, _ = refine_long_edges(vertices, faces, 0.15)
    mirrored = fine_v * [-1, 1, 1]
    order = np.lexsort(np.round(fine_v, 9).T)
    mirror_order = np.lexsort(np.round(mirrored, 9).T)
    np.testing.assert_allclose(fine_v[order], mirrored[mirror_order], atol=1e-9)
