"""One client's visits over time: per session and tag the extent and mean intensity, overall
and per region, the rhythm readings and the event counts, oldest first.

Each session file is opened once (layers, rhythm, events and tag names together) and its
mesh is never read: bodies come from :class:`~bodymap.analysis.lookup.SessionBodies`.
What a file yields is kept per content digest (``content_sha256``), so asking again, or
for another date range, reads only sessions saved since. A digest names the file's whole
content, so a kept figure can never be stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from bodymap.analysis.lookup import SessionBodies, pick_client
from bodymap.core.compare import practitioner_changes, region_series, skin_areas_cm2
from bodymap.core.session import Client, RhythmReading
from bodymap.store.info import SessionInfo
from bodymap.store.layer_reads import TrendFileParts
from bodymap.store.store import Store

KEPT_FILES = 4096
"""Session files whose figures are kept (a few kB each: totals per region, not layers)."""


@dataclass(frozen=True)
class RegionPoint:
    area_cm2: float
    mean_intensity: float


@dataclass(frozen=True)
class TagPoint:
    """One tag in one visit: whole body, and every region painted in any visit shown."""

    area_cm2: float
    percent_body: float
    mean_intensity: float
    regions: dict[str, RegionPoint] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class TrendSession:
    info: SessionInfo
    tags: dict[str, TagPoint]
    rhythm: list[RhythmReading]
    events: dict[str, int]


@dataclass(frozen=True, eq=False)
class Trends:
    """The visits of one client in a date range, oldest first.

    ``tags`` and ``regions`` are (key, name) pairs: the tags shown (in the latest visit's
    tag-set order) and, per tag, every region it was painted on in any visit.
    """

    client: Client
    date_from: date | None
    date_to: date | None
    tag: str | None
    tags: list[tuple[str, str]]
    regions: dict[str, list[tuple[str, str]]]
    sessions: list[TrendSession]
    skipped: list[tuple[str, str]]

    @property
    def practitioner_changes(self) -> list[int]:
        """Indices of visits recorded by another practitioner than the visit before."""
        return practitioner_changes([s.info.practitioner for s in self.sessions])


@dataclass(eq=False)
class _FileFigures:
    """What one file (one content digest) yielded: totals per tag, never the layers."""

    info: SessionInfo
    rhythm: list[RhythmReading]
    events: dict[str, int]
    tag_names: dict[str, str]
    painted: tuple[str, ...] | None  # every painted key, once all layers were read
    totals: dict[str, tuple | None] = field(default_factory=dict)  # None: not painted

    @property
    def mesh_hash(self) -> str:
        return self.info.mesh_hash

    def covers(self, tags: list[str] | None) -> bool:
        if tags is None:
            return self.painted is not None
        return all(t in self.totals for t in tags)


_KEPT: OrderedDict[tuple[str, str], _FileFigures] = OrderedDict()
"""Figures by (store folder, content digest): within one store a mesh hash names one atlas."""
_KEPT_LOCK = threading.Lock()  # exports may run trends off the GUI thread


def forget_kept_figures() -> None:
    """Drop every kept per-file figure (a benchmark of the first call uses this)."""
    with _KEPT_LOCK:
        _KEPT.clear()


def trends(
    store: Store,
    client_text: str,
    tag: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    bodies: SessionBodies | None = None,
) -> Trends:
    """The trends of one client's visits (``tag``: that tag only), oldest first.

    Sessions that cannot be read are listed in ``skipped`` with the reason.
    """
    bodies = bodies or SessionBodies(store)
    client = pick_client(store, client_text)
    tags = [tag] if tag else None
    infos, figures, skipped = _read(store, client.id, tags, (date_from, date_to), bodies)
    names = figures[-1].tag_names if figures else {}
    painted = list(dict.fromkeys(k for f in figures for k in _painted(f, tags)))
    keys = [tag] if tag else [k for k in names if k in painted]
    keys += [k for k in painted if k not in keys and not tag]
    regions = {key: _ever_painted(key, figures, bodies) for key in keys}
    sessions = [
        TrendSession(
            info,
            {key: _point(f, key, regions[key], bodies) for key in keys},
            f.rhythm,
            f.events,
        )
        for info, f in zip(infos, figures, strict=True)
    ]
    shown = [(k, names.get(k, k)) for k in keys]
    return Trends(client, date_from, date_to, tag, shown, regions, sessions, skipped)


def _painted(figures: _FileFigures, tags: list[str] | None) -> list[str]:
    if tags is None:
        return list(figures.painted or ())
    return [t for t in tags if figures.totals.get(t) is not None]


def _read(store: Store, client_id: str, tags, days, bodies: SessionBodies):
    """The readable sessions in ``days``, their figures, and (id, reason) of unreadable ones."""
    date_from, date_to = days

    def wanted(info: SessionInfo) -> bool:
        day = info.started.date()
        return not ((date_from and day < date_from) or (date_to and day > date_to))

    root = str(store.root)
    with _KEPT_LOCK:
        known = {d: f.info for (r, d), f in _KEPT.items() if r == root and f.covers(tags)}
        parts = store.trend_parts(client_id, tags, known, wanted)
        skipped = [(p.info.id, p.info.reason) for p in parts if not p.info.readable]
        chosen = [p for p in parts if p.info.readable and wanted(p.info)]
        figures = _figures(root, chosen, tags, bodies)
    return [p.info for p in chosen], figures, skipped


def _figures(root: str, parts: list[TrendFileParts], tags, bodies) -> list[_FileFigures]:
    """Per file its figures: kept ones looked up, new ones summed per mesh and kept."""
    fresh = [p for p in parts if p.layers is not None]
    figures = {id(p): _KEPT[root, p.digest] for p in parts if p.layers is None}
    figures |= {id(p): _new_figures(p, tags) for p in fresh}
    for mesh_hash in dict.fromkeys(p.info.mesh_hash for p in fresh):
        group = [p for p in fresh if p.info.mesh_hash == mesh_hash]
        keys = dict.fromkeys(k for p in group for k in (tags or p.layers))
        mesh, atlas = bodies.get(mesh_hash) if keys else (None, None)
        for key in keys:
            series = region_series([p.layers.get(key) for p in group], mesh, atlas)
            skin = float(skin_areas_cm2(mesh).sum())
            for row, p in enumerate(group):
                totals = None if key not in p.layers else _totals(series, row, skin)
                figures[id(p)].totals[key] = totals
    for p in fresh:
        if p.digest:
            _keep((root, p.digest), figures[id(p)])
    return [figures[id(p)] for p in parts]


def _new_figures(parts: TrendFileParts, tags: list[str] | None) -> _FileFigures:
    painted = tuple(parts.layers) if tags is None else None
    return _FileFigures(parts.info, parts.rhythm, parts.events, parts.tag_names, painted)


def _totals(series, row: int, skin_cm2: float) -> tuple:
    """(area cm², % of the body, mean intensity, (R,) region areas, (R,) region means)."""
    area = float(series.area_cm2[row])
    return (
        area,
        100.0 * area / skin_cm2 if skin_cm2 > 0 else 0.0,
        float(series.mean_intensity[row]),
        series.region_area_cm2[row].copy(),
        series.region_mean[row].copy(),
    )


def _keep(key: tuple[str, str], figures: _FileFigures) -> None:
    old = _KEPT.pop(key, None)
    if old is not None:  # a file read again for more tags keeps what it had
        figures.totals = old.totals | figures.totals
        figures.painted = figures.painted or old.painted
    _KEPT[key] = figures
    while len(_KEPT) > KEPT_FILES:
        _KEPT.popitem(last=False)


def _ever_painted(key: str, figures: list[_FileFigures], bodies) -> list[tuple[str, str]]:
    """(key, name) of every region painted with ``key`` in any visit.

    Visits are taken mesh by mesh (in order of first use), each visit's regions in atlas
    order: regions of different meshes are matched by their keys.
    """
    ever: dict[str, str] = {}
    for mesh_hash in dict.fromkeys(f.mesh_hash for f in figures):
        for f in figures:
            totals = f.totals.get(key) if f.mesh_hash == mesh_hash else None
            if totals is None:
                continue
            _, atlas = bodies.get(mesh_hash)
            for r in np.flatnonzero(totals[3] > 0):
                region = atlas.regions[r]
                ever.setdefault(region.key, region.name)
    return list(ever.items())


def _point(f: _FileFigures, key: str, ever: list[tuple[str, str]], bodies) -> TagPoint:
    """One visit's figures of ``key``; every region ever painted, 0 where not this time."""
    totals = f.totals.get(key)
    zero = RegionPoint(0.0, 0.0)
    if totals is None:
        return TagPoint(0.0, 0.0, 0.0, {k: zero for k, _ in ever})
    _, atlas = bodies.get(f.mesh_hash)
    area, percent, mean, region_area, region_mean = totals
    own = {
        atlas.regions[r].key: RegionPoint(float(region_area[r]), float(region_mean[r]))
        for r in np.flatnonzero(region_area > 0)
    }
    return TagPoint(area, percent, mean, {k: own.get(k, zero) for k, _ in ever})
