"""The triangle geometry of markers: cylinders, cones, discs and spheres for many markers at
once, gathered as one triangle soup and handed to VTK as a single polydata."""

from __future__ import annotations

import numpy as np
import pyvista as pv

SIDES = 12
"""Segments around a stalk, a shaft or a disc."""


class Parts:
    """Triangle soup gathered part by part, then joined into one polydata."""

    def __init__(self) -> None:
        self.points: list[np.ndarray] = []
        self.normals: list[np.ndarray] = []
        self.faces: list[np.ndarray] = []
        self.colors: list[np.ndarray] = []
        self._count = 0

    def add(
        self, points: np.ndarray, normals: np.ndarray, faces: np.ndarray, rgb: np.ndarray | tuple
    ) -> None:
        """Add ``(P, V, 3)`` points and normals sharing the template ``faces`` (F, 3)."""
        n_parts, n_vertices = points.shape[:2]
        offsets = self._count + n_vertices * np.arange(n_parts)
        self.faces.append((faces[None] + offsets[:, None, None]).reshape(-1, 3))
        self.points.append(points.reshape(-1, 3))
        self.normals.append(normals.reshape(-1, 3))
        colors = np.broadcast_to(np.asarray(rgb, dtype=np.uint8).reshape(-1, 1, 3), points.shape)
        self.colors.append(colors.reshape(-1, 3))
        self._count += n_parts * n_vertices

    def polydata(self) -> pv.PolyData:
        mesh = pv.PolyData.from_regular_faces(
            np.concatenate(self.points), np.concatenate(self.faces)
        )
        mesh.point_data["Normals"] = np.concatenate(self.normals)
        mesh.GetPointData().SetActiveNormals("Normals")
        mesh.point_data["rgb"] = np.concatenate(self.colors)
        mesh.GetPointData().SetActiveScalars("rgb")
        return mesh


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    if not np.all(norms > 0):
        raise ValueError("a marker normal or direction cannot be zero")
    return vectors / norms


def _frames(axes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors perpendicular to each unit row of ``axes`` (and to each other)."""
    helper = np.where(np.abs(axes[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    u = unit_rows(np.cross(axes, helper))
    return u, np.cross(axes, u)


def _ring(axes: np.ndarray) -> np.ndarray:
    """(P, SIDES, 3) unit vectors around each axis."""
    u, v = _frames(axes)
    angles = np.linspace(0.0, 2.0 * np.pi, SIDES, endpoint=False)
    return np.cos(angles)[None, :, None] * u[:, None] + np.sin(angles)[None, :, None] * v[:, None]


def _band_faces(first: int, second: int) -> np.ndarray:
    """Triangles joining two rings of ``SIDES`` points starting at ``first`` and ``second``."""
    i = np.arange(SIDES)
    j = (i + 1) % SIDES
    return np.concatenate(
        [
            np.stack([first + i, first + j, second + j], 1),
            np.stack([first + i, second + j, second + i], 1),
        ]
    )


def _fan_faces(rim: int, centre: int, flip: bool) -> np.ndarray:
    i = np.arange(SIDES)
    j = (i + 1) % SIDES
    fan = np.stack([np.full(SIDES, centre), rim + j, rim + i], 1)
    return fan[:, ::-1] if flip else fan


def add_cylinders(parts: Parts, bases, axes, lengths, radii, rgb, caps: bool = False) -> None:
    """Open (or start-capped) cylinders from ``bases`` along unit ``axes``."""
    radial = _ring(axes)
    radii = np.broadcast_to(np.asarray(radii, dtype=float), len(bases))[:, None, None]
    tops = bases + axes * np.broadcast_to(lengths, len(bases))[:, None]
    points = [bases[:, None] + radii * radial, tops[:, None] + radii * radial]
    normals = [radial, radial]
    faces = [_band_faces(0, SIDES)]
    if caps:
        points += [bases[:, None] + radii * radial, bases[:, None]]
        normals += [np.repeat(-axes[:, None], SIDES + 1, axis=1)]
        faces.append(_fan_faces(2 * SIDES, 3 * SIDES, flip=True))
    normals_all = np.concatenate(normals, axis=1)
    parts.add(np.concatenate(points, axis=1), normals_all, np.concatenate(faces), rgb)


def add_cones(parts: Parts, bases, axes, lengths, radii, rgb) -> None:
    """Closed cones from ``bases`` to apexes along unit ``axes``."""
    radial = _ring(axes)
    radii = np.asarray(radii, dtype=float)[:, None, None]
    apexes = bases + axes * lengths[:, None]
    slope = (radii[:, :, 0] / lengths[:, None])[:, :, None]  # tilts side normals forward
    side = radial + slope * axes[:, None]
    side /= np.linalg.norm(side, axis=2, keepdims=True)
    rim = bases[:, None] + radii * radial
    points = [rim, np.repeat(apexes[:, None], SIDES, axis=1), rim, bases[:, None]]
    normals = [side, side, np.repeat(-axes[:, None], SIDES + 1, axis=1)]
    faces = [
        np.stack([np.arange(SIDES), (np.arange(SIDES) + 1) % SIDES, SIDES + np.arange(SIDES)], 1),
        _fan_faces(2 * SIDES, 3 * SIDES, flip=True),
    ]
    parts.add(
        np.concatenate(points, axis=1), np.concatenate(normals, axis=1), np.concatenate(faces), rgb
    )


def add_discs(parts: Parts, centres, normals, outer: float, inner: float, rgb) -> None:
    """Flat rings (annuli) lying in the plane perpendicular to each normal."""
    radial = _ring(normals)
    points = np.concatenate(
        [centres[:, None] + outer / 2 * radial, centres[:, None] + inner / 2 * radial], axis=1
    )
    flat = np.repeat(normals[:, None], 2 * SIDES, axis=1)
    parts.add(points, flat, _band_faces(0, SIDES)[:, ::-1], rgb)


def _unit_sphere() -> tuple[np.ndarray, np.ndarray]:
    sphere = pv.Icosphere(radius=1.0, nsub=2)
    return np.asarray(sphere.points, dtype=float), np.asarray(sphere.regular_faces)


UNIT_SPHERE = _unit_sphere()
"""(points, faces) of a unit icosphere: a pin's head, scaled and placed."""
