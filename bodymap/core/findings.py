"""Findings in numbers and words: per tag and region, the painted extent and intensity.

Extent is area-weighted: each vertex carries a third of the area of its triangles, and a
vertex counts as painted when its value is above 0. Internal cavities never count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh
from bodymap.core.overlays import VALUE_SCALE, Overlays
from bodymap.core.tags import TagSet

MIN_REGION_SHARE = 0.10
"""Regions holding less than this share of a tag's area are left out of its summary line..."""
MIN_REGION_CM2 = 1.0
"""...as are regions under this many cm², so a stray edge does not name a region."""
MAX_NAMED_REGIONS = 4
MIN_BAND_SHARE = 0.25
"""A band is named when at least this share of the tag's area lies in it."""


@dataclass(frozen=True)
class RegionFinding:
    """One tag in one region (or over the whole body when ``region_key`` is ``""``)."""

    tag: str
    region_key: str
    region_name: str
    area_cm2: float
    percent_body: float
    mean_intensity: float
    peak_intensity: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class TagFindings:
    """Everything painted with one tag: the total, per region, per band, and a sentence."""

    tag: str
    name: str
    total: RegionFinding
    regions: tuple[RegionFinding, ...]
    bands: tuple[RegionFinding, ...]
    summary: str

    def to_dict(self) -> dict:
        return {
            "tag": self.tag,
            "name": self.name,
            "total": self.total.to_dict(),
            "regions": [r.to_dict() for r in self.regions],
            "bands": [b.to_dict() for b in self.bands],
            "summary": self.summary,
        }


def tag_findings(
    overlays: Overlays, tags: TagSet, mesh: BodyMesh, atlas: Atlas
) -> list[TagFindings]:
    """Findings for every tag with paint, in the tag set's order."""
    areas = mesh.vertex_areas * np.where(mesh.internal, 0.0, 1.0) * 1e4  # m² to cm²
    skin_cm2 = float(areas.sum())
    painted = set(overlays.painted_keys())
    return [
        _one_tag(overlays.layer(t.key), t.key, t.name, areas, skin_cm2, atlas)
        for t in tags
        if t.key in painted
    ]


def _one_tag(layer, key, name, areas, skin_cm2, atlas: Atlas) -> TagFindings:
    ids = np.flatnonzero(layer)
    ids = ids[areas[ids] > 0]
    values = layer[ids].astype(np.float64) / VALUE_SCALE
    weights = areas[ids]
    total = _finding(key, "", "Whole body", weights, values, skin_cm2)
    regions = _grouped(key, atlas.region_index[ids], atlas.regions, weights, values, skin_cm2)
    bands = _grouped(key, atlas.band_index[ids], atlas.bands, weights, values, skin_cm2)
    return TagFindings(key, name, total, regions, bands, _sentence(name, total, regions, bands))


def _grouped(key, index, catalogue, weights, values, skin_cm2) -> tuple[RegionFinding, ...]:
    rows = []
    for group in np.unique(index[index >= 0]):
        inside = index == group
        item = catalogue[int(group)]
        rows.append(_finding(key, item.key, item.name, weights[inside], values[inside], skin_cm2))
    return tuple(sorted(rows, key=lambda r: -r.area_cm2))


def _finding(key, region_key, region_name, weights, values, skin_cm2) -> RegionFinding:
    area = float(weights.sum())
    return RegionFinding(
        tag=key,
        region_key=region_key,
        region_name=region_name,
        area_cm2=area,
        percent_body=100.0 * area / skin_cm2 if skin_cm2 > 0 else 0.0,
        mean_intensity=float(np.dot(weights, values) / area) if area > 0 else 0.0,
        peak_intensity=float(values.max()) if values.size else 0.0,
    )


def _sentence(name, total: RegionFinding, regions, bands) -> str:
    """E.g. "Restriction (peak 6): occipital, cranial base band, 14 cm²"."""
    named = [
        r
        for r in regions
        if r.area_cm2 >= MIN_REGION_CM2 and r.area_cm2 >= MIN_REGION_SHARE * total.area_cm2
    ][:MAX_NAMED_REGIONS] or list(regions[:1])
    places = [_lower_first(r.region_name) for r in named]
    others = len(regions) - len(named)
    if others:
        places.append(f"{others} more region" + ("s" if others > 1 else ""))
    places += [
        _band_phrase(b.region_name) for b in bands if b.area_cm2 >= MIN_BAND_SHARE * total.area_cm2
    ]
    # Region names such as "Abdomen, upper" hold commas: then places are set off by semicolons.
    separator = "; " if any("," in p for p in places) else ", "
    where = separator.join(places) if places else "no mapped region"
    return (
        f"{name} (peak {_number(total.peak_intensity)}): {where}{separator}{_area(total.area_cm2)}"
    )


def _band_phrase(band_name: str) -> str:
    """ "Cranial base (occipito-atlantal)" -> "cranial base band"."""
    short = band_name.split(" (")[0].replace(" diaphragm", "")
    return _lower_first(short) + " band"


def _lower_first(name: str) -> str:
    return name if len(name) > 1 and name[1].isupper() else name[:1].lower() + name[1:]


def _number(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def _area(cm2: float) -> str:
    return f"{cm2:.0f} cm²" if cm2 >= 10 else f"{cm2:.1f} cm²"
