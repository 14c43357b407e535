"""Close-ups for reports: each painted cluster and each pin, framed so that it reads on paper.

In a whole-body view a 3 cm² finding is a few pixels. A close-up looks at one finding
straight on (along the mean normal of its skin) and frames its extent with room around,
never less than :data:`MIN_SIDE_M` across, so a small finding fills a good part of it.
A cluster is a surface-connected set of painted vertices (any shown tag); a pin gets its
own close-up unless one already frames it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from bodymap.core.atlas import Atlas
from bodymap.core.compare import skin_areas_cm2
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.core.views import Camera, frame_box

MAX_CLOSEUPS = 6
MIN_SIDE_M = 0.06
"""The smallest close-up shows this much of the body (metres) across: some context."""
WORLD_UP = np.array([0.0, 1.0, 0.0])
"""The bodies stand along +y."""


@dataclass(frozen=True, eq=False)
class CloseUp:
    """One finding to frame: ``title`` names the place ("Left temporal · Restriction")."""

    title: str
    vertices: np.ndarray
    direction: np.ndarray

    def camera(self, mesh: BodyMesh, aspect: float = 1.0) -> Camera:
        """Looking at the finding straight on, its extent (at least MIN_SIDE_M) in view."""
        points = mesh.vertices[self.vertices]
        low, high = points.min(axis=0), points.max(axis=0)
        centre, half = (low + high) / 2, np.maximum((high - low) / 2, MIN_SIDE_M / 2)
        up = WORLD_UP if abs(float(self.direction @ WORLD_UP)) < 0.9 else np.array([0, 0, 1.0])
        return frame_box(self.direction, up, centre - half, centre + half, aspect=aspect)


def find_closeups(
    session: Session, mesh: BodyMesh, atlas: Atlas, limit: int = MAX_CLOSEUPS
) -> list[CloseUp]:
    """The session's painted clusters (largest first), then its pins not yet framed."""
    shown = _shown_keys(session)
    values = session.overlays.values
    columns = [session.overlays.column(k) for k in shown]
    painted = values[:, columns].max(axis=1) > 0 if columns else np.zeros(mesh.n_vertices, bool)
    painted &= ~mesh.internal
    areas = skin_areas_cm2(mesh)
    found = []
    for ids in _clusters(mesh, painted):
        strongest = np.argmax(values[np.ix_(ids, columns)], axis=1)
        tag = shown[int(np.bincount(strongest, weights=areas[ids]).argmax())]
        area = float(areas[ids].sum())
        title = f"{_region(atlas, ids, areas)} · {_tag_name(session, tag)} · {area:.1f} cm²"
        found.append((area, CloseUp(title, ids, _direction(mesh, ids, areas))))
    found.sort(key=lambda item: -item[0])
    closeups = [closeup for _, closeup in found[:limit]]
    framed = np.zeros(mesh.n_vertices, bool)
    for closeup in closeups:
        framed[closeup.vertices] = True
    for pin in session.pins.values():
        if len(closeups) >= limit or framed[pin.at.vertex]:
            continue
        ids = np.array([pin.at.vertex])
        title = f"Pin · {_region(atlas, ids, areas)} · {_tag_name(session, pin.tag)}"
        closeups.append(CloseUp(title, ids, mesh.vertex_normals[pin.at.vertex]))
        framed[pin.at.vertex] = True
    return closeups


def _shown_keys(session: Session) -> list[str]:
    tags = session.tags
    return [k for k in session.overlays.painted_keys() if k not in tags or tags.get(k).visible]


def _clusters(mesh: BodyMesh, painted: np.ndarray) -> list[np.ndarray]:
    """Surface-connected groups of painted vertices, as vertex ids."""
    ids = np.flatnonzero(painted)
    if not len(ids):
        return []
    indptr, indices = mesh.adjacency
    graph = csr_matrix((np.ones(len(indices), bool), indices, indptr), shape=(mesh.n_vertices,) * 2)
    _, labels = connected_components(graph[ids][:, ids], directed=False)
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [ids[group] for group in np.split(order, cuts)]


def _direction(mesh: BodyMesh, ids: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """The area-weighted mean normal (a cluster wrapping a limb: its first vertex's)."""
    mean = (mesh.vertex_normals[ids] * areas[ids, None]).sum(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 1e-9 else mesh.vertex_normals[ids[0]]


def _region(atlas: Atlas, ids: np.ndarray, areas: np.ndarray) -> str:
    index = atlas.region_index[ids].astype(np.intp)
    inside = index >= 0
    if not inside.any():
        return "Unnamed region"
    weights = np.bincount(index[inside], weights=areas[ids][inside] + 1e-12)
    return atlas.regions[int(weights.argmax())].name


def _tag_name(session: Session, key: str) -> str:
    return session.tags.get(key).name if key in session.tags else key
