"""A flat grid mesh and a picker for it: the smallest surface a brush can be tested on."""

from dataclasses import dataclass

import numpy as np

from bodymap.core.brush import Viewpoint
from bodymap.core.mesh import BodyMesh

PX = 0.001  # one screen pixel is 1 mm on the grid


@dataclass
class Hit:
    point: np.ndarray
    vertex_id: int


def grid_mesh(n=61, step=0.002) -> BodyMesh:
    """A flat n x n grid in the z = 0 plane, centred on the origin, facing +z."""
    xs = (np.arange(n) - (n - 1) / 2) * step
    x, y = np.meshgrid(xs, xs, indexing="ij")
    vertices = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], axis=1).astype(np.float32)
    idx = np.arange(n * n).reshape(n, n)
    a, b, c, d = idx[:-1, :-1], idx[1:, :-1], idx[1:, 1:], idx[:-1, 1:]
    faces = np.concatenate(
        [np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)]
    )
    return BodyMesh(vertices, faces.astype(np.int32), name="grid")


def plane_picker(mesh: BodyMesh):
    """Screen pixels map to millimetres on the plane; the hit is the nearest vertex."""

    def pick(x, y):
        point = np.array([x * PX, y * PX, 0.0])
        if np.abs(point[:2]).max() > np.abs(mesh.vertices[:, :2]).max():
            return None
        vertex = int(np.argmin(np.linalg.norm(mesh.vertices - point, axis=1)))
        return Hit(point, vertex)

    return pick


FRONT = Viewpoint(position=np.array([0.0, 0.0, 1.0]), direction=np.array([0.0, 0.0, -1.0]))
