"""A mesh's vertices in spatial order, and bounding spheres over runs of that order.

The brush's ball query (``core/brush.py``) prunes by spheres round blocks of spatially close
vertices, then round groups of blocks. The order is the leaf order of a KD-tree over the
vertices, computed once per mesh (``BodyMesh.spatial_order``): a brush geometry built again
for the same mesh reuses it, and so does picking (``core/surface_query.py``: the triangles
by the block of their first corner in that order).
"""

from __future__ import annotations

import numpy as np

BLOCK = 32
"""Vertices per block: consecutive in the spatial order, bounded by a sphere."""
GROUP = 32
"""Blocks per group: a query tests the groups' spheres first, then only the blocks of the
groups it reaches, so it never passes over every block (31k at 1M vertices)."""


def leaf_order(vertices: np.ndarray) -> np.ndarray:
    """Vertex ids in the leaf order of a KD-tree with leaves of :data:`BLOCK`, (N,) int32."""
    # scipy is imported here, not with the module: the app starts (and shows the body)
    # without it.
    from scipy.spatial import cKDTree

    # Only the leaf order is kept: the quickest build (no balancing, no node compaction).
    tree = cKDTree(vertices, BLOCK, compact_nodes=False, copy_data=False, balanced_tree=False)
    return tree.indices.astype(np.int32)


def inverse_order(order: np.ndarray) -> np.ndarray:
    """The place of each id in ``order`` (vertex id -> spatial position), int32."""
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank


def reached(centre: np.ndarray, radius: np.ndarray, point: np.ndarray, reach: float) -> np.ndarray:
    """Indices of the spheres (centres (3, B), radii (B,)) within ``reach`` of ``point``."""
    sq = (centre[0] - point[0]) ** 2
    sq += (centre[1] - point[1]) ** 2
    sq += (centre[2] - point[2]) ** 2
    limit = radius + reach
    return np.flatnonzero(sq <= limit * limit)


def block_spheres(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre (3, B) and radius (B,) of a sphere round each block of consecutive vertices."""
    count = len(vertices)
    n_blocks = -(-count // BLOCK)
    centre, radius = np.empty((n_blocks, 3)), np.empty(n_blocks)
    step = 4096  # blocks at a time: float64 temporaries of a few MiB, whatever the mesh
    for first in range(0, n_blocks, step):
        last = min(first + step, n_blocks)
        padded = np.empty(((last - first) * BLOCK, 3))
        part = vertices[first * BLOCK : last * BLOCK]
        padded[: len(part)] = part
        padded[len(part) :] = vertices[-1] if count else 0.0  # a real vertex: bounds unchanged
        blocks = padded.reshape(-1, BLOCK, 3)
        middle = (blocks.min(axis=1) + blocks.max(axis=1)) / 2.0
        centre[first:last] = middle
        radius[first:last] = np.sqrt(
            np.max(np.sum((blocks - middle[:, None]) ** 2, axis=2), axis=1)
        )
    return np.ascontiguousarray(centre.T), radius


def group_spheres(centre: np.ndarray, radius: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A sphere holding the spheres of each :data:`GROUP` consecutive blocks: centre (3, G)
    and radius (G,). A ball that reaches a block's sphere reaches its group's."""
    count = len(radius)
    padded = -(-count // GROUP) * GROUP
    centres = np.empty((padded, 3))
    centres[:count] = centre.T
    centres[count:] = centre[:, -1] if count else 0.0  # repeat a real block: bounds unchanged
    radii = np.empty(padded)
    radii[:count] = radius
    radii[count:] = radius[-1] if count else 0.0
    centres, radii = centres.reshape(-1, GROUP, 3), radii.reshape(-1, GROUP)
    low = (centres - radii[..., None]).min(axis=1)
    high = (centres + radii[..., None]).max(axis=1)
    middle = (low + high) / 2.0
    reach = np.linalg.norm(centres - middle[:, None], axis=2) + radii
    # Rounding must never leave a block's sphere poking out of its group's.
    group_radius = reach.max(axis=1) * (1.0 + 1e-9) + 1e-12
    return np.ascontiguousarray(middle.T), group_radius


def group_blocks(groups: np.ndarray, n_blocks: int) -> np.ndarray:
    """The blocks of the given groups, ascending when ``groups`` is."""
    blocks = (groups[:, None] * GROUP + np.arange(GROUP)).ravel()
    if len(blocks) and blocks[-1] >= n_blocks:  # the last group is short
        blocks = blocks[blocks < n_blocks]
    return blocks


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Every index of the runs ``[starts[i], starts[i] + counts[i])``, concatenated (int64)."""
    counts = np.asarray(counts, dtype=np.int64)
    ends = np.cumsum(counts)
    if len(ends) == 0 or ends[-1] == 0:
        return np.zeros(0, dtype=np.int64)
    out = np.repeat(np.asarray(starts, dtype=np.int64) - (ends - counts), counts)
    out += np.arange(ends[-1])
    return out
