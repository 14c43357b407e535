"""Left-right mirroring of vertices, footprints and viewpoints across the plane x = 0.

The body's frame puts the midline on x = 0 (+x is the subject's left), so mirroring a point is
negating its x. On an exactly symmetric mesh, like the shipped default body, every vertex has a
mirror twin and the vertex map is an involution. A mesh that is not symmetric (a scan, an
imported model) gets a partial map: vertices with no twin within the tolerance map to -1, and a
mirrored footprint simply loses them.
"""

from __future__ import annotations

import numpy as np

from bodymap.core.brush import Footprint, Viewpoint, merge_max
from bodymap.core.mesh import BodyMesh

NO_MIRROR = -1

_FLIP_X = np.array([-1.0, 1.0, 1.0])


def mirror_point(point: np.ndarray) -> np.ndarray:
    """The point (or (..., 3) points) reflected across the midline plane x = 0."""
    return np.asarray(point, dtype=np.float64) * _FLIP_X


def mirror_viewpoint(viewpoint: Viewpoint) -> Viewpoint:
    """The viewpoint reflected across the midline: where the mirrored dab is seen from."""
    return Viewpoint(
        mirror_point(viewpoint.position), mirror_point(viewpoint.direction), viewpoint.parallel
    )


def mirror_map(mesh: BodyMesh, tolerance: float = 0.002) -> np.ndarray:
    """For each vertex, the vertex at its mirror position (-x, y, z).

    Parameters
    ----------
    mesh : BodyMesh
    tolerance : float
        Largest distance in metres between a vertex's mirror position and its twin.

    Returns
    -------
    (N,) int32
        The nearest vertex to each mirror position, or :data:`NO_MIRROR` (-1) where none lies
        within ``tolerance``. A vertex on the midline maps to itself. On an exactly symmetric
        mesh this is an involution (``m[m[i]] == i``); on any other mesh it is a partial,
        nearest-neighbour map that need not be one.
    """
    from scipy.spatial import cKDTree  # not imported with the app's start (see core/brush.py)

    vertices = mesh.vertices.astype(np.float64)
    tree = cKDTree(vertices)
    distance, nearest = tree.query(
        mirror_point(vertices), k=1, distance_upper_bound=tolerance, workers=-1
    )
    nearest = nearest.astype(np.int64)
    nearest[~np.isfinite(distance)] = NO_MIRROR  # cKDTree answers N where nothing is in range
    return nearest.astype(np.int32)


def mirror_footprint(footprint: Footprint, mirror: np.ndarray) -> Footprint:
    """The footprint carried to the other side through a :func:`mirror_map`.

    Vertices without a twin are dropped; where several vertices share one twin (only on an
    asymmetric mesh) the twin keeps the largest weight. The ids come back sorted and unique.
    """
    if footprint.is_empty:
        return Footprint()
    twins = mirror[footprint.ids]
    has_twin = twins != NO_MIRROR
    return merge_max(twins[has_twin], footprint.weights[has_twin])
