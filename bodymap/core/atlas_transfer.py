"""Carry a region atlas from one body mesh onto another body in the same frame.

Each target vertex is matched to the nearest source vertex that faces the same way, and takes
its labels. The normal test keeps labels from leaking across thin gaps (between fingers, between
the arm and the trunk) and through the body. Internal-cavity vertices of the source never give
labels: a target vertex matched to one is left unassigned and reported as internal, so that a
reloaded or resampled default body keeps its mouth and eye sockets out of painting.
Whether the target is another human body in the default frame is judged from the result: a
body that lies elsewhere, has another size or faces inwards finds few agreeing neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from bodymap.core.atlas import NO_BAND, NO_REGION, Atlas
from bodymap.core.mesh import BodyMesh

MAX_DISTANCE_M = 0.03
MIN_NORMAL_AGREEMENT = 0.5
MIN_COVERAGE = 0.9
NEIGHBOURS = 8


@dataclass(frozen=True)
class AtlasTransfer:
    """The outcome of :func:`transfer_atlas`.

    Attributes
    ----------
    atlas : Atlas
        Labels on the target (all unassigned when not fitted); same regions and bands as the
        source atlas.
    fitted : bool
        Whether the target is judged to be a human body in the source's frame.
    reason : str
        Why not, when not fitted; empty when fitted.
    coverage : float
        Share of the target's skin vertices that found an agreeing source vertex (0 to 1).
    internal : (N,) bool array
        Target vertices to keep out of painting and statistics: the target's own internal
        vertices plus, when fitted, those matched to the source's internal cavities. Build the
        target ``BodyMesh`` again with this mask to use it.
    """

    atlas: Atlas
    fitted: bool
    reason: str
    coverage: float
    internal: np.ndarray = field(default=None, repr=False)


def transfer_atlas(
    source: BodyMesh,
    source_atlas: Atlas,
    target: BodyMesh,
    *,
    max_distance: float = MAX_DISTANCE_M,
    min_normal_agreement: float = MIN_NORMAL_AGREEMENT,
    min_coverage: float = MIN_COVERAGE,
    neighbours: int = NEIGHBOURS,
) -> AtlasTransfer:
    """Put ``source_atlas`` (labels of ``source``) onto ``target``.

    Parameters
    ----------
    source, source_atlas : BodyMesh, Atlas
        The labelled body (usually the default body and its atlas).
    target : BodyMesh
        The body to label, in metres in the same frame (+y up, +z anterior).
    max_distance : float
        How far, in metres, a source vertex may be from a target vertex and still give it labels.
    min_normal_agreement : float
        The least cosine between the two vertex normals for them to count as the same skin.
    min_coverage : float
        The least share of target skin vertices that must find a donor for the fit to count.
    neighbours : int
        How many nearest source vertices are considered per target vertex.

    Returns
    -------
    AtlasTransfer
        Unassigned target vertices (internal ones, or those with no agreeing donor) get
        ``NO_REGION`` and ``NO_BAND``.
    """
    if source_atlas.n_vertices != source.n_vertices:
        raise ValueError("the source atlas and the source mesh have different vertex counts")
    unassigned = Atlas.unassigned(target.n_vertices, source_atlas.regions, source_atlas.bands)
    skin = np.flatnonzero(target.external)
    if len(skin) == 0 or not source.external.any():
        whose = "the body to label" if len(skin) == 0 else "the labelled body"
        reason = f"{whose} has no skin vertices"
        return AtlasTransfer(unassigned, False, reason, 0.0, _frozen(target.internal))
    if _same_surface(source, target):  # the labelled body itself: each vertex is its own match
        matches = skin
    else:
        matches = match_vertices(
            source, target.vertices[skin], target.vertex_normals[skin],
            max_distance=max_distance, min_normal_agreement=min_normal_agreement,
            neighbours=neighbours,
        )  # fmt: skip
    matched = matches >= 0
    coverage = float(np.count_nonzero(matched)) / len(skin)
    if coverage < min_coverage:
        reason = (
            "it is not a human body in the default frame: only "
            f"{_percent(coverage)} of its vertices lie within {max_distance * 100:.3g} cm of "
            "the default body's skin facing the same way"
        )
        return AtlasTransfer(unassigned, False, reason, coverage, _frozen(target.internal))
    in_cavity = np.zeros(len(matches), dtype=bool)
    in_cavity[matched] = source.internal[matches[matched]]
    donors = np.where(in_cavity, -1, matches)
    internal = target.internal.copy()
    internal[skin[in_cavity]] = True
    atlas = _carry(source_atlas, skin, donors, target.n_vertices)
    return AtlasTransfer(atlas, True, "", coverage, _frozen(internal))


def match_vertices(
    source: BodyMesh,
    points: np.ndarray,
    normals: np.ndarray,
    *,
    max_distance: float = MAX_DISTANCE_M,
    min_normal_agreement: float = MIN_NORMAL_AGREEMENT,
    neighbours: int = NEIGHBOURS,
) -> np.ndarray:
    """For each point, the nearest source vertex whose normal agrees with the point's.

    Parameters
    ----------
    source : BodyMesh
        The surface to match against (skin and internal vertices alike).
    points, normals : (P, 3) arrays
        Positions in metres and unit normals.

    Returns
    -------
    (P,) int64 array of source vertex indices, -1 where none of the ``neighbours`` nearest
    source vertices within ``max_distance`` faces the same way.
    """
    k = min(neighbours, source.n_vertices)
    distance, nearest = cKDTree(source.vertices).query(
        np.asarray(points, dtype=np.float64), k=k, distance_upper_bound=max_distance, workers=-1
    )
    distance, nearest = distance.reshape(len(points), k), nearest.reshape(len(points), k)
    within = np.isfinite(distance)  # cKDTree marks misses with inf and index n_vertices
    nearest = np.where(within, nearest, 0)
    agreement = np.einsum(
        "pkd,pd->pk", source.vertex_normals[nearest], np.asarray(normals, dtype=np.float32)
    )
    agrees = within & (agreement > min_normal_agreement)
    first = np.argmax(agrees, axis=1)  # neighbours come nearest first
    rows = np.arange(len(points))
    return np.where(agrees[rows, first], nearest[rows, first], -1)


def _same_surface(source: BodyMesh, target: BodyMesh) -> bool:
    return source is target or (
        source.n_vertices == target.n_vertices
        and source.n_faces == target.n_faces
        and source.geometry_hash == target.geometry_hash
    )


def _carry(source_atlas: Atlas, skin: np.ndarray, donors: np.ndarray, n_vertices: int) -> Atlas:
    """The target's atlas: each skin vertex with a donor takes its labels; the rest get none."""
    found = donors >= 0
    regions = np.full(n_vertices, NO_REGION, dtype=np.int16)
    bands = np.full(n_vertices, NO_BAND, dtype=np.int8)
    regions[skin[found]] = source_atlas.region_index[donors[found]]
    bands[skin[found]] = source_atlas.band_index[donors[found]]
    return Atlas(source_atlas.regions, source_atlas.bands, regions, bands)


def _frozen(mask: np.ndarray) -> np.ndarray:
    mask = np.array(mask, dtype=bool)
    mask.setflags(write=False)
    return mask


def _percent(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 or share == 0 else "under 1%"
