"""The body surface: vertices, faces and the geometry derived from them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

MAX_VERTICES = 20_000_000
"""The most vertices a body mesh (and a session's layers) may have: ten times the 2M-vertex
meshes BodyMap is measured on. A file declaring more is refused, not read."""
MAX_FACES = 4 * MAX_VERTICES


class MeshError(ValueError):
    """A surface that cannot serve as a body (empty, no faces, bad numbers...)."""


def validate_surface(vertices: np.ndarray, faces: np.ndarray) -> None:
    """Raise :class:`MeshError` naming the first reason these arrays are not a usable surface."""
    if vertices.dtype.kind != "f":
        raise MeshError(f"its vertex positions are {vertices.dtype} numbers, not floating point")
    if faces.dtype.kind not in "iu":
        raise MeshError(f"its faces are {faces.dtype} numbers, not vertex indices")
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise MeshError(f"vertices have shape {vertices.shape}, expected (N, 3)")
    if len(vertices) < 3:
        raise MeshError("it holds no surface (fewer than 3 vertices)")
    if faces.ndim != 2 or faces.shape[1] != 3 or len(faces) == 0:
        raise MeshError("it has no triangle faces (a point cloud or lines are not a surface)")
    if len(vertices) > MAX_VERTICES or len(faces) > MAX_FACES:
        raise MeshError(
            f"it has {len(vertices):,} vertices and {len(faces):,} triangles, more than a body "
            f"mesh may have ({MAX_VERTICES:,} and {MAX_FACES:,})"
        )
    if not np.all(np.isfinite(vertices)):
        bad = int(np.count_nonzero(~np.isfinite(vertices).all(axis=1)))
        raise MeshError(f"{bad} vertices have NaN or infinite coordinates")
    if faces.min() < 0 or faces.max() >= len(vertices):
        raise MeshError("faces refer to vertices that do not exist (the file may be truncated)")
    size = float(np.ptp(vertices, axis=0).max())
    # Areas are never negative: stop at the first block whose running sum clears the bar
    # (a body clears it in its first block), never a float64 copy of every triangle.
    floor, area = 1e-12 * size * size, 0.0
    for block in face_blocks(len(faces)):
        area += 0.5 * float(np.linalg.norm(face_cross(vertices, faces[block]), axis=1).sum())
        if area > floor:
            return
    raise MeshError("all vertices lie on a line or a point: it has no area")


FACE_BLOCK = 1 << 16
"""Triangles per block when a per-face quantity is computed piecewise: float64 temporaries
stay a few MiB whatever the mesh (a whole 2M-triangle pass would hold about 200 MiB)."""


def face_blocks(n_faces: int, size: int = FACE_BLOCK) -> list[slice]:
    """Consecutive slices covering ``n_faces`` triangles, ``size`` at a time."""
    return [slice(start, min(start + size, n_faces)) for start in range(0, n_faces, size)]


def face_cross(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Edge cross products of ``faces`` (twice their areas, along their normals), float64."""
    corner = vertices[faces[:, 0]].astype(np.float64)
    return np.cross(vertices[faces[:, 1]] - corner, vertices[faces[:, 2]] - corner)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` scaled to unit length, rows of zero length left zero."""
    norm = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norm, out=np.zeros_like(vectors), where=norm > 0)


def geometry_hash(vertices: np.ndarray, faces: np.ndarray) -> str:
    """SHA-256 of the canonical geometry (little-endian float32 vertices, int32 faces)."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(vertices, dtype="<f4").tobytes())
    digest.update(np.ascontiguousarray(faces, dtype="<i4").tobytes())
    return digest.hexdigest()


def unique_edges(faces: np.ndarray) -> np.ndarray:
    """Unique undirected edges of a triangle mesh, (E, 2) int32, smaller index first."""
    a = faces.astype(np.int64)
    pairs = np.concatenate([a[:, [0, 1]], a[:, [1, 2]], a[:, [2, 0]]])
    low, high = pairs.min(axis=1), pairs.max(axis=1)
    keys = np.unique(low << 32 | high)
    return np.stack([keys >> 32, keys & 0xFFFFFFFF], axis=1).astype(np.int32)


def adjacency_from_edges(edges: np.ndarray, n_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR vertex adjacency (indptr, indices) from undirected edges."""
    both = np.concatenate([edges, edges[:, ::-1]]).astype(np.int64)
    order = np.argsort(both[:, 0] << 32 | both[:, 1])
    both = both[order]
    indptr = np.zeros(n_vertices + 1, dtype=np.int64)
    np.cumsum(np.bincount(both[:, 0], minlength=n_vertices), out=indptr[1:])
    return indptr, both[:, 1].astype(np.int32)


@dataclass(eq=False)
class BodyMesh:
    """A triangulated body surface in metres (+y up, +z anterior, +x the subject's left).

    Parameters
    ----------
    vertices : (N, 3) float array
    faces : (M, 3) int array of vertex indices
    internal : (N,) bool array, optional
        Vertices of internal cavities (mouth, eye sockets) that are never painted or counted.
    name : str
        What to call the mesh in messages and titles.
    """

    vertices: np.ndarray
    faces: np.ndarray
    internal: np.ndarray | None = None
    name: str = "body"

    def __post_init__(self) -> None:
        self.vertices = np.ascontiguousarray(self.vertices, dtype=np.float32)
        self.faces = np.ascontiguousarray(self.faces, dtype=np.int32)
        validate_surface(self.vertices, self.faces)
        if self.internal is None:
            self.internal = np.zeros(len(self.vertices), dtype=bool)
        self.internal = np.ascontiguousarray(self.internal, dtype=bool)
        if self.internal.shape != (len(self.vertices),):
            raise MeshError("the internal-vertex mask does not match the vertex count")
        for array in (self.vertices, self.faces, self.internal):
            array.setflags(write=False)

    @property
    def n_vertices(self) -> int:
        return len(self.vertices)

    @property
    def n_faces(self) -> int:
        return len(self.faces)

    @property
    def external(self) -> np.ndarray:
        """Mask of skin vertices: the ones that can be painted and counted."""
        return ~self.internal

    @cached_property
    def geometry_hash(self) -> str:
        return geometry_hash(self.vertices, self.faces)

    def face_normals(self, face_ids: np.ndarray) -> np.ndarray:
        """Unit normals of the faces ``face_ids`` (float64, zero for degenerate faces).

        Computed for just those faces: what the brush ring and the markers need per frame,
        without a copy per triangle of the mesh.
        """
        return unit_rows(face_cross(self.vertices, self.faces[np.asarray(face_ids)]))

    @cached_property
    def face_normals_unit(self) -> np.ndarray:
        """Unit normals of every face (float32, zero for degenerate faces); prefer
        :meth:`face_normals` for a few faces."""
        out = np.empty((self.n_faces, 3), dtype=np.float32)
        for block in face_blocks(self.n_faces):
            out[block] = unit_rows(face_cross(self.vertices, self.faces[block]))
        return out

    @cached_property
    def face_areas(self) -> np.ndarray:
        """Area of each face in square metres."""
        out = np.empty(self.n_faces)
        for block in face_blocks(self.n_faces):
            out[block] = 0.5 * np.linalg.norm(face_cross(self.vertices, self.faces[block]), axis=1)
        return out

    @cached_property
    def vertex_areas(self) -> np.ndarray:
        """Area attributed to each vertex (a third of each incident face), square metres."""
        share = np.repeat(self.face_areas / 3.0, 3)
        return np.bincount(self.faces.ravel(), weights=share, minlength=self.n_vertices)

    @cached_property
    def vertex_normals(self) -> np.ndarray:
        """Area-weighted unit vertex normals (float32), for shading and brush facing tests."""
        summed = np.zeros((self.n_vertices, 3))
        # Each block costs a pass over the vertices: a few large blocks.
        for block in face_blocks(self.n_faces, max(FACE_BLOCK, self.n_faces // 8 + 1)):
            corners = self.faces[block].ravel()
            cross = face_cross(self.vertices, self.faces[block])
            for k in range(3):
                summed[:, k] += np.bincount(corners, np.repeat(cross[:, k], 3), self.n_vertices)
        return unit_rows(summed).astype(np.float32)

    @cached_property
    def wound_outward(self) -> bool:
        """Whether the faces are wound outward (their normals point out of the body).

        The flux of the position through the surface, summed over the vertices (area times
        unit normal dotted with the offset from the centre), is three times the enclosed
        volume up to discretisation: positive for an outward-wound closed surface.
        """
        offset = self.vertices - self.vertices.mean(axis=0)
        flux = np.einsum("ij,ij->i", self.vertex_normals, offset) @ self.vertex_areas
        return bool(flux > 0.0)

    @property
    def closed(self) -> bool:
        """Whether the surface has no border: a closed triangle mesh has two faces on each
        edge, so twice its edges are three times its faces (counted from the adjacency)."""
        indptr, _ = self.adjacency
        return int(indptr[-1]) == 3 * self.n_faces  # the adjacency lists each edge twice

    @property
    def skin_area(self) -> float:
        """External skin area in square metres."""
        return float(self.vertex_areas[self.external].sum())

    @cached_property
    def edges(self) -> np.ndarray:
        """Unique undirected edges, (E, 2) int32 with the smaller index first."""
        return unique_edges(self.faces)

    @cached_property
    def edge_lengths(self) -> np.ndarray:
        a, b = self.edges[:, 0], self.edges[:, 1]
        return np.linalg.norm(self.vertices[a].astype(np.float64) - self.vertices[b], axis=1)

    @cached_property
    def adjacency(self) -> tuple[np.ndarray, np.ndarray]:
        """Vertex neighbours in CSR form: ``indices[indptr[v]:indptr[v + 1]]``."""
        return adjacency_from_edges(self.edges, self.n_vertices)

    @cached_property
    def spatial_order(self) -> np.ndarray:
        """Vertex ids in a spatial order (a KD-tree's leaves), (N,) int32: the brush's ball
        query and picking prune by blocks of it (see :mod:`bodymap.core.spatial`)."""
        from bodymap.core.spatial import leaf_order

        order = leaf_order(self.vertices)
        order.setflags(write=False)
        return order

    DERIVED = ("edges", "vertex_normals", "vertex_areas")

    def derived_arrays(self) -> dict[str, np.ndarray]:
        """The costly derived arrays, for a cache (see :meth:`adopt_derived`)."""
        indptr, indices = self.adjacency
        arrays = {name: getattr(self, name) for name in self.DERIVED}
        return arrays | {"adjacency_indptr": indptr, "adjacency_indices": indices}

    def adopt_derived(self, arrays: dict[str, np.ndarray]) -> None:
        """Take derived arrays computed earlier for this very geometry (checked by shape).

        ``edges`` may be left out: nothing at run time needs them once the adjacency is
        known (24 MiB at 1M vertices), and they are rebuilt from the faces if asked for.
        """
        n = self.n_vertices
        if arrays["vertex_normals"].shape != (n, 3) or arrays["vertex_areas"].shape != (n,):
            raise ValueError("cached arrays do not belong to this mesh")
        if arrays["adjacency_indptr"].shape != (n + 1,):
            raise ValueError("cached adjacency does not belong to this mesh")
        for name in self.DERIVED:
            if name in arrays:
                self.__dict__[name] = arrays[name]
        self.__dict__["adjacency"] = (arrays["adjacency_indptr"], arrays["adjacency_indices"])

    def neighbours(self, vertex: int) -> np.ndarray:
        indptr, indices = self.adjacency
        return indices[indptr[vertex] : indptr[vertex + 1]]

    @cached_property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(min corner, max corner) of the vertices; kept, since the geometry never changes."""
        return self.vertices.min(axis=0), self.vertices.max(axis=0)
