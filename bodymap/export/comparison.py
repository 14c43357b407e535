"""Two visits of one client compared, as data: the numbers behind the comparison report.

The earlier session is "before"; a later one painted on another body mesh is carried onto
the earlier one's (:func:`bodymap.core.compare.transfer_layer`). The differences come from
:mod:`bodymap.core.compare`. Also the trend series the report plots: every visit of the
client in the store, or the two compared ones when there is no store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.compare import (
    CHANGE_COLORS,
    NEW,
    PERSISTING,
    RESOLVED,
    Difference,
    combined_layer,
    difference,
    practitioner_changes,
    transfer_layer,
)
from bodymap.core.mesh import BodyMesh
from bodymap.export.colors import LegendEntry
from bodymap.export.errors import ExportError
from bodymap.export.source import SessionSource
from bodymap.export.trend_plots import TagTrend, TrendData

CLASS_COLORS = CHANGE_COLORS
NEW_RGB, RESOLVED_RGB, PERSISTING_RGB = (
    CHANGE_COLORS[NEW],
    CHANGE_COLORS[RESOLVED],
    CHANGE_COLORS[PERSISTING],
)
CLASS_LEGEND = [
    LegendEntry("New", NEW_RGB),
    LegendEntry("Resolved", RESOLVED_RGB),
    LegendEntry("Persisting", PERSISTING_RGB),
]


@dataclass(frozen=True, eq=False)
class TagChange:
    key: str
    name: str
    rgb: tuple[int, int, int]
    difference: Difference


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two visits compared on the earlier one's body (the later one carried over if needed)."""

    before: SessionSource
    after: SessionSource
    mesh: BodyMesh
    atlas: Atlas
    transferred: bool
    combined: Difference
    tags: tuple[TagChange, ...]


def compare_sources(first: SessionSource, second: SessionSource) -> Comparison:
    """Compare two sessions of one client; the earlier one is "before", whatever the order."""
    if first.session.client_id != second.session.client_id:
        raise ExportError("the two sessions belong to different clients")
    before, after = sorted((first, second), key=lambda s: s.session.started)
    mesh, atlas = before.mesh, before.atlas
    transferred = after.mesh.geometry_hash != mesh.geometry_hash
    later = {
        key: transfer_layer(after.session.overlays.layer(key), after.mesh, mesh)
        for key in after.session.overlays.painted_keys()
    }
    earlier = {k: before.session.overlays.layer(k) for k in before.session.overlays.painted_keys()}
    styles = {t.key: t for t in before.session.tags} | {t.key: t for t in after.session.tags}
    keys = [k for k in styles if k in earlier or k in later]
    keys += [k for k in {**earlier, **later} if k not in keys]
    tags = tuple(
        TagChange(
            key,
            styles[key].name if key in styles else key,
            styles[key].color if key in styles else (90, 90, 90),
            difference(earlier.get(key), later.get(key), mesh, atlas, key),
        )
        for key in keys
    )
    combined = difference(
        combined_layer(before.session.overlays),
        _strongest(list(later.values()), mesh.n_vertices),
        mesh,
        atlas,
    )
    return Comparison(before, after, mesh, atlas, transferred, combined, tags)


def _strongest(layers: list[np.ndarray], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.uint8)
    for layer in layers:
        np.maximum(out, layer, out=out)
    return out


def difference_colors(classes: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Skin where nothing was found in either visit, else the class colour, (N, 4) uint8."""
    colors = base.copy()
    for kind, rgb in CLASS_COLORS.items():
        colors[classes == kind, :3] = rgb
    return colors


def trend_data(comparison: Comparison) -> TrendData:
    """Every visit of the client in the store (the two compared ones when there is none)."""
    store = comparison.before.store or comparison.after.store
    if store is not None:
        from bodymap.store.compare_report import trends
        from bodymap.store.errors import StoreError

        try:
            return _from_trends(trends(store, comparison.after.session.client_id), comparison)
        except StoreError:
            pass
    return _from_pair(comparison)


def _from_trends(result: dict, comparison: Comparison) -> TrendData:
    sessions = result["sessions"]
    colors = {t.key: t.rgb for t in comparison.tags}
    ids = [s["id"] for s in sessions]
    tags = [
        TagTrend(
            tag["name"],
            colors.get(tag["key"], (90, 90, 90)),
            [s["tags"][tag["key"]]["area_cm2"] for s in sessions],
            [s["tags"][tag["key"]]["mean_intensity"] for s in sessions],
        )
        for tag in result["tags"]
    ]
    compared = (comparison.before.session.id, comparison.after.session.id)
    return TrendData(
        dates=[datetime.fromisoformat(s["started"]) for s in sessions],
        tags=tags,
        practitioner_changes=list(result["practitioner_changes"]),
        highlighted=[ids.index(i) for i in compared if i in ids],
        rhythm_rate=[_mean_rate(s["rhythm"]) for s in sessions],
    )


def _from_pair(comparison: Comparison) -> TrendData:
    sessions = (comparison.before.session, comparison.after.session)
    tags = [
        TagTrend(
            t.name,
            t.rgb,
            [t.difference.total.area_before_cm2, t.difference.total.area_after_cm2],
            [t.difference.total.mean_before, t.difference.total.mean_after],
        )
        for t in comparison.tags
    ]
    return TrendData(
        dates=[s.started for s in sessions],
        tags=tags,
        practitioner_changes=practitioner_changes([s.practitioner for s in sessions]),
        highlighted=[0, 1],
        rhythm_rate=[_mean_rate([r.to_dict() for r in s.rhythm]) for s in sessions],
    )


def _mean_rate(readings: list[dict]) -> float | None:
    rates = [r["rate"] for r in readings if r.get("rate") is not None]
    return float(np.mean(rates)) if rates else None
