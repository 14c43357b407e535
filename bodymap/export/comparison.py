"""Two visits compared for the comparison report: the analysis service's figures, with the
sessions' sources (for their view sheets) and the trend series the report plots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodymap.analysis import comparison as service
from bodymap.analysis.lookup import SessionBodies
from bodymap.analysis.trends import Trends, trends
from bodymap.core.colors import UNKNOWN_TAG_RGB
from bodymap.core.series import practitioner_changes
from bodymap.export.errors import ExportError
from bodymap.export.source import SessionSource
from bodymap.export.trend_plots import TagTrend, TrendData
from bodymap.store.errors import StoreError


@dataclass(frozen=True, eq=False)
class Comparison:
    """The two visits' sources (for their view sheets) and what the service found."""

    before: SessionSource
    after: SessionSource
    result: service.Comparison


def compare_sources(first: SessionSource, second: SessionSource) -> Comparison:
    """Compare two sessions of one client; the earlier one is "before", whatever the order."""
    store = first.store or second.store
    bodies = SessionBodies(store, [(s.mesh, s.atlas) for s in (first, second)])
    try:
        result = service.compare(first.session, second.session, bodies)
    except StoreError as error:
        raise ExportError(str(error)) from error
    before, after = (first, second) if result.before is first.session else (second, first)
    return Comparison(before, after, result)


def trend_data(comparison: Comparison) -> TrendData:
    """Every visit of the client in the store (the two compared ones when there is none)."""
    store = comparison.before.store or comparison.after.store
    if store is not None:
        known = [(s.mesh, s.atlas) for s in (comparison.before, comparison.after)]
        try:
            found = trends(
                store, comparison.after.session.client_id, bodies=SessionBodies(store, known)
            )
            return _from_trends(found, comparison)
        except StoreError:
            pass
    return _from_pair(comparison)


def _from_trends(found: Trends, comparison: Comparison) -> TrendData:
    colors = {t.key: t.rgb for t in comparison.result.tags}
    ids = [s.info.id for s in found.sessions]
    tags = [
        TagTrend(
            name,
            colors.get(key, UNKNOWN_TAG_RGB),
            [s.tags[key].area_cm2 for s in found.sessions],
            [s.tags[key].mean_intensity for s in found.sessions],
        )
        for key, name in found.tags
    ]
    compared = (comparison.before.session.id, comparison.after.session.id)
    return TrendData(
        dates=[s.info.started for s in found.sessions],
        tags=tags,
        practitioner_changes=found.practitioner_changes,
        highlighted=[ids.index(i) for i in compared if i in ids],
        rhythm_rate=[_mean_rate(s.rhythm) for s in found.sessions],
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
        for t in comparison.result.tags
    ]
    return TrendData(
        dates=[s.started for s in sessions],
        tags=tags,
        practitioner_changes=practitioner_changes([s.practitioner for s in sessions]),
        highlighted=[0, 1],
        rhythm_rate=[_mean_rate(s.rhythm) for s in sessions],
    )


def _mean_rate(readings) -> float | None:
    rates = [r.rate for r in readings if r.rate is not None]
    return float(np.mean(rates)) if rates else None
