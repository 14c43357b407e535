"""Left/right symmetry of a finding: per pair of mirror regions, the areas either side and
an index from -1 (all on the right) to 1 (all on the left)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.compare import painted_mask, skin_areas_cm2
from bodymap.core.mesh import BodyMesh

SYMMETRY_TOLERANCE = 1e-9
"""Left and right areas closer than this share of their sum count as equal (index 0).

Vertex areas of mirror-twin vertices differ in the last bits (their triangles wind the
other way round), so an exactly mirrored painting would otherwise score about 1e-16."""


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
    painted = painted_mask(layer, mesh.n_vertices) & (atlas.region_index >= 0)
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
