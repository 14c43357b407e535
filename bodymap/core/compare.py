"""Comparing visits: what is new, resolved, persisting or changed, overlap, and carrying a
layer onto another body (symmetry: :mod:`bodymap.core.symmetry`; trends:
:mod:`bodymap.core.series`).

Layers are the stored (N,) uint8 values (tenths of intensity); a vertex counts as painted
when its value is above 0. Extent is area-weighted exactly as in
:mod:`bodymap.core.findings`: each vertex carries a third of the area of its triangles,
internal cavities never count, and areas are in cm². ``None`` stands for an empty layer
(a tag with no paint has no layer in a session file).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh
from bodymap.core.overlays import VALUE_SCALE, Overlays

NONE, NEW, RESOLVED, PERSISTING, CHANGED = 0, 1, 2, 3, 4
"""Per-vertex change classes: unpainted in both, painted only after, only before, in both;
changed (all tags together only): painted in both, but the strongest tag is another one."""
CLASS_NAMES = ("none", "new", "resolved", "persisting", "changed")


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


def painted_mask(layer: np.ndarray | None, n: int) -> np.ndarray:
    """(N,) bool: where ``layer`` holds paint (all False for an absent layer)."""
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
    was, now = painted_mask(before, n), painted_mask(after, n)
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
    ``changed_cm2`` (all tags together) is painted in both visits with another strongest
    tag; ``swaps`` says which: ``(from_tag, to_tag, cm2)``, largest first.
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
    changed_cm2: float = 0.0
    swaps: tuple[tuple[str, str, float], ...] = ()

    @property
    def painted(self) -> bool:
        """Whether the place holds the finding in either visit (a row worth showing)."""
        return self.area_before_cm2 > 0 or self.area_after_cm2 > 0

    def to_dict(self) -> dict:
        data = dict(self.__dict__)
        data["swaps"] = [{"from": a, "to": b, "cm2": cm2} for a, b, cm2 in self.swaps]
        return data


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
    strongest: StrongestTags | None = None,
) -> Difference:
    """What changed between two visits' layers of one tag, on one mesh.

    Parameters
    ----------
    before, after : (N,) uint8 array or None
        Stored values (tenths of intensity) of the earlier and the later visit; ``None``
        for a tag not painted in that visit. Layers of another mesh must first be carried
        over with :func:`transfer_layer`.
    strongest : StrongestTags, optional
        For all tags together: each visit's strongest tag per vertex. A vertex painted in
        both whose strongest tag differs is then :data:`CHANGED`, not persisting.
    """
    n = mesh.n_vertices
    classes = change_classes(before, after, n)
    if strongest is not None:
        classes[(classes == PERSISTING) & (strongest.before != strongest.after)] = CHANGED
    areas = skin_areas_cm2(mesh)
    skin = float(areas.sum())
    ids = np.flatnonzero(classes != NONE)
    ids = ids[areas[ids] > 0]
    sums = _class_sums(classes[ids], areas[ids], _values(before, ids), _values(after, ids))
    swaps = _Swaps(classes[ids], areas[ids], strongest, ids)
    total = _change("", "Whole body", sums.sum(axis=1), skin, swaps.of(None))
    regions = _grouped(sums, atlas.region_index[ids], atlas.regions, skin, swaps)
    bands = _grouped(sums, atlas.band_index[ids], atlas.bands, skin, swaps)
    return Difference(tag, classes, total, regions, bands)


@dataclass(frozen=True, eq=False)
class StrongestTags:
    """Per vertex, the index in ``keys`` of each visit's strongest tag (-1: none painted)."""

    keys: tuple[str, ...]
    before: np.ndarray
    after: np.ndarray


def strongest_tags(
    before: dict[str, np.ndarray], after: dict[str, np.ndarray], keys: list[str], n: int
) -> StrongestTags:
    """Which tag is strongest at each vertex in each visit; ties go to the earlier key."""

    def index(layers: dict[str, np.ndarray]) -> np.ndarray:
        stack = np.stack([_layer_or_zeros(layers.get(k), n) for k in keys]) if keys else None
        if stack is None:
            return np.full(n, -1, dtype=np.int32)
        found = np.argmax(stack, axis=0).astype(np.int32)
        found[stack.max(axis=0) == 0] = -1
        return found

    return StrongestTags(tuple(keys), index(before), index(after))


def _layer_or_zeros(layer: np.ndarray | None, n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.uint8) if layer is None else np.asarray(layer)


class _Swaps:
    """The changed vertices' (from, to) tag pairs and areas, summed per group on demand."""

    def __init__(self, classes, weights, strongest: StrongestTags | None, ids) -> None:
        changed = classes == CHANGED
        self._keys = strongest.keys if strongest is not None else ()
        self._weights = weights[changed]
        self._where = np.flatnonzero(changed)
        k = len(self._keys)
        self._pairs = (
            strongest.before[ids[changed]] * k + strongest.after[ids[changed]]
            if strongest is not None
            else np.empty(0, dtype=np.int32)
        )

    def of(self, index: np.ndarray | None, group: int = 0) -> tuple:
        """``(from, to, cm2)`` of the changed vertices of ``group`` (``None``: all of them)."""
        if not len(self._pairs):
            return ()
        mine = slice(None) if index is None else index[self._where] == group
        areas = np.bincount(self._pairs[mine], weights=self._weights[mine])
        k = len(self._keys)
        found = [
            (self._keys[p // k], self._keys[p % k], float(areas[p])) for p in np.flatnonzero(areas)
        ]
        return tuple(sorted(found, key=lambda s: (-s[2], s[0], s[1])))


def _values(layer: np.ndarray | None, ids: np.ndarray) -> np.ndarray:
    if layer is None:
        return np.zeros(len(ids))
    return np.asarray(layer)[ids].astype(np.float64) / VALUE_SCALE


_SUMS = (
    "before",
    "after",
    "new",
    "resolved",
    "persisting",
    "changed",
    "weighted_before",
    "weighted_after",
)


def _class_sums(classes, weights, before, after) -> np.ndarray:
    """(8, K) per-vertex contributions, rows named in :data:`_SUMS`."""
    kinds = [classes == kind for kind in (NEW, RESOLVED, PERSISTING, CHANGED)]
    new, resolved, persisting, changed = kinds
    both = persisting | changed
    return np.stack(
        [weights * (resolved | both), weights * (new | both)]
        + [weights * kind for kind in kinds]
        + [weights * before, weights * after]
    )


def _grouped(sums: np.ndarray, index: np.ndarray, catalogue, skin: float, swaps: _Swaps) -> tuple:
    inside = index >= 0
    groups = index[inside].astype(np.intp)
    n = len(catalogue)
    per_group = np.stack([np.bincount(groups, weights=row[inside], minlength=n) for row in sums])
    touched = np.unique(groups)
    rows = [
        _change(catalogue[g].key, catalogue[g].name, per_group[:, g], skin, swaps.of(index, g))
        for g in touched
    ]
    return tuple(sorted(rows, key=lambda r: (-abs(r.change_cm2), -r.area_before_cm2, r.key)))


def _change(key: str, name: str, sums: np.ndarray, skin: float, swaps: tuple = ()) -> RegionChange:
    before, after, new, resolved, persisting, changed, weighted_before, weighted_after = (
        float(x) for x in sums
    )
    union = new + resolved + persisting + changed
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
        jaccard=(persisting + changed) / union if union > 0 else None,  # overlap of areas
        percent_before=100.0 * before / skin if skin > 0 else 0.0,
        percent_after=100.0 * after / skin if skin > 0 else 0.0,
        changed_cm2=changed,
        swaps=swaps,
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
