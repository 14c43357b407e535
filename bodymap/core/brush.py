"""Brush geometry: which vertices one dab paints, and how strongly.

A dab paints what the user sees: the vertices joined to the picked vertex through the surface,
within the brush radius of the picked point, not internal, and facing the viewer. They are found
in two steps, each a handful of whole-array operations: a ball query over blocks of spatially
close vertices gives the candidates and their tests, then one compiled breadth-first search
(``scipy.sparse.csgraph``) over the adjacency among the accepted ones keeps those joined to the
seed. A dab costs time in proportion to the vertices it touches, not to the rounds of a walk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from bodymap.core.mesh import BodyMesh
from bodymap.core.spatial import (
    BLOCK,
    block_spheres,
    group_blocks,
    group_spheres,
    inverse_order,
    ranges,
    reached,
)

#: Smallest weight a returned vertex carries: every vertex the brush ring covers is touched,
#: so a soft and a hard brush of the same radius cover exactly the same vertices.
MIN_WEIGHT = np.float32(1.0 / 255.0)

_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
_EMPTY_IDS.setflags(write=False)
_EMPTY_WEIGHTS.setflags(write=False)


@dataclass(frozen=True, eq=False)
class Viewpoint:
    """Where the user looks from, for the brush's facing test.

    Parameters
    ----------
    position : (3,) array
        Camera position in metres.
    direction : (3,) array
        View direction, from the camera toward the scene (only its sense matters).
    parallel : bool
        Parallel projection: "toward the viewer" is ``-direction`` for every vertex.

    Compared by identity (``eq=False``): array fields make value equality ambiguous.
    """

    position: np.ndarray
    direction: np.ndarray
    parallel: bool = False

    def __post_init__(self) -> None:
        for name in ("position", "direction"):
            value = np.array(getattr(self, name), dtype=np.float64).reshape(3)
            value.setflags(write=False)
            object.__setattr__(self, name, value)


@dataclass(frozen=True, eq=False)
class Footprint:
    """The vertices one dab (or stroke) touches and how strongly.

    Attributes
    ----------
    ids : (K,) int32
        Vertex ids, unique and sorted ascending.
    weights : (K,) float32
        Brush strength per vertex, in ``(0, 1]``.
    """

    ids: np.ndarray = field(default_factory=lambda: _EMPTY_IDS)
    weights: np.ndarray = field(default_factory=lambda: _EMPTY_WEIGHTS)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def is_empty(self) -> bool:
        return len(self.ids) == 0


def merge_max(ids: np.ndarray, weights: np.ndarray) -> Footprint:
    """A footprint from possibly repeated ids, keeping each vertex's largest weight."""
    ids = np.asarray(ids, dtype=np.int32)
    weights = np.asarray(weights, dtype=np.float32)
    if len(ids) == 0:
        return Footprint()
    order = np.lexsort((weights, ids))  # by id, then weight: the last of each run is the max
    ids, weights = ids[order], weights[order]
    last = np.ones(len(ids), dtype=bool)
    last[:-1] = ids[1:] != ids[:-1]
    return Footprint(ids[last], weights[last])


def soft_falloff(ratio: np.ndarray) -> np.ndarray:
    """Soft-brush weight for ``distance / radius``.

    1 over the inner half of the radius, then ``1 - smoothstep(0.5, 1, ratio)`` down to the rim,
    clipped below at :data:`MIN_WEIGHT` so that no vertex the brush covers gets a zero weight.
    Computed in float64 so the float32 result stays monotone in the distance.
    """
    t = np.clip((np.asarray(ratio, dtype=np.float64) - 0.5) * 2.0, 0.0, 1.0)
    weight = 1.0 - t * t * (3.0 - 2.0 * t)
    return np.maximum(weight, MIN_WEIGHT).astype(np.float32)


class BrushGeometry:
    """Finds brush footprints on one mesh, in time proportional to the brushed area.

    Everything a dab needs is prepared once here, in a spatial order of the vertices (the leaf
    order of a KD-tree) so that the vertices of one dab lie close together in memory: a
    vertex's position and normal (float32 as in the mesh, 24 bytes a vertex; the distance
    and facing tests of the candidates are computed from them in float64), a
    paintable mask in that order, and a bounding sphere per block of
    :data:`~bodymap.core.spatial.BLOCK` vertices (the order is the mesh's
    ``spatial_order``; the walk uses the mesh's own adjacency). A scratch array
    (one int32 per vertex) maps vertices to their place in the current dab and is restored
    after each call, so one instance is not safe to use from two threads at once.
    """

    def __init__(self, mesh: BodyMesh) -> None:
        self.n_vertices = mesh.n_vertices
        order = mesh.spatial_order  # computed once per mesh
        self._order = order  # spatial position -> vertex id
        self._rank = inverse_order(order)  # vertex id -> spatial position
        # The mesh's own adjacency, by vertex id: a renumbered copy would cost 32 MiB at 1M.
        self._indptr, self._indices = mesh.adjacency
        # float32, as the mesh holds them: 24 bytes a vertex (a float64 table of the
        # expanded products took 64).
        self._points = mesh.vertices[order]
        self._normals = mesh.vertex_normals[order]
        self._paintable = np.ascontiguousarray(~mesh.internal)
        self._paintable_at = self._paintable[order]  # by spatial position
        self._block_centre, self._block_radius = block_spheres(self._points)
        self._group_centre, self._group_radius = group_spheres(
            self._block_centre, self._block_radius
        )
        self._local = np.full(self.n_vertices, -1, dtype=np.int32)
        self._ones = np.ones(0)

    def footprint(
        self,
        center: np.ndarray,
        seed_vertex: int,
        radius: float,
        viewpoint: Viewpoint | None,
        soft: bool = True,
    ) -> Footprint:
        """The vertices one dab paints.

        Parameters
        ----------
        center : (3,) array
            The picked point on the surface, metres.
        seed_vertex : int
            The picked vertex (normally the nearest corner of the picked triangle).
        radius : float
            Brush radius in metres (Euclidean distance from ``center``).
        viewpoint : Viewpoint or None
            Keep only vertices facing this viewer; ``None`` keeps both sides.
        soft : bool
            Soft falloff (see :func:`soft_falloff`) or a hard brush of weight 1.

        Returns
        -------
        Footprint
            The vertices reachable from the seed through vertices that are all within
            ``radius`` of ``center``, paintable and (with a viewpoint) facing the viewer;
            a vertex failing a test is not walked through, so the brush never crosses a gap,
            wraps round a limb or passes through the body.

        Notes
        -----
        The seed is the vertex under the cursor, so it is always walked from and kept (unless
        internal) even when its normal faces marginally away (at a silhouette) or when it lies
        beyond a radius smaller than the mesh's triangles; its distance is then clamped to the
        radius, which gives it the rim weight.
        """
        seed = int(seed_vertex)
        if not 0 <= seed < self.n_vertices:
            raise IndexError(f"seed vertex {seed} is not a vertex of this mesh")
        radius = float(radius)
        if not radius > 0.0:
            return Footprint()
        center = np.asarray(center, dtype=np.float64).reshape(3)
        ids, sq_dist = self._walk(center, seed, radius, viewpoint)
        if not self._paintable[seed]:  # walked from, never painted
            painted = ids != seed
            ids, sq_dist = ids[painted], sq_dist[painted]
        if len(ids) == 0:
            return Footprint()
        if soft:
            ratio = np.minimum(np.sqrt(sq_dist) / radius, 1.0)
            weights = soft_falloff(ratio)
        else:
            weights = np.ones(len(ids), dtype=np.float32)
        return Footprint(ids, weights)

    def union(self, footprints: Iterable[Footprint]) -> Footprint:
        """Several footprints as one, each vertex keeping its largest weight (a stroke)."""
        footprints = [f for f in footprints if not f.is_empty]
        if not footprints:
            return Footprint()
        if len(footprints) == 1:
            return footprints[0]
        ids = np.concatenate([f.ids for f in footprints])
        weights = np.concatenate([f.weights for f in footprints])
        return merge_max(ids, weights)

    def _tests(
        self, candidates: np.ndarray, center: np.ndarray, viewpoint: Viewpoint | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Squared distances of the candidates (spatial positions) from ``center``, float64,
        and whether each may be painted: paintable and (with a viewpoint) facing it."""
        # Widened to float64 first: mixed float32 and float64 arithmetic is slower.
        offset = self._points.take(candidates, axis=0).astype(np.float64)
        offset -= center
        sq_dist = np.einsum("ij,ij->i", offset, offset)
        accept = self._paintable_at.take(candidates)
        if viewpoint is None:
            return sq_dist, accept
        normals = self._normals.take(candidates, axis=0).astype(np.float64)
        if viewpoint.parallel:
            facing = normals @ -viewpoint.direction
        else:  # n . (eye - v), with v - c already in float64
            facing = normals @ (viewpoint.position - center)
            facing -= np.einsum("ij,ij->i", normals, offset)
        accept &= facing > 0.0
        return sq_dist, accept

    def _walk(
        self, center: np.ndarray, seed: int, radius: float, viewpoint: Viewpoint | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The vertex ids joined to the seed through accepted vertices (sorted ascending), and
        their squared distances from ``center`` (the seed's clamped to ``radius**2``)."""
        spot = int(self._rank[seed])
        candidates = self._candidates(center, radius)
        sq_dist, accept = self._tests(candidates, center, viewpoint)
        accept &= sq_dist <= radius * radius
        kept = candidates.compress(accept)  # ascending, as the candidates are
        sq_dist = sq_dist.compress(accept)
        at = int(np.searchsorted(kept, spot))
        if at == len(kept) or kept[at] != spot:  # the seed is always walked from
            kept, sq_dist = np.insert(kept, at, spot), np.insert(sq_dist, at, 0.0)
        ids = self._order.take(kept)
        joined = self._joined(ids, at)
        ids = ids.compress(joined)
        sq_dist = sq_dist.compress(joined)
        # Sort by vertex id, carrying each distance along: one int64 sort of (id, position).
        keys = ids.astype(np.int64) << 32
        keys |= np.arange(len(ids), dtype=np.int64)
        keys.sort()
        ids = (keys >> 32).astype(np.int32)
        sq_dist = sq_dist.take(keys & 0xFFFFFFFF)
        seed_sq = float(np.sum((self._points[spot] - center) ** 2))
        sq_dist[np.searchsorted(ids, seed)] = min(seed_sq, radius * radius)
        return ids, sq_dist

    def _candidates(self, center: np.ndarray, radius: float) -> np.ndarray:
        """Spatial positions (ascending) of every vertex in the blocks the ball reaches."""
        # A hair of slack: a sphere's rounding must never leave out a vertex on the rim.
        slack = radius * (1.0 + 1e-9) + 1e-9
        groups = reached(self._group_centre, self._group_radius, center, slack)
        blocks = group_blocks(groups, len(self._block_radius))
        inside = reached(self._block_centre[:, blocks], self._block_radius[blocks], center, slack)
        blocks = blocks.take(inside)
        positions = (blocks[:, None] * BLOCK + np.arange(BLOCK)).ravel()
        if len(positions) and positions[-1] >= self.n_vertices:  # the last block is short
            positions = positions[positions < self.n_vertices]
        return positions

    def _joined(self, ids: np.ndarray, at: int) -> np.ndarray:
        """Which of the vertices ``ids`` the surface joins to ``ids[at]`` through ``ids``
        alone: a breadth-first search over their adjacency, other vertices made one sink
        that no edge leaves."""
        from scipy.sparse import csr_matrix  # loaded with the geometry (see core/spatial.py)
        from scipy.sparse.csgraph import breadth_first_order

        count = len(ids)
        local = self._local
        local.put(ids, np.arange(count, dtype=np.int32))
        starts = self._indptr.take(ids)
        degree = self._indptr.take(ids + 1) - starts
        ends = np.cumsum(degree)
        neighbours = local.take(self._indices.take(ranges(starts, degree)))
        local.put(ids, -1)  # restored for the next call
        neighbours[neighbours < 0] = count
        indptr = np.empty(count + 2, dtype=np.int64)
        indptr[0] = 0
        indptr[1:-1] = ends
        indptr[-1] = ends[-1]
        if len(self._ones) < len(neighbours):
            self._ones = np.ones(2 * len(neighbours))
        graph = csr_matrix(
            (self._ones[: len(neighbours)], neighbours, indptr), shape=(count + 1, count + 1)
        )
        walked = breadth_first_order(graph, at, directed=True, return_predecessors=False)
        joined = np.zeros(count + 1, dtype=bool)
        joined[walked] = True
        return joined[:count]
