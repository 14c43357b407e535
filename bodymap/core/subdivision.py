"""Loop subdivision of a closed triangle mesh, as a sparse operator.

The operator form lets anything defined per coarse vertex (skinning weights, labels' scores)
follow the geometry onto the fine mesh: ``fine = operator @ coarse``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Subdivision:
    """One Loop step: the fine faces, the operator from coarse to fine vertices, face parents."""

    faces: np.ndarray
    operator: sp.csr_matrix
    face_parent: np.ndarray

    def apply(self, per_vertex: np.ndarray) -> np.ndarray:
        """Carry any per-coarse-vertex array (N, ...) to the fine vertices."""
        flat = per_vertex.reshape(len(per_vertex), -1)
        return np.asarray(self.operator @ flat).reshape(
            (self.operator.shape[0],) + per_vertex.shape[1:]
        )


def _edges_of(faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique edges and, per face corner pair (01, 12, 20), the edge id."""
    corner_pairs = np.stack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]], axis=1)
    flat = np.sort(corner_pairs.reshape(-1, 2), axis=1)
    edges, inverse = np.unique(flat, axis=0, return_inverse=True)
    return edges, inverse.reshape(len(faces), 3)


def loop_step(faces: np.ndarray, n_vertices: int) -> Subdivision:
    """Build one Loop subdivision step for a closed, manifold triangle mesh.

    Fine vertices are the coarse vertices (same order) followed by one vertex per edge.
    """
    faces = np.asarray(faces, dtype=np.int64)
    edges, face_edges = _edges_of(faces)
    n_edges = len(edges)
    # The two vertices opposite each edge: the third corner of each face using it.
    third = np.stack([faces[:, 2], faces[:, 0], faces[:, 1]], axis=1)
    edge_ids, opposite = face_edges.ravel(), third.ravel()
    uses = np.bincount(edge_ids, minlength=n_edges)
    if np.any(uses != 2):
        raise ValueError("Loop subdivision needs a closed manifold mesh (every edge in two faces)")

    rows_e = np.concatenate([np.arange(n_edges)] * 2 + [edge_ids])
    cols_e = np.concatenate([edges[:, 0], edges[:, 1], opposite])
    vals_e = np.concatenate([np.full(2 * n_edges, 3 / 8), np.full(len(edge_ids), 1 / 8)])
    edge_rows = sp.csr_matrix((vals_e, (rows_e, cols_e)), shape=(n_edges, n_vertices))

    valence = np.bincount(edges.ravel(), minlength=n_vertices).astype(np.float64)
    beta = (5 / 8 - (3 / 8 + np.cos(2 * np.pi / np.maximum(valence, 1)) / 4) ** 2) / valence
    rows_v = np.concatenate([np.arange(n_vertices), edges[:, 0], edges[:, 1]])
    cols_v = np.concatenate([np.arange(n_vertices), edges[:, 1], edges[:, 0]])
    vals_v = np.concatenate([1 - valence * beta, beta[edges[:, 0]], beta[edges[:, 1]]])
    vertex_rows = sp.csr_matrix((vals_v, (rows_v, cols_v)), shape=(n_vertices, n_vertices))

    operator = sp.vstack([vertex_rows, edge_rows]).tocsr()
    mid = face_edges + n_vertices  # new vertex on edge 01, 12, 20 of each face
    a, b, c = faces[:, 0], faces[:, 1], faces[:, 2]
    m01, m12, m20 = mid[:, 0], mid[:, 1], mid[:, 2]
    fine = np.stack(
        [
            np.stack([a, m01, m20], axis=1),
            np.stack([b, m12, m01], axis=1),
            np.stack([c, m20, m12], axis=1),
            np.stack([m01, m12, m20], axis=1),
        ],
        axis=1,
    ).reshape(-1, 3)
    parent = np.repeat(np.arange(len(faces)), 4)
    return Subdivision(fine.astype(np.int32), operator, parent)


def loop_subdivide(
    vertices: np.ndarray, faces: np.ndarray, steps: int = 1
) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix, np.ndarray]:
    """Apply ``steps`` Loop steps.

    Returns
    -------
    vertices, faces, operator (fine x coarse, so ``operator @ coarse_values``), face_parent
    (index of the original face each fine face lies in).
    """
    operator = sp.identity(len(vertices), format="csr")
    parent = np.arange(len(faces))
    current = np.asarray(faces)
    for _ in range(steps):
        step = loop_step(current, operator.shape[0])
        operator = (step.operator @ operator).tocsr()
        parent = parent[step.face_parent]
        current = step.faces
    return np.asarray(operator @ vertices), current, operator, parent


def _longest_edge_split(
    vertices: np.ndarray, faces: np.ndarray, max_edge: float
) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix, np.ndarray] | None:
    """Split every edge that is longer than ``max_edge`` and the longest of both its faces."""
    edges, face_edges = _edges_of(faces)
    lengths = np.linalg.norm(vertices[edges[:, 0]] - vertices[edges[:, 1]], axis=1)
    # Longest edge of each face by (length, edge id): a strict order, so the chain of
    # "my longest edge's other face has a longer one" always ends at a shared longest edge.
    keys = np.lexsort((face_edges.ravel(), lengths[face_edges.ravel()])).argsort()
    local = keys.reshape(-1, 3).argmax(axis=1)
    longest = face_edges[np.arange(len(faces)), local]
    chosen_by = np.bincount(longest, minlength=len(edges))
    terminal = (chosen_by == 2) & (lengths > max_edge)
    if not terminal.any():
        return None
    new_id = np.full(len(edges), -1, dtype=np.int64)
    new_id[terminal] = len(vertices) + np.arange(terminal.sum())
    split = terminal[longest]
    # Rotate each split face so its longest edge is (a, b) and c is opposite.
    order = (np.arange(3) + local[split, None]) % 3
    rolled = np.take_along_axis(faces[split], order, axis=1)
    mid = new_id[longest[split]]
    a, b, c = rolled[:, 0], rolled[:, 1], rolled[:, 2]
    new_faces = np.concatenate(
        [faces[~split], np.stack([a, mid, c], 1), np.stack([mid, b, c], 1)]
    ).astype(np.int64)
    parent = np.concatenate([np.flatnonzero(~split), np.flatnonzero(split), np.flatnonzero(split)])
    ends = edges[terminal]
    n_new = len(ends)
    rows = np.concatenate(
        [np.arange(len(vertices)), np.repeat(np.arange(n_new) + len(vertices), 2)]
    )
    cols = np.concatenate([np.arange(len(vertices)), ends.ravel()])
    vals = np.concatenate([np.ones(len(vertices)), np.full(2 * n_new, 0.5)])
    operator = sp.csr_matrix((vals, (rows, cols)), shape=(len(vertices) + n_new, len(vertices)))
    return np.asarray(operator @ vertices), new_faces, operator, parent


def refine_long_edges(
    vertices: np.ndarray, faces: np.ndarray, max_edge: float
) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix, np.ndarray]:
    """Conforming longest-edge bisection until no edge exceeds ``max_edge``.

    Keeps the mesh closed and consistently wound (no T-junctions). Returns the same tuple as
    :func:`loop_subdivide`: vertices, faces, operator (fine x coarse), face parent.
    """
    operator = sp.identity(len(vertices), format="csr")
    parent = np.arange(len(faces))
    current_v, current_f = np.asarray(vertices, dtype=np.float64), np.asarray(faces)
    while (step := _longest_edge_split(current_v, current_f, max_edge)) is not None:
        current_v, current_f, step_operator, step_parent = step
        operator = (step_operator @ operator).tocsr()
        parent = parent[step_parent]
    return current_v, current_f.astype(np.int32), operator, parent
