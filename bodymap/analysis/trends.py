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
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from bodymap.analysis.comparison import ALL_TAGS
from bodymap.analysis.lookup import SessionBodies, pick_client
from bodymap.core.compare import skin_areas_cm2, strongest_layer
from bodymap.core.series import PaintedVertices, practitioner_changes, region_series
from bodymap.core.session import Client, RhythmReading
from bodymap.store.errors import StoreError
from bodymap.store.info import SessionInfo
from bodymap.store.layer_reads import TrendFileParts
from bodymap.store.store import Store

ALL_TAGS_NAME = "All tags"
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
    tag_names: dict[str, str] | None  # None: not read (only the newest visit's are)
    painted: tuple[str, ...] | None  # every painted key, once all layers were read
    totals: dict[str, tuple | None] = field(default_factory=dict)  # None: not painted

    @property
    def mesh_hash(self) -> str:
        return self.info.mesh_hash

    def covers(self, tag: str | None) -> bool:
        """Whether these figures answer a call for ``tag`` without reading the file."""
        if tag is None:
            return self.painted is not None and all(k in self.totals for k in self.painted)
        return tag in self.totals


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
    session_ids: Collection[str] | None = None,
    listed: Collection[SessionInfo] | None = None,
) -> Trends:
    """The trends of one client's visits, oldest first.

    ``tag`` ``None``: every tag painted in any visit; a tag key: that tag;
    :data:`~bodymap.analysis.comparison.ALL_TAGS`: all tags together (each vertex's
    strongest value). ``session_ids`` limits the visits to those (the compare window's
    choice). ``listed``: the client's listing the caller holds (``Store.sessions``), so that
    files unchanged since are not asked for their headers again. Sessions that cannot be
    read are listed in ``skipped`` with the reason.
    """
    bodies = bodies or SessionBodies(store)
    client = pick_client(store, client_text)

    def wanted(info: SessionInfo) -> bool:
        day = info.started.date()
        if (date_from and day < date_from) or (date_to and day > date_to):
            return False
        return session_ids is None or info.id in session_ids

    infos, figures, skipped = _read(store, client.id, tag, wanted, bodies, listed)
    names = _newest_names(store, figures)
    if tag is not None:
        keys = [tag]
    else:
        painted = list(dict.fromkeys(k for f in figures for k in f.painted or ()))
        keys = [k for k in names if k in painted] + [k for k in painted if k not in names]
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
    shown = [(k, ALL_TAGS_NAME if k == ALL_TAGS else names.get(k, k)) for k in keys]
    return Trends(client, date_from, date_to, tag, shown, regions, sessions, skipped)


def _read(store: Store, client_id: str, tag: str | None, wanted, bodies: SessionBodies, listed):
    """The wanted readable sessions, their figures, and (id, reason) of unreadable ones."""
    root = str(store.root)
    tags = None if tag is None or tag == ALL_TAGS else [tag]
    with _KEPT_LOCK:
        known = {d: f.info for (r, d), f in _KEPT.items() if r == root and f.covers(tag)}
        summarise = _summariser(tag, bodies)
        parts = store.trend_parts(client_id, tags, known, wanted, summarise, listed)
        skipped = [(p.info.id, p.info.reason) for p in parts if not p.info.readable]
        chosen = [p for p in parts if p.info.readable and wanted(p.info)]
        figures = [_figures(root, p) for p in chosen]
    return [p.info for p in chosen], figures, skipped


def _summariser(tag: str | None, bodies: SessionBodies):
    """Turns one file's layers into its totals as it is read (its layers are not kept)."""
    skins: dict[str, float] = {}

    def summarise(info: SessionInfo, layers: dict[str, PaintedVertices]) -> tuple:
        mesh, atlas = bodies.get(info.mesh_hash)
        if info.mesh_hash not in skins:
            skins[info.mesh_hash] = float(skin_areas_cm2(mesh).sum())
        totals = {}
        for key in list(layers) if tag is None else [tag]:
            if key == ALL_TAGS:
                layer = strongest_layer([painted.dense() for painted in layers.values()])
            else:
                layer = layers.get(key)
            if layer is None:
                totals[key] = None
                continue
            series = region_series([layer], mesh, atlas)
            totals[key] = _totals(series, 0, skins[info.mesh_hash])
        painted = tuple(layers) if tag is None or tag == ALL_TAGS else None
        return totals, painted

    return summarise


def _figures(root: str, parts: TrendFileParts) -> _FileFigures:
    """A file's figures: those kept for its digest, or what was just read (then kept)."""
    if parts.rhythm is None:
        return _KEPT[root, parts.digest]
    totals, painted = parts.summary
    figures = _FileFigures(parts.info, parts.rhythm, parts.events, parts.tag_names, painted, totals)
    if parts.digest:
        _keep((root, parts.digest), figures)
    return figures


def _newest_names(store: Store, figures: list[_FileFigures]) -> dict[str, str]:
    """Tag key -> name in the newest visit's tag set, read once per file ({} if it cannot
    be read: tags are then shown by key)."""
    if not figures:
        return {}
    newest = figures[-1]
    if newest.tag_names is None:
        try:
            newest.tag_names = store.tag_names(newest.info.id, newest.info.client_id)
        except StoreError:
            return {}
    return newest.tag_names


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
        figures.tag_names = figures.tag_names or old.tag_names  # one digest: the same names
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
