"""Rays and nearest points against a body's triangles, over blocks of its spatial order.

What picking (the camera ray under the pointer) and snapping (the brush ring, a moved
vector's end) ask of the surface, in numpy: each triangle belongs to the block of
:data:`~bodymap.core.spatial.BLOCK` vertices (``BodyMesh.spatial_order``) holding its
first corner in that order, and each block has a sphere round its triangles, and each
group of blocks a sphere round theirs. A query tests groups, then the blocks of the groups
it reaches, then the triangles of the blocks it reaches. About 10 bytes a triangle (VTK's
static cell locator kept 70: its cell bounds are doubles); a pick at 1M vertices tests a
few thousand triangles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodymap.core.mesh import BodyMesh
from bodymap.core.spatial import (
    BLOCK,
    GROUP,
    group_blocks,
    group_spheres,
    inverse_order,
    ranges,
)

BARYCENTRIC_SLACK = 1e-9
"""A ray may pass this far (a share of a triangle's edges) outside a triangle and still hit
it: a ray along a shared edge never slips between its two triangles."""
RAY_BATCH = 8
"""Blocks whose triangles are tested at once, nearest first: a ray stops after the batch
that holds a hit nearer than every block left."""


@dataclass(frozen=True, eq=False)
class RayHit:
    """Where a segment first meets the surface.

    Attributes
    ----------
    t : float
        The share of the segment from its start to the hit, in ``[0, 1]``.
    point : (3,) float array
        The hit in world coordinates.
    face_id : int
        The triangle hit.
    """

    t: float
    point: np.ndarray
    face_id: int


class SurfaceQuery:
    """The first triangle along a segment, and the nearest surface point of points.

    Built once per shape (about 0.3 s at 1M vertices) from the mesh's spatial order.
    """

    def __init__(self, mesh: BodyMesh) -> None:
        self._vertices = mesh.vertices
        self._faces = mesh.faces
        order = mesh.spatial_order
        n_blocks = -(-mesh.n_vertices // BLOCK)
        block_of = inverse_order(order) // BLOCK  # vertex id -> its block
        owner = block_of[mesh.faces[:, 0]]
        for corner in (1, 2):
            np.minimum(owner, block_of[mesh.faces[:, corner]], out=owner)
        del block_of
        self._face_order = np.argsort(owner, kind="stable").astype(np.int32)
        counts = np.bincount(owner, minlength=n_blocks)
        del owner
        self._start = np.zeros(n_blocks + 1, dtype=np.int64)
        np.cumsum(counts, out=self._start[1:])
        self._centre, self._radius = self._block_spheres(order, n_blocks, counts)
        self._group_centre, self._group_radius = group_spheres(
            self._centre, np.maximum(self._radius, 0.0)
        )
        n_groups = len(self._group_radius)
        owned = np.zeros(n_groups * GROUP, dtype=bool)
        owned[:n_blocks] = counts > 0
        self._group_owns = owned.reshape(n_groups, GROUP).any(axis=1)
        # Only a group holding a triangle bounds a nearest distance.

    def _block_spheres(
        self, order: np.ndarray, n_blocks: int, counts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Centre (3, B) of each block's vertex box, and radius (B,) holding its triangles
        (-1 for a block with none: no query reaches it)."""
        padded = np.empty(n_blocks * BLOCK, dtype=np.int32)
        padded[: len(order)] = order
        padded[len(order) :] = order[-1]
        points = self._vertices[padded].reshape(n_blocks, BLOCK, 3)
        centre = (points.min(axis=1).astype(np.float64) + points.max(axis=1)) / 2.0
        del points, padded
        radius = np.zeros(n_blocks)
        low, high = np.full((n_blocks, 3), np.inf), np.full((n_blocks, 3), -np.inf)
        longest = self._longest = np.zeros(n_blocks)  # each block's longest triangle edge
        step = 1 << 16  # float64 temporaries of a few MiB, whatever the mesh
        for first in range(0, len(self._face_order), step):
            faces = self._face_order[first : first + step]
            at = np.arange(first, first + len(faces))
            blocks = np.searchsorted(self._start, at, side="right") - 1
            corners = self._vertices[self._faces[faces]].astype(np.float64)
            reach = np.linalg.norm(corners - centre[blocks, None], axis=2).max(axis=1)
            np.maximum.at(radius, blocks, reach)
            edges = np.linalg.norm(corners - np.roll(corners, 1, axis=1), axis=2).max(axis=1)
            np.maximum.at(longest, blocks, edges)
            runs = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
            owners = blocks[runs]  # each block once in this chunk
            low[owners] = np.minimum(low[owners], np.minimum.reduceat(corners.min(1), runs))
            high[owners] = np.maximum(high[owners], np.maximum.reduceat(corners.max(1), runs))
        radius = radius * (1.0 + 1e-9) + 1e-12  # rounding never leaves a corner outside
        radius[counts == 0] = -1.0
        pad = 1e-9 * float(np.abs(centre).max()) + 1e-12  # rounding never leaves a corner out
        self._low, self._high = (
            np.ascontiguousarray((low - pad).T),
            np.ascontiguousarray((high + pad).T),
        )
        return np.ascontiguousarray(centre.T), radius

    def _counts(self, blocks: np.ndarray) -> np.ndarray:
        return self._start[blocks + 1] - self._start[blocks]

    def _faces_of(self, blocks: np.ndarray) -> np.ndarray:
        return self._face_order[ranges(self._start[blocks], self._counts(blocks))]

    def _block_faces(self, blocks: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The triangles of ``blocks``, and for each the owner of its block."""
        return self._faces_of(blocks), np.repeat(owners, self._counts(blocks))

    def _corner_gap(self, points: np.ndarray, faces: np.ndarray) -> np.ndarray:
        """Distances of points (P, 3) from the first corners of triangles (P,)."""
        return np.linalg.norm(points - self._vertices[self._faces[faces, 0]], axis=1)

    def first_hit(self, start: np.ndarray, end: np.ndarray) -> RayHit | None:
        """The triangle the segment from ``start`` to ``end`` meets first, or ``None``.

        Either side of a triangle counts; the nearest hit wins (ties: the lowest face id).
        """
        origin = np.asarray(start, dtype=np.float64).reshape(3)
        span = np.asarray(end, dtype=np.float64).reshape(3) - origin
        length = float(np.linalg.norm(span))
        if not length > 0.0:
            return None
        unit = span / length
        groups = _along_ray(self._group_centre, self._group_radius, origin, unit, length)[0]
        blocks = group_blocks(groups, len(self._radius))
        inside, entry = _along_ray(
            self._centre[:, blocks], self._radius[blocks], origin, unit, length
        )
        blocks = blocks[inside]
        # The blocks' boxes round their triangles are tighter than their spheres.
        inside, entry = _through_boxes(self._low[:, blocks], self._high[:, blocks], origin, span)
        blocks, entry = blocks[inside], entry[inside] * length
        rank = np.argsort(entry, kind="stable")
        blocks, entry = blocks[rank], entry[rank]
        best: tuple[float, int] | None = None
        for first in range(0, len(blocks), RAY_BATCH):
            if best is not None and best[0] * length < entry[first]:
                break  # every block left starts beyond the hit
            faces = self._faces_of(blocks[first : first + RAY_BATCH])
            t = segment_triangles(origin, span, self._vertices, self._faces[faces])
            hit = np.flatnonzero(np.isfinite(t))
            if len(hit) == 0:
                continue
            nearest = t[hit].min()
            face = int(faces[hit[t[hit] == nearest]].min())
            if best is None or (nearest, face) < best:
                best = (float(nearest), face)
        if best is None:
            return None
        return RayHit(best[0], origin + best[0] * span, best[1])

    def closest(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest surface point of each point and its triangle: (K, 3), (K,) int.

        Exact: a block is left out only when its sphere lies farther than a surface point
        already found.
        """
        points = np.atleast_2d(np.asarray(points, dtype=np.float64))
        count = len(points)
        if count == 0:
            return np.zeros((0, 3)), np.zeros(0, dtype=np.intp)
        # Groups, then blocks: a sphere's far side bounds the distance to the surface
        # (it holds whole triangles), its near side what any triangle in it can offer.
        gap = _distances(points, self._group_centre)
        reach = gap - self._group_radius
        bound = np.where(self._group_owns, gap + self._group_radius, np.inf).min(axis=1)
        point_ids, groups = np.nonzero(reach <= bound[:, None])
        blocks_per = np.minimum(GROUP, len(self._radius) - groups * GROUP)  # the last is short
        point_ids = np.repeat(point_ids, blocks_per)
        blocks = ranges(groups * GROUP, blocks_per)
        radius = self._radius[blocks]
        near = radius >= 0.0
        point_ids, blocks, radius = point_ids[near], blocks[near], radius[near]
        gap = np.linalg.norm(points[point_ids] - self._centre[:, blocks].T, axis=1)
        # Every run below is sorted by point: per-point minima are one reduceat each.
        bound = _run_min(gap + radius, point_ids, count)
        keep = gap - radius <= bound[point_ids]
        point_ids, blocks, gap, radius = point_ids[keep], blocks[keep], gap[keep], radius[keep]
        # A tighter bound: the first corners of the triangles of each point's nearest block.
        nearest_block = _run_first(gap == _run_min(gap, point_ids, count)[point_ids], point_ids)
        faces, owners = self._block_faces(blocks[nearest_block], point_ids[nearest_block])
        bound = _run_min(self._corner_gap(points[owners], faces), owners, count)
        keep = gap - radius <= bound[point_ids]
        point_ids, blocks = point_ids[keep], blocks[keep]
        # A triangle's nearest point lies within its longest edge of each of its corners.
        faces, pair_points = self._block_faces(blocks, point_ids)
        reach = bound[pair_points] + np.repeat(self._longest[blocks], self._counts(blocks))
        reach = reach * (1.0 + 1e-9) + 1e-12  # rounding never drops the nearest
        keep = self._corner_gap(points[pair_points], faces) <= reach
        faces, pair_points = faces[keep], pair_points[keep]
        corners = self._vertices[self._faces[faces]].astype(np.float64)
        nearest = closest_on_triangles(points[pair_points], corners)
        sq = np.einsum("ij,ij->i", nearest - points[pair_points], nearest - points[pair_points])
        sq[~np.isfinite(sq)] = np.inf  # a degenerate triangle never wins
        # The nearest of each point's run wins; of equals, the lowest face id.
        best = sq == _run_min(sq, pair_points, count)[pair_points]
        lowest = _run_min(np.where(best, faces, np.iinfo(np.int32).max), pair_points, count)
        first = _run_first(best & (faces == lowest[pair_points]), pair_points)
        out = np.empty((count, 3))
        out[pair_points[first]] = nearest[first]
        face_ids = np.empty(count, dtype=np.intp)
        face_ids[pair_points[first]] = faces[first]
        return out, face_ids


def _run_min(values: np.ndarray, ids: np.ndarray, count: int) -> np.ndarray:
    """The least value of each id's run (``ids`` sorted), (count,); ``inf`` for an id
    with none."""
    out = np.full(count, np.inf)
    if len(ids):
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        out[ids[starts]] = np.minimum.reduceat(values, starts)
    return out


def _run_first(mask: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The first index of each id's run (``ids`` sorted) where ``mask`` holds."""
    at = np.flatnonzero(mask)
    return at[np.r_[True, ids[at][1:] != ids[at][:-1]]] if len(at) else at


def _distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Euclidean distances (K, S) of points (K, 3) from sphere centres (3, S)."""
    sq = (points[:, 0, None] - centres[0]) ** 2
    sq += (points[:, 1, None] - centres[1]) ** 2
    sq += (points[:, 2, None] - centres[2]) ** 2
    return np.sqrt(sq)


def _through_boxes(
    low: np.ndarray, high: np.ndarray, origin: np.ndarray, span: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which boxes (corners (3, S)) the segment ``origin + t * span``, ``t`` in [0, 1],
    passes through (mask), and the ``t`` at which it enters each (at least 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        near = (low - origin[:, None]) / span[:, None]
        far = (high - origin[:, None]) / span[:, None]
    enter = np.fmax(np.fmin(near, far).max(axis=0), 0.0)
    leave = np.fmin(np.fmax(near, far).min(axis=0), 1.0)
    return enter <= leave, enter


def _along_ray(
    centre: np.ndarray, radius: np.ndarray, origin: np.ndarray, unit: np.ndarray, length: float
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the spheres (centres (3, S)) the segment passes through, and the distance
    along it at which it enters each (before its start: negative)."""
    offset = centre - origin[:, None]
    along = unit @ offset
    sq_off = np.einsum("ij,ij->j", offset, offset) - along * along
    inside = (sq_off <= radius * radius) & (along + radius >= 0.0) & (along - radius <= length)
    inside &= radius >= 0.0
    hit = np.flatnonzero(inside)
    return hit, along[hit] - radius[hit]


def segment_triangles(
    origin: np.ndarray, span: np.ndarray, vertices: np.ndarray, faces: np.ndarray
) -> np.ndarray:
    """Where the segment ``origin + t * span``, ``t`` in [0, 1], meets each triangle
    (Moller-Trumbore, either side): ``t`` per triangle, ``inf`` for a miss, (F,)."""
    # Coordinates as rows (3, F): each step is a few whole-row operations.
    a = vertices[faces[:, 0]].T.astype(np.float64)
    edge1 = vertices[faces[:, 1]].T - a
    edge2 = vertices[faces[:, 2]].T - a
    to_origin = np.asarray(origin, dtype=np.float64)[:, None] - a
    sx, sy, sz = (float(c) for c in span)
    p = (
        sy * edge2[2] - sz * edge2[1],
        sz * edge2[0] - sx * edge2[2],
        sx * edge2[1] - sy * edge2[0],
    )
    det = edge1[0] * p[0] + edge1[1] * p[1] + edge1[2] * p[2]
    q = (
        to_origin[1] * edge1[2] - to_origin[2] * edge1[1],
        to_origin[2] * edge1[0] - to_origin[0] * edge1[2],
        to_origin[0] * edge1[1] - to_origin[1] * edge1[0],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = 1.0 / det
        u = (to_origin[0] * p[0] + to_origin[1] * p[1] + to_origin[2] * p[2]) * inverse
        v = (sx * q[0] + sy * q[1] + sz * q[2]) * inverse
        t = (edge2[0] * q[0] + edge2[1] * q[1] + edge2[2] * q[2]) * inverse
    slack = BARYCENTRIC_SLACK
    hit = (u >= -slack) & (v >= -slack) & (u + v <= 1.0 + slack) & (t >= 0.0) & (t <= 1.0)
    hit &= det != 0.0
    return np.where(hit, t, np.inf)


def closest_on_triangles(points: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The nearest point of each triangle (corners (P, 3, 3)) to each point (P, 3), (P, 3).

    Ericson's region tests (Real-Time Collision Detection, 5.1.5), all rows at once.
    """
    a, b, c = corners[:, 0], corners[:, 1], corners[:, 2]
    ab, ac = b - a, c - a

    def dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.einsum("ij,ij->i", x, y)

    ap, bp, cp = points - a, points - b, points - c
    d1, d2 = dot(ab, ap), dot(ac, ap)
    d3, d4 = dot(ab, bp), dot(ac, bp)
    d5, d6 = dot(ab, cp), dot(ac, cp)
    va, vb, vc = d3 * d6 - d5 * d4, d5 * d2 - d1 * d6, d1 * d4 - d3 * d2
    with np.errstate(divide="ignore", invalid="ignore"):
        total = va + vb + vc
        out = a + ab * (vb / total)[:, None] + ac * (vc / total)[:, None]
        # Later rules win: Ericson tests the corners first, then the edges, then the face.
        on_bc = (va <= 0) & (d4 - d3 >= 0) & (d5 - d6 >= 0)
        share = (d4 - d3) / ((d4 - d3) + (d5 - d6))
        out = np.where(on_bc[:, None], b + (c - b) * share[:, None], out)
        on_ac = (vb <= 0) & (d2 >= 0) & (d6 <= 0)
        out = np.where(on_ac[:, None], a + ac * (d2 / (d2 - d6))[:, None], out)
        out = np.where(((d6 >= 0) & (d5 <= d6))[:, None], c, out)
        on_ab = (vc <= 0) & (d1 >= 0) & (d3 <= 0)
        out = np.where(on_ab[:, None], a + ab * (d1 / (d1 - d3))[:, None], out)
        out = np.where(((d3 >= 0) & (d4 <= d3))[:, None], b, out)
        out = np.where(((d1 <= 0) & (d2 <= 0))[:, None], a, out)
    return out
