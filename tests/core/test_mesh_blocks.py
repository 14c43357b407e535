"""BodyMesh's per-face geometry computed a block of faces at a time: same numbers as one
pass, and the area check looks past blocks of degenerate faces."""

from __future__ import annotations

import numpy as np
import pytest

from bodymap.core.mesh import FACE_BLOCK, BodyMesh, MeshError, face_blocks, face_cross


def _wavy_grid(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """An n x n grid bent in z: 2 (n-1)^2 faces, more than one block."""
    u, v = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n))
    vertices = np.stack([u, v, 0.1 * np.sin(6 * u) * np.cos(4 * v)], axis=-1).reshape(-1, 3)
    ids = np.arange(n * n).reshape(n, n)
    a, b, c, d = ids[:-1, :-1], ids[:-1, 1:], ids[1:, :-1], ids[1:, 1:]
    faces = np.concatenate([np.stack([a, b, d], -1), np.stack([a, d, c], -1)]).reshape(-1, 3)
    return vertices, faces


def test_blocks_cover_every_face_once() -> None:
    blocks = face_blocks(10, 4)
    assert [(s.start, s.stop) for s in blocks] == [(0, 4), (4, 8), (8, 10)]
    assert face_blocks(0) == []


def test_per_face_geometry_matches_one_whole_pass() -> None:
    vertices, faces = _wavy_grid()
    mesh = BodyMesh(vertices, faces)
    assert mesh.n_faces > FACE_BLOCK
    cross = face_cross(mesh.vertices, mesh.faces)
    norm = np.linalg.norm(cross, axis=1)
    np.testing.assert_array_equal(mesh.face_areas, 0.5 * norm)
    unit = cross / norm[:, None]
    np.testing.assert_allclose(mesh.face_normals_unit, unit, atol=1e-6)
    assert mesh.face_normals_unit.dtype == np.float32
    some = np.array([0, 5, mesh.n_faces - 1, 5])
    np.testing.assert_array_equal(mesh.face_normals(some), unit[some])
    summed = np.zeros((mesh.n_vertices, 3))
    np.add.at(summed, mesh.faces.ravel(), np.repeat(cross, 3, axis=0))
    expected = summed / np.linalg.norm(summed, axis=1, keepdims=True)
    np.testing.assert_allclose(mesh.vertex_normals, expected, atol=1e-6)


def test_area_found_after_a_block_of_degenerate_faces() -> None:
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=float)
    flat = np.zeros((FACE_BLOCK + 10, 3), dtype=np.int32)  # every corner the same vertex
    BodyMesh(vertices, np.concatenate([flat, [[0, 1, 2]]]))
    with pytest.raises(MeshError, match="no area"):
        BodyMesh(vertices, flat)


def test_winding_outward_or_inward_is_told_apart() -> None:
    # An octahedron: each face wound counter-clockwise seen from outside.
    vertices = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]])
    faces = []
    for x, y, z in [(a, b, c) for a in (0, 1) for b in (2, 3) for c in (4, 5)]:
        flip = (x == 1) + (y == 3) + (z == 5)
        faces.append((x, z, y) if flip % 2 else (x, y, z))
    outward = BodyMesh(vertices + np.array([0.2, 1.0, 0.0]), np.array(faces))
    assert outward.wound_outward
    assert not BodyMesh(outward.vertices, outward.faces[:, ::-1]).wound_outward
    assert outward.closed
    assert not BodyMesh(outward.vertices, outward.faces[1:]).closed  # one face gone: a hole
