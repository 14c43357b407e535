"""Comparing visits: what is new, resolved and persisting, overlap, symmetry and trends.

Layers are the stored (N,) uint8 values (tenths of intensity); a vertex counts as painted
when its value is above 0. Extent is area-weighted exactly as in
:mod:`bodymap.core.findings`: each vertex carries a third of the area of its triangles,
internal cavities never count, and areas are in cm². ``None`` stands for an empty layer
(a tag with no paint has no layer in a session file).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh
from bodymap.core.overlays import VALUE_SCALE, Overlays

NONE, NEW, RESOLVED, PERSISTING = 0, 1, 2, 3
"""Per-vertex change classes: unpainted in both, painted only after, only before, in both."""
CLASS_NAMES = ("none", "new", "resolved", "persisting")
SYMMETRY_TOLERANCE = 1e-9
"""Left and right areas closer than this share of their sum count as equal (index 0).

Vertex areas of mirror-twin vertices differ in the last bits (their triangles wind the
other way round), so an exactly mirrored painting would otherwise score about 1e-16."""


def skin_areas_cm2(mesh: BodyMesh) -> np.ndarray:
    """Per-vertex area in cm², 0 on internal vertices (the weights of every statistic).

    Computed once per mesh (a body's geometry never changes) and returned read-only:
    trends over a hundred visits weigh each one with it.
    """
    areas = _SKIN_AREAS.get(mesh)
    if areas is None:
        areas = mesh.vertex_areas * np.where(mesh.internal, 0.0, 1.0) * 1e4  # as in findings
        areas.flags.writeable = False
        _SKIN_AREAS[mesh] = areas
    return areas


_SKIN_AREAS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _painted(layer: np.ndarray | None, n: int) -> np.ndarray:
    if layer is None:
        return np.zeros(n, dtype=bool)
    layer = np.asarray(layer)
    if layer.shape != (n,):
        raise ValueError(f"a layer has shape {layer.shape}, expected ({n},)")
    return layer > 0


def _length(*layers) -> int:
    for layer in layers:
        if layer is not None:
            return len(layer)
    raise ValueError("give at least one layer, or n_vertices")


def change_classes(
    before: np.ndarray | None, after: np.ndarray | None, n_vertices: int | None = None
) -> np.ndarray:
    """Per vertex :data:`NONE`, :data:`NEW`, :data:`RESOLVED` or :data:`PERSISTING`.

    Parameters
    ----------
    before, after : (N,) uint8 array or None
        The earlier and the later visit's layer; ``None`` is an empty layer.
    n_vertices : int, optional
        Needed only when both layers are ``None``.

    Returns
    -------
    (N,) uint8
    """
    n = n_vertices if n_vertices is not None else _length(before, after)
    was, now = _painted(before, n), _painted(after, n)
    classes = now.view(np.uint8).copy()  # NEW = 1 where painted after...
    classes += was.view(np.uint8) << 1  # ...RESOLVED = 2 before, PERSISTING = 1 + 2 both
    return classes


def jaccard(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> float | None:
    """Area-weighted ``|A ∩ B| / |A ∪ B|`` of two boolean masks; ``None`` when both are empty.

    1 for identical areas, 0 for disjoint ones (the overlap measure of the pain-drawing
    literature).
    """
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    weights = np.asarray(weights, dtype=np.float64)
    union = float(weights[a | b].sum())
    if union <= 0.0:
        return None
    return float(weights[a & b].sum()) / union


@dataclass(frozen=True)
class RegionChange:
    """How one region (or band, or the whole body with ``key`` ``""``) changed.

    Areas are cm²; ``change_cm2`` is after minus before; means are area-weighted
    intensities 0 to 10 over the painted part (0 when nothing is painted); ``jaccard`` is
    the overlap of the two visits' areas inside the region (``None`` when both are empty).
    ``percent_before`` and ``percent_after`` give the areas as % of the body's skin.
    """

    key: str
    name: str
    area_before_cm2: float
    area_after_cm2: float
    change_cm2: float
    new_cm2: float
    resolved_cm2: float
    persisting_cm2: float
    mean_before: float
    mean_after: float
    jaccard: float | None
    percent_before: float = 0.0
    percent_after: float = 0.0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class Difference:
    """Two visits of one tag (``tag`` ``""``: all tags together, see :func:`combined_layer`).

    ``classes`` is the per-vertex change class; ``regions`` holds every region painted in
    either visit, largest absolute change first; ``bands`` likewise for diaphragm bands.
    """

    tag: str
    classes: np.ndarray
    total: RegionChange
    regions: tuple[RegionChange, ...]
    bands: tuple[RegionChange, ...]

    def to_dict(self) -> dict:
        """JSON-ready, without the per-vertex classes."""
        return {
            "tag": self.tag,
            "total": self.total.to_dict(),
            "regions": [r.to_dict() for r in self.regions],
            "bands": [b.to_dict() for b in self.bands],
        }


def difference(
    before: np.ndarray | None,
    after: np.ndarray | None,
    mesh: BodyMesh,
    atlas: Atlas,
    tag: str = "",
) -> Difference:
    """What changed between two visits' layers of one tag, on one mesh.

    Parameters
    ----------
    before, after : (N,) uint8 array or None
        Stored values (tenths of intensity) of the earlier and the later visit; ``None``
        for a tag not painted in that visit. Layers of another mesh must first be carried
        over with :func:`transfer_layer`.
    """
    n = mesh.n_vertices
    classes = change_classes(before, after, n)
    areas = skin_areas_cm2(mesh)
    skin = float(areas.sum())
    ids = np.flatnonzero(classes != NONE)
    ids = ids[areas[ids] > 0]
    sums = _class_sums(classes[ids], areas[ids], _values(before, ids), _values(after, ids))
    total = _change("", "Whole body", sums.sum(axis=1), skin)
    regions = _grouped(sums, atlas.region_index[ids], atlas.regions, skin)
    bands = _grouped(sums, atlas.band_index[ids], atlas.bands, skin)
    return Difference(tag, classes, total, regions, bands)


def _values(layer: np.ndarray | None, ids: np.ndarray) -> np.ndarray:
    if layer is None:
        return np.zeros(len(ids))
    return np.asarray(layer)[ids].astype(np.float64) / VALUE_SCALE


_SUMS = ("before", "after", "new", "resolved", "persisting", "weighted_before", "weighted_after")


def _class_sums(classes, weights, before, after) -> np.ndarray:
    """(7, K) per-vertex contributions, rows named in :data:`_SUMS`."""
    was = (classes & RESOLVED) > 0
    now = (classes & NEW) > 0
    return np.stack(
        [
            weights * was,
            weights * now,
            weights * (classes == NEW),
            weights * (classes == RESOLVED),
            weights * (classes == PERSISTING),
            weights * before,
            weights * after,
        ]
    )


def _grouped(sums: np.ndarray, index: np.ndarray, catalogue, skin: float) -> tuple:
    inside = index >= 0
    groups = index[inside].astype(np.intp)
    n = len(catalogue)
    per_group = np.stack([np.bincount(groups, weights=row[inside], minlength=n) for row in sums])
    touched = np.unique(groups)
    rows = [_change(catalogue[g].key, catalogue[g].name, per_group[:, g], skin) for g in touched]
    return tuple(sorted(rows, key=lambda r: (-abs(r.change_cm2), -r.area_before_cm2, r.key)))


def _change(key: str, name: str, sums: np.ndarray, skin: float) -> RegionChange:
    before, after, new, resolved, persisting, weighted_before, weighted_after = (
        float(x) for x in sums
    )
    union = new + resolved + persisting
    return RegionChange(
        key=key,
        name=name,
        area_before_cm2=before,
        area_after_cm2=after,
        change_cm2=after - before,
        new_cm2=new,
        resolved_cm2=resolved,
        persisting_cm2=persisting,
        mean_before=weighted_before / before if before > 0 else 0.0,
        mean_after=weighted_after / after if after > 0 else 0.0,
        jaccard=persisting / union if union > 0 else None,
        percent_before=100.0 * before / skin if skin > 0 else 0.0,
        percent_after=100.0 * after / skin if skin > 0 else 0.0,
    )


def combined_layer(overlays: Overlays, keys=None) -> np.ndarray:
    """Every vertex's strongest value over some layers (default: all): "all tags" as one.

    Keys without a layer are skipped; the result is a new (N,) uint8 array.
    """
    keys = overlays.keys if keys is None else [k for k in keys if k in overlays.keys]
    return strongest_layer([overlays.layer(key) for key in keys], overlays.n_vertices)


def strongest_layer(layers: list[np.ndarray], n_vertices: int | None = None) -> np.ndarray | None:
    """Each vertex's largest value over ``layers``, a new (N,) uint8 array.

    With no layers: zeros when ``n_vertices`` is given, else ``None`` (nothing painted).
    """
    if not layers:
        return None if n_vertices is None else np.zeros(n_vertices, dtype=np.uint8)
    out = np.array(layers[0], dtype=np.uint8)
    for layer in layers[1:]:
        np.maximum(out, layer, out=out)
    return out


@dataclass(frozen=True)
class SymmetryRow:
    """Painted area of a left/right region pair; ``index`` = (L - R) / (L + R).

    ``index`` is 0 when balanced, +1 when only the left is painted, -1 when only the right,
    and ``None`` when neither is.
    """

    left_key: str
    right_key: str
    name: str
    left_cm2: float
    right_cm2: float
    index: float | None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def mirror_region_pairs(atlas: Atlas) -> list[tuple[int, int]]:
    """(left region index, right region index) for every ``<name>_l`` with a ``<name>_r``."""
    index = {r.key: i for i, r in enumerate(atlas.regions)}
    return [
        (i, index[r.key[:-2] + "_r"])
        for i, r in enumerate(atlas.regions)
        if r.key.endswith("_l") and r.key[:-2] + "_r" in index
    ]


def _pair_name(name: str) -> str:
    """ "Left thorax, anterior upper" -> "Thorax, anterior upper"; "Left TMJ" -> "TMJ"."""
    for side in ("Left ", "Right ", "left ", "right "):
        if name.startswith(side):
            name = name[len(side) :]
            break
    return name[:1].upper() + name[1:]


def symmetry(layer: np.ndarray | None, mesh: BodyMesh, atlas: Atlas) -> list[SymmetryRow]:
    """Left/right balance of one layer for every mirrored region pair, in atlas order."""
    painted = _painted(layer, mesh.n_vertices) & (atlas.region_index >= 0)
    areas = np.bincount(
        atlas.region_index[painted].astype(np.intp),
        weights=skin_areas_cm2(mesh)[painted],
        minlength=len(atlas.regions),
    )
    rows = []
    for left, right in mirror_region_pairs(atlas):
        l_cm2, r_cm2 = float(areas[left]), float(areas[right])
        both = l_cm2 + r_cm2
        if both <= 0:
            index = None
        elif abs(l_cm2 - r_cm2) <= SYMMETRY_TOLERANCE * both:
            index = 0.0
        else:
            index = (l_cm2 - r_cm2) / both
        region = atlas.regions[left]
        rows.append(
            SymmetryRow(
                region.key, atlas.regions[right].key, _pair_name(region.name), l_cm2, r_cm2, index
            )
        )
    return rows


@dataclass(frozen=True)
class SessionPoint:
    """One visit on a trend line: who, when, and the tag's extent and mean intensity."""

    session_id: str
    started: datetime
    practitioner: str
    area_cm2: float
    mean_intensity: float

    def to_dict(self) -> dict:
        return {**self.__dict__, "started": self.started.isoformat()}


class RegionSeries(NamedTuple):
    """Per-session figures of one tag: (S,) totals and (S, R) per region (atlas order)."""

    area_cm2: np.ndarray
    mean_intensity: np.ndarray
    region_area_cm2: np.ndarray
    region_mean: np.ndarray


def region_series(layers: list[np.ndarray | None], mesh: BodyMesh, atlas: Atlas) -> RegionSeries:
    """Extent and mean intensity per session, whole body and per region, in one pass.

    Parameters
    ----------
    layers : list of (N,) uint8 arrays or None
        One tag's layer per session (``None``: not painted), all on ``mesh``.

    Returns
    -------
    RegionSeries
        ``(area_cm2 (S,), mean_intensity (S,), region_area_cm2 (S, R), region_mean (S, R))``;
        a named tuple, so it unpacks into four arrays. Means are 0 where nothing is painted.

    Notes
    -----
    Only painted vertices are visited: one ``flatnonzero`` per layer, then ``bincount``
    over (session, region) bins, so 100 sessions of the default body take milliseconds.
    """
    n, n_regions = mesh.n_vertices, len(atlas.regions)
    for layer in layers:
        if layer is not None and np.shape(layer) != (n,):
            raise ValueError(f"a layer has shape {np.shape(layer)}, expected ({n},)")
    painted = [np.flatnonzero(layer > 0) if layer is not None else _EMPTY for layer in layers]
    ids = np.concatenate([_EMPTY, *painted])
    session = np.repeat(np.arange(len(layers)), [len(p) for p in painted])
    stored = [np.asarray(layer)[p] for layer, p in zip(layers, painted, strict=True) if len(p)]
    values = np.concatenate([np.zeros(0, np.uint8), *stored]) / VALUE_SCALE
    weights = skin_areas_cm2(mesh)[ids]
    region = atlas.region_index[ids].astype(np.intp)
    region = np.where(region >= 0, region, n_regions)  # unassigned: a bin dropped below
    bins = session * (n_regions + 1) + region
    size = len(layers) * (n_regions + 1)
    shape = (len(layers), n_regions + 1)
    area = np.bincount(bins, weights=weights, minlength=size).reshape(shape)
    weighted = np.bincount(bins, weights=weights * values, minlength=size).reshape(shape)
    total, total_weighted = area.sum(axis=1), weighted.sum(axis=1)
    return RegionSeries(
        total,
        _ratio(total_weighted, total),
        area[:, :n_regions],
        _ratio(weighted[:, :n_regions], area[:, :n_regions]),
    )


_EMPTY = np.zeros(0, dtype=np.intp)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros(np.shape(numerator))
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def practitioner_changes(practitioners: list[str]) -> list[int]:
    """Indices of the sessions recorded by someone other than the session before.

    Names are compared ignoring case and surrounding spaces. Rhythm palpation agrees poorly
    between examiners, so trends mark these points.
    """
    names = [str(p).strip().casefold() for p in practitioners]
    return [i for i in range(1, len(names)) if names[i] != names[i - 1]]


def same_topology(a: BodyMesh, b: BodyMesh) -> bool:
    """Whether two meshes share their vertices and faces (bodies of one topology: another
    shape, the same vertex ids), so layers carry over vertex for vertex, exactly."""
    if a is b or a.geometry_hash == b.geometry_hash:
        return True
    return a.n_vertices == b.n_vertices and np.array_equal(a.faces, b.faces)


def transfer_layer(
    layer: np.ndarray | None, source_mesh: BodyMesh, target_mesh: BodyMesh
) -> np.ndarray:
    """A layer painted on ``source_mesh`` carried onto ``target_mesh``.

    Between bodies of one topology (:func:`same_topology`: a child's body that grew, a build
    changed) the layer carries over vertex for vertex, exactly. Otherwise (approximate) each
    target skin vertex takes the value of the nearest source vertex that faces the same way,
    within 3 cm (:func:`bodymap.core.atlas_transfer.match_vertices`); others get 0. Both
    meshes must be bodies in the default frame. Areas computed after such a transfer are
    approximate: the resampling gains or loses a rim about one edge length wide.
    """
    from bodymap.core.atlas_transfer import match_vertices  # scipy: only when needed

    out = np.zeros(target_mesh.n_vertices, dtype=np.uint8)
    if layer is None:
        return out
    layer = np.asarray(layer)
    if layer.shape != (source_mesh.n_vertices,):
        raise ValueError("the layer does not match the source mesh")
    if same_topology(source_mesh, target_mesh):
        return layer.astype(np.uint8, copy=True)
    skin = np.flatnonzero(target_mesh.external)
    matches = match_vertices(
        source_mesh, target_mesh.vertices[skin], target_mesh.vertex_normals[skin]
    )
    found = matches >= 0
    out[skin[found]] = layer[matches[found]]
    return out
