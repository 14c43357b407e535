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

#: Smallest weight a returned vertex carries: every vertex the brush ring covers is touched,
#: so a soft and a hard brush of the same radius cover exactly the same vertices.
MIN_WEIGHT = np.float32(1.0 / 255.0)

BLOCK = 32
"""Vertices per block of the ball query: consecutive in the spatial order, bounded by a sphere."""
GROUP = 32
"""Blocks per group: the ball query tests the groups' spheres first, then only the blocks of
the groups it reaches, so it never passes over every block (31k at 1M vertices)."""
_GEMM_ROWS = 2048
"""Rows per slice of the test product: 2048 x 8 x 2 stays under OpenBLAS's threading threshold."""
_UNPAINTABLE = 1e300
"""|v|^2 given to internal vertices in the test table: no radius ever accepts them."""
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
    per-vertex table ``[x, y, z, |v|^2, nx, ny, nz, n.v]`` (float64, 64 bytes a vertex) that
    turns both the distance and the facing test into one small matrix product, the adjacency
    in that order, and a bounding sphere per block of :data:`BLOCK` vertices. A scratch array
    (one int32 per vertex) maps vertices to their place in the current dab and is restored
    after each call, so one instance is not safe to use from two threads at once.
    """

    def __init__(self, mesh: BodyMesh) -> None:
        # scipy is imported here, not with the module: the app starts (and shows the body)
        # without it; the brush's geometry is built after the first frame.
        from scipy.spatial import cKDTree

        self.n_vertices = mesh.n_vertices
        # Only the leaf order is kept: the quickest build (no balancing, no node compaction).
        tree = cKDTree(
            mesh.vertices, BLOCK, compact_nodes=False, copy_data=False, balanced_tree=False
        )
        order = tree.indices
        self._order = order.astype(np.int32)  # spatial position -> vertex id
        self._rank = np.empty(self.n_vertices, dtype=np.int32)  # vertex id -> spatial position
        self._rank[self._order] = np.arange(self.n_vertices, dtype=np.int32)
        self._indptr, self._indices = _reorder_adjacency(*mesh.adjacency, order, self._rank)
        vertices = mesh.vertices[order].astype(np.float64)
        normals = mesh.vertex_normals[order].astype(np.float64)
        self._table = np.column_stack(
            [
                vertices,
                np.einsum("ij,ij->i", vertices, vertices),
                normals,
                np.einsum("ij,ij->i", normals, vertices),
            ]
        )
        self._paintable = np.ascontiguousarray(~mesh.internal)
        self._table[~self._paintable[order], 3] = _UNPAINTABLE
        self._block_centre, self._block_radius = _block_spheres(vertices)
        self._group_centre, self._group_radius = _group_spheres(
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

    def _tests(self, center: np.ndarray, viewpoint: Viewpoint | None) -> np.ndarray:
        """Coefficients that map table rows to (squared distance - |c|^2, facing)."""
        coefficients = np.zeros((8, 2))
        coefficients[:3, 0] = -2.0 * center
        coefficients[3, 0] = 1.0
        if viewpoint is None:
            return coefficients[:, :1]
        if viewpoint.parallel:
            coefficients[4:7, 1] = -viewpoint.direction
        else:
            coefficients[4:7, 1] = viewpoint.position
            coefficients[7, 1] = -1.0
        return coefficients

    def _walk(
        self, center: np.ndarray, seed: int, radius: float, viewpoint: Viewpoint | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The vertex ids joined to the seed through accepted vertices (sorted ascending), and
        their squared distances from ``center`` (the seed's clamped to ``radius**2``)."""
        spot = int(self._rank[seed])
        candidates = self._candidates(center, radius)
        center_sq = float(center @ center)
        tested = _product(self._table.take(candidates, axis=0), self._tests(center, viewpoint))
        accept = tested[:, 0] <= radius * radius - center_sq  # before adding |c|^2 back
        if viewpoint is not None:
            accept &= tested[:, 1] > 0.0
        kept = candidates.compress(accept)  # ascending, as the candidates are
        sq_dist = tested[:, 0].compress(accept)
        at = int(np.searchsorted(kept, spot))
        if at == len(kept) or kept[at] != spot:  # the seed is always walked from
            kept, sq_dist = np.insert(kept, at, spot), np.insert(sq_dist, at, 0.0)
        joined = self._joined(kept, at)
        ids = self._order.take(kept.compress(joined))
        sq_dist = sq_dist.compress(joined)
        sq_dist += center_sq
        # Sort by vertex id, carrying each distance along: one int64 sort of (id, position).
        keys = ids.astype(np.int64) << 32
        keys |= np.arange(len(ids), dtype=np.int64)
        keys.sort()
        ids = (keys >> 32).astype(np.int32)
        sq_dist = sq_dist.take(keys & 0xFFFFFFFF)
        seed_sq = float(np.sum((self._table[spot, :3] - center) ** 2))
        sq_dist[np.searchsorted(ids, seed)] = min(seed_sq, radius * radius)
        return ids, np.maximum(sq_dist, 0.0)

    def _candidates(self, center: np.ndarray, radius: float) -> np.ndarray:
        """Spatial positions (ascending) of every vertex in the blocks the ball reaches."""
        # A hair of slack: the table's expanded distance may round a rim vertex inside.
        slack = radius * (1.0 + 1e-9) + 1e-9
        groups = _reached(self._group_centre, self._group_radius, center, slack)
        blocks = (groups[:, None] * GROUP + np.arange(GROUP)).ravel()
        if len(blocks) and blocks[-1] >= len(self._block_radius):  # the last group is short
            blocks = blocks[blocks < len(self._block_radius)]
        inside = _reached(self._block_centre[:, blocks], self._block_radius[blocks], center, slack)
        blocks = blocks.take(inside)
        positions = (blocks[:, None] * BLOCK + np.arange(BLOCK)).ravel()
        if len(positions) and positions[-1] >= self.n_vertices:  # the last block is short
            positions = positions[positions < self.n_vertices]
        return positions

    def _joined(self, kept: np.ndarray, at: int) -> np.ndarray:
        """Which of ``kept`` (spatial positions) the surface joins to ``kept[at]`` through
        ``kept`` alone: a breadth-first search over their adjacency, other vertices made one
        sink that no edge leaves."""
        from scipy.sparse import csr_matrix  # loaded with the geometry (see __init__)
        from scipy.sparse.csgraph import breadth_first_order

        count = len(kept)
        local = self._local
        local.put(kept, np.arange(count, dtype=np.int32))
        starts = self._indptr.take(kept)
        degree = self._indptr.take(kept + 1) - starts
        ends = np.cumsum(degree)
        starts -= ends - degree
        positions = np.repeat(starts, degree)
        positions += np.arange(ends[-1])
        neighbours = local.take(self._indices.take(positions))
        local.put(kept, -1)  # restored for the next call
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
        reached = breadth_first_order(graph, at, directed=True, return_predecessors=False)
        joined = np.zeros(count + 1, dtype=bool)
        joined[reached] = True
        return joined[:count]


def _reached(centre: np.ndarray, radius: np.ndarray, point: np.ndarray, reach: float):
    """Indices of the spheres (centres (3, B), radii (B,)) within ``reach`` of ``point``."""
    sq = (centre[0] - point[0]) ** 2
    sq += (centre[1] - point[1]) ** 2
    sq += (centre[2] - point[2]) ** 2
    limit = radius + reach
    return np.flatnonzero(sq <= limit * limit)


def _product(rows: np.ndarray, coefficients: np.ndarray) -> np.ndarray:
    """``rows @ coefficients`` in slices of :data:`_GEMM_ROWS` rows: OpenBLAS would share a
    larger product among threads, which costs more than it saves here (ten times more on a
    busy machine, for a 10 cm dab at 1M)."""
    out = np.empty((len(rows), coefficients.shape[1]))
    for start in range(0, len(rows), _GEMM_ROWS):
        np.matmul(
            rows[start : start + _GEMM_ROWS], coefficients, out=out[start : start + _GEMM_ROWS]
        )
    return out


def _reorder_adjacency(
    indptr: np.ndarray, indices: np.ndarray, order: np.ndarray, rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The CSR adjacency renumbered to spatial positions (row p is vertex ``order[p]``)."""
    degree = np.diff(indptr)[order]
    new_indptr = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(degree, out=new_indptr[1:])
    positions = np.repeat(np.asarray(indptr[:-1])[order] - new_indptr[:-1], degree)
    positions += np.arange(new_indptr[-1])
    return new_indptr, rank.take(np.asarray(indices).take(positions))


def _block_spheres(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre (3, B) and radius (B,) of a sphere round each block of consecutive vertices."""
    count = len(vertices)
    padded = np.empty((-(-count // BLOCK) * BLOCK, 3))
    padded[:count] = vertices
    padded[count:] = vertices[-1] if count else 0.0  # repeat a real vertex: bounds unchanged
    blocks = padded.reshape(-1, BLOCK, 3)
    centre = (blocks.min(axis=1) + blocks.max(axis=1)) / 2.0
    radius = np.sqrt(np.max(np.sum((blocks - centre[:, None]) ** 2, axis=2), axis=1))
    return np.ascontiguousarray(centre.T), radius


def _group_spheres(centre: np.ndarray, radius: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
