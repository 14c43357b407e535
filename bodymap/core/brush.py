"""Brush geometry: which vertices one dab paints, and how strongly.

A dab paints what the user sees: the vertices joined to the picked vertex through the surface,
within the brush radius of the picked point, not internal, and facing the viewer. They are found
by walking the vertex adjacency breadth-first from the seed, one whole frontier per numpy step,
so a dab costs time in proportion to the vertices it touches and never to the size of the mesh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from bodymap.core.mesh import BodyMesh

#: Smallest weight a returned vertex carries: every vertex the brush ring covers is touched,
#: so a soft and a hard brush of the same radius cover exactly the same vertices.
MIN_WEIGHT = np.float32(1.0 / 255.0)

_NEVER = np.iinfo(np.int64).max
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

    Everything the walk needs is prepared once here: the CSR adjacency, a per-vertex table
    ``[x, y, z, |v|^2, nx, ny, nz, n.v]`` (float64, 64 bytes a vertex) that turns both the
    distance and the facing test of a whole frontier into one small matrix product, the
    paintable mask, and a scratch "visit mark" per vertex. The marks are never cleared: each
    call starts from a new base, and a vertex counts as visited in this call when its mark is at
    least that base. One instance is therefore not safe to use from two threads at once.
    """

    def __init__(self, mesh: BodyMesh) -> None:
        indptr, indices = mesh.adjacency
        self.n_vertices = mesh.n_vertices
        self._row_start = np.ascontiguousarray(indptr[:-1], dtype=np.int64)
        self._degree = np.diff(indptr).astype(np.int64)
        self._indices = np.ascontiguousarray(indices, dtype=np.int32)
        vertices = mesh.vertices.astype(np.float64)
        normals = mesh.vertex_normals.astype(np.float64)
        self._table = np.column_stack(
            [
                vertices,
                np.einsum("ij,ij->i", vertices, vertices),
                normals,
                np.einsum("ij,ij->i", normals, vertices),
            ]
        )
        self._paintable = np.ascontiguousarray(~mesh.internal)
        # int64 marks: the running counter grows by the vertices visited per call and can never
        # wrap in practice, so the array never needs clearing. Internal vertices carry a mark
        # no call ever reaches: they look visited to every walk, which never enters them.
        self._mark = np.where(self._paintable, -1, _NEVER).astype(np.int64)
        self._counter = 0

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
            ids, sq_dist = ids[1:], sq_dist[1:]
        if len(ids) == 0:
            return Footprint()
        order = np.argsort(ids)
        ids = ids[order]
        if soft:
            ratio = np.minimum(np.sqrt(sq_dist[order]) / radius, 1.0)
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
        """Breadth-first walk from the seed; the accepted ids and their squared distances."""
        base = self._counter
        if self._paintable[seed]:  # an internal seed keeps its permanent mark
            self._mark[seed] = base
        self._counter += 1
        center_sq = float(center @ center)
        limit = radius * radius - center_sq  # compare before adding |c|^2 back
        coefficients = self._tests(center, viewpoint)
        seed_sq = float(np.sum((self._table[seed, :3] - center) ** 2))
        found_ids = [np.array([seed], dtype=np.int32)]
        found_sq = [np.array([min(seed_sq, radius * radius)])]
        frontier = found_ids[0]
        while len(frontier):
            candidates = self._unvisited_neighbours(frontier, base)
            if len(candidates) == 0:
                break
            tested = self._table.take(candidates, axis=0) @ coefficients
            accept = tested[:, 0] <= limit
            if viewpoint is not None:
                accept &= tested[:, 1] > 0.0
            frontier = candidates.compress(accept)
            found_ids.append(frontier)
            found_sq.append(tested[:, 0].compress(accept))
        sq_dist = np.concatenate(found_sq)
        sq_dist[1:] += center_sq
        return np.concatenate(found_ids), np.maximum(sq_dist, 0.0)

    def _unvisited_neighbours(self, frontier: np.ndarray, base: int) -> np.ndarray:
        """All neighbours of the frontier not yet visited in this call, each once; marks them."""
        counts = self._degree.take(frontier)
        ends = np.cumsum(counts)
        # Position in `indices` of every neighbour: its row start plus its rank in the row.
        positions = self._row_start.take(frontier)
        positions -= ends - counts
        positions = np.repeat(positions, counts)
        positions += np.arange(ends[-1])
        neighbours = self._indices.take(positions)
        neighbours = neighbours.compress(self._mark.take(neighbours) < base)
        # De-duplicate without sorting: each id keeps the mark of its last copy, so exactly one
        # copy finds its own mark. The marks written here also stamp the survivors as visited.
        marks = np.arange(self._counter, self._counter + len(neighbours), dtype=np.int64)
        self._counter += len(neighbours)
        self._mark.put(neighbours, marks)
        return neighbours.compress(self._mark.take(neighbours) == marks)
