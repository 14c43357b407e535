"""The Lund-Browder chart: each body part's share of the skin by age, and a body's own shares.

The chart's parts are coarser than the atlas's regions; every region belongs to exactly one part
(:data:`REGION_PART`), so a body's share of a part is the skin area of its regions over the whole
skin. Body surface area by Mosteller's formula is the usual check of a body's total skin area.
"""

from __future__ import annotations

import numpy as np

from bodymap.core.atlas import NO_REGION, Atlas
from bodymap.core.mesh import BodyMesh

CHART_AGES = (0.0, 1.0, 5.0, 10.0, 15.0, 18.0)
"""The chart's columns in years; the last is the adult column."""

# % of total body surface per part (each sided part is one side), by CHART_AGES.
LUND_BROWDER: dict[str, tuple[float, ...]] = {
    "head": (19, 17, 13, 11, 9, 7),
    "neck": (2, 2, 2, 2, 2, 2),
    "anterior trunk": (13, 13, 13, 13, 13, 13),
    "posterior trunk": (13, 13, 13, 13, 13, 13),
    "buttock": (2.5, 2.5, 2.5, 2.5, 2.5, 2.5),
    "genitalia": (1, 1, 1, 1, 1, 1),
    "upper arm": (4, 4, 4, 4, 4, 4),
    "forearm": (3, 3, 3, 3, 3, 3),
    "hand": (2.5, 2.5, 2.5, 2.5, 2.5, 2.5),
    "thigh": (5.5, 6.5, 8, 8.5, 9, 9.5),
    "leg": (5, 5, 5.5, 6, 6.5, 7),
    "foot": (3.5, 3.5, 3.5, 3.5, 3.5, 3.5),
}
SIDED_PARTS = ("buttock", "upper arm", "forearm", "hand", "thigh", "leg", "foot")

# The chart part of each region type (a region key without its _l/_r suffix).
REGION_PART: dict[str, str] = {
    **dict.fromkeys(
        ("frontal sagittal_suture parietal temporal sphenoid occipital face ear jaw tmj").split(),
        "head",
    ),
    "neck_anterior": "neck",
    "neck_posterior": "neck",
    **dict.fromkeys(
        (
            "sternum thorax_anterior_upper thorax_anterior_lower abdomen_upper abdomen_lower groin"
        ).split(),
        "anterior trunk",
    ),
    **dict.fromkeys(
        (
            "thoracic_spine thorax_posterior_upper thorax_posterior_lower lumbar_spine lumbar "
            "sacrum"
        ).split(),
        "posterior trunk",
    ),
    "gluteal": "buttock",
    "perineum": "genitalia",
    **dict.fromkeys(("shoulder", "axilla", "upper_arm"), "upper arm"),
    **dict.fromkeys(("elbow", "forearm"), "forearm"),
    "hand": "hand",
    **dict.fromkeys(("hip", "thigh_anterior", "thigh_posterior"), "thigh"),
    **dict.fromkeys(("knee", "leg_anterior", "leg_posterior"), "leg"),
    "foot": "foot",
}


def chart_share(part: str, age_years: float) -> float:
    """The chart's % of the body surface for ``part`` (one side of a sided part) at an age."""
    if part not in LUND_BROWDER:
        raise KeyError(f"the Lund-Browder chart has no part {part!r}")
    return float(np.interp(age_years, CHART_AGES, LUND_BROWDER[part]))


def part_label(region_key: str, side: str) -> str:
    """The chart cell a region counts towards, e.g. ``"thigh left"`` or ``"head"``."""
    part = REGION_PART[region_key.removesuffix("_l").removesuffix("_r")]
    return f"{part} {side}" if part in SIDED_PARTS else part


def chart_labels() -> list[str]:
    """Every chart cell, sided parts once per side (left first)."""
    labels = []
    for part in LUND_BROWDER:
        labels += [f"{part} left", f"{part} right"] if part in SIDED_PARTS else [part]
    return labels


def part_shares(mesh: BodyMesh, atlas: Atlas) -> dict[str, float]:
    """Each chart cell's % of the body's skin area (unassigned skin counts in the total)."""
    labels = chart_labels()
    label_of_region = np.array(
        [labels.index(part_label(r.key, r.side)) for r in atlas.regions] + [-1]
    )
    cell = label_of_region[atlas.region_index]  # NO_REGION (-1) indexes the trailing -1
    skin = mesh.external
    areas = mesh.vertex_areas
    total = float(areas[skin].sum())
    keep = skin & (atlas.region_index != NO_REGION)
    sums = np.bincount(cell[keep], weights=areas[keep], minlength=len(labels))
    return {label: 100.0 * float(s) / total for label, s in zip(labels, sums, strict=True)}


def chart_comparison(mesh: BodyMesh, atlas: Atlas, age_years: float) -> list[dict]:
    """Each chart cell's share on the body beside the chart's value for that age."""
    shares = part_shares(mesh, atlas)
    rows = []
    for label, share in shares.items():
        part = label.removesuffix(" left").removesuffix(" right")
        expected = chart_share(part, age_years)
        rows.append(
            {
                "part": label,
                "share_percent": round(share, 2),
                "chart_percent": round(expected, 2),
                "difference": round(share - expected, 2),
            }
        )
    return rows


def mosteller_m2(height_m: float, weight_kg: float) -> float:
    """Body surface area in m² by Mosteller: sqrt(height cm × weight kg / 3600)."""
    if height_m <= 0 or weight_kg <= 0:
        raise ValueError("height and weight must be positive")
    return float(np.sqrt(height_m * 100.0 * weight_kg / 3600.0))
