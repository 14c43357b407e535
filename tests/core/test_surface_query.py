"""Picking and snapping over spatial blocks (core/surface_query.py) against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from flat_grid import grid_mesh

from bodymap.core.mesh import BodyMesh
from bodymap.core.surface_query import SurfaceQuery, closest_on_triangles, segment_triangles


def lumpy_sphere(rings: int = 40, segments: int = 64, seed: int = 3) -> BodyMesh:
    """A closed, bumpy sphere of radius about 0.3 m: triangles of many sizes and slants."""
    rng = np.random.default_rng(seed)
    theta = np.linspace(0.0, np.pi, rings + 1)[1:-1]
    phi = np.linspace(0.0, 2 * np.pi, segments, endpoint=False)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    unit = np.stack([np.sin(t) * np.cos(p), np.cos(t), np.sin(t) * np.sin(p)], -1).reshape(-1, 3)
    unit = np.concatenate([unit, [[0.0, 1.0, 0.0], [0.0, -1.0, 0.0]]])
    radius = 0.3 * (1.0 + 0.15 * np.sin(5 * unit[:, 0]) * np.cos(3 * unit[:, 1]))
    vertices = unit * (radius * rng.uniform(0.97, 1.03, len(unit)))[:, None]
    idx = np.arange((rings - 1) * segments).reshape(rings - 1, segments)
    nxt = np.roll(idx, -1, axis=1)
    a, b, c, d = idx[:-1], idx[1:], nxt[1:], nxt[:-1]
    faces = [np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)]
    top, bottom = len(unit) - 2, len(unit) - 1
    faces.append(np.stack([np.full(segments, top), nxt[0], idx[0]], -1))
    faces.append(np.stack([np.full(segments, bottom), idx[-1], nxt[-1]], -1))
    return BodyMesh(vertices, np.concatenate(faces).astype(np.int32), name="lumpy")


@pytest.fixture(scope="module")
def lumpy() -> tuple[BodyMesh, SurfaceQuery]:
    mesh = lumpy_sphere()
    return mesh, SurfaceQuery(mesh)


def test_first_hit_is_the_brute_force_nearest_hit(lumpy) -> None:
    mesh, query = lumpy
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(300):
        start = rng.normal(0.0, 1.0, 3)
        start *= rng.uniform(0.0, 1.5) / np.linalg.norm(start)  # inside the body too
        end = start + 2.0 * (rng.normal(0.0, 0.2, 3) - start)  # toward the body mostly
        brute = segment_triangles(start, end - start, mesh.vertices, mesh.faces)
        hit = query.first_hit(start, end)
        if not np.isfinite(brute.min()):
            assert hit is None
            continue
        hits += 1
        assert hit is not None
        assert hit.t == pytest.approx(brute.min(), abs=1e-12)
        assert brute[hit.face_id] == pytest.approx(brute.min(), abs=1e-12)
        np.testing.assert_allclose(hit.point, start + hit.t * (end - start), atol=1e-12)
    assert hits > 100  # most rays meet the body


def test_a_ray_from_outside_hits_the_front_surface(lumpy) -> None:
    mesh, query = lumpy
    hit = query.first_hit(np.array([0.0, 0.0, 2.0]), np.array([0.0, 0.0, -2.0]))
    assert hit is not None and hit.point[2] > 0.2
    assert query.first_hit(np.array([2.0, 2.0, 2.0]), np.array([3.0, 2.0, 2.0])) is None
    assert query.first_hit(np.zeros(3), np.zeros(3)) is None


def test_closest_is_the_brute_force_nearest_point(lumpy) -> None:
    mesh, query = lumpy
    rng = np.random.default_rng(1)
    corners = mesh.vertices[mesh.faces].astype(np.float64)
    far = rng.normal(0.0, 0.4, (40, 3))
    near = mesh.vertices[rng.integers(0, mesh.n_vertices, 40)] + rng.normal(0.0, 0.01, (40, 3))
    points = np.concatenate([far, near])
    closest, faces = query.closest(points)
    for k, point in enumerate(points):
        every = closest_on_triangles(np.repeat(point[None], mesh.n_faces, axis=0), corners)
        distance = np.linalg.norm(every - point, axis=1)
        assert np.linalg.norm(closest[k] - point) == pytest.approx(distance.min(), abs=1e-12)
        assert distance[faces[k]] == pytest.approx(distance.min(), abs=1e-12)


def test_closest_keeps_points_on_the_surface() -> None:
    mesh = grid_mesh()
    query = SurfaceQuery(mesh)
    corners = mesh.vertices[mesh.faces[::7]].astype(np.float64)
    inside = np.einsum("k,fkc->fc", [0.2, 0.3, 0.5], corners)
    closest, faces = query.closest(inside)
    np.testing.assert_allclose(closest, inside, atol=1e-12)
    np.testing.assert_array_equal(faces, np.arange(0, mesh.n_faces, 7))
    assert query.closest(np.zeros((0, 3)))[0].shape == (0, 3)


def test_closest_on_triangles_beats_any_sample_of_the_triangle() -> None:
    rng = np.random.default_rng(2)
    corners = rng.normal(0.0, 1.0, (200, 3, 3))
    points = rng.normal(0.0, 2.0, (200, 3))
    nearest = closest_on_triangles(points, corners)
    steps = np.linspace(0.0, 1.0, 41)
    u, v = np.meshgrid(steps, steps)
    share = np.stack([u.ravel(), v.ravel()], 1)
    share = share[share.sum(axis=1) <= 1.0]
    weights = np.column_stack([1.0 - share.sum(axis=1), share])  # barycentric samples
    for k in range(len(points)):
        samples = weights @ corners[k]
        best = np.linalg.norm(samples - points[k], axis=1).min()
        found = np.linalg.norm(nearest[k] - points[k])
        assert found <= best + 1e-12  # never worse than a sample...
        edge = np.linalg.norm(corners[k] - np.roll(corners[k], 1, axis=0), axis=1).max()
        assert found >= best - edge / 40  # ...and no better than the grid allows
