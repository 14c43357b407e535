"""The brush and fill tools, Qt-free: the one paint pipeline of the app and of replay.

The UI feeds :class:`BrushStroke` pointer positions (device pixels), pen pressure and the hit
it already picked at the pointer; the stroke picks the points in between through a callable
it is given, paints footprints into the session through the painter, and at release hands
back one undoable :class:`~bodymap.core.edits.StrokeEdit`. Consecutive samples are joined on
screen, so a fast stroke leaves no gaps.

:func:`paint_dab` (a dab and its mirror twin), :func:`paint_fill` (a fill and its twins) and
:func:`place_vertices` (which vertices a fill of a place covers) are written once, here: the
brush, the fill tool and :mod:`bodymap.core.replay` all call them, so a replayed log
paints exactly what the tools painted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.edits import StrokeEdit
from bodymap.core.mesh import BodyMesh
from bodymap.core.mirror import NO_MIRROR, mirror_footprint
from bodymap.core.overlays import MAX_INTENSITY, intensity_to_value
from bodymap.core.painter import LayerEdit, Painter
from bodymap.core.session import StrokeRecord, utc_now
from bodymap.core.stroke_path import interpolate_samples

MIN_RADIUS_M = 0.002
MAX_RADIUS_M = 0.25


class SurfaceHit(Protocol):
    """What a pick returns: the world point and the vertex nearest to it."""

    point: np.ndarray
    vertex_id: int


Picker = Callable[[float, float], SurfaceHit | None]


class _NotPicked:
    """The pointer sample was not picked by the caller: the stroke picks it itself."""


NOT_PICKED = _NotPicked()


@dataclass(frozen=True, eq=False)
class DabShape:
    """What every dab of one stroke shares: radius, edge, the view and the mirror map.

    ``mirror`` is the mirror map when the stroke is mirrored, else ``None``.
    """

    radius: float
    soft: bool
    viewpoint: Viewpoint
    mirror: np.ndarray | None = None


def paint_dab(
    painter: Painter,
    geometry: BrushGeometry,
    shape: DabShape,
    center: np.ndarray,
    seed: int,
    pressure: float,
) -> np.ndarray:
    """Paint one dab at ``center`` (on vertex ``seed``) and, if mirrored, its twin.

    The painter must be in a stroke. Returns the vertex ids painted (twins included).
    """
    footprint = geometry.footprint(center, int(seed), shape.radius, shape.viewpoint, shape.soft)
    ids = painter.dab(footprint.ids, footprint.weights, pressure)
    if shape.mirror is None:
        return ids
    twin = mirror_footprint(footprint, shape.mirror)
    return np.concatenate([ids, painter.dab(twin.ids, twin.weights, pressure)])


def paint_fill(
    painter: Painter,
    keys: tuple[str, ...],
    vertex_ids: np.ndarray,
    target: int,
    mirror: np.ndarray | None = None,
) -> LayerEdit | None:
    """Set ``keys`` to ``target`` on ``vertex_ids`` and, given a mirror map, on their twins.

    Returns the edit made (``None`` if nothing changed).
    """
    ids = np.asarray(vertex_ids, dtype=np.int32)
    if mirror is not None:
        twins = mirror[ids]
        ids = np.union1d(ids, twins[twins != NO_MIRROR]).astype(np.int32)
    return painter.fill(keys, ids, target)


def place_at(atlas: Atlas, vertex_id: int, band: bool) -> Region | Band | None:
    """The region (or, with ``band``, the diaphragm band) a fill clicked at ``vertex_id`` takes."""
    index = atlas.band_index if band else atlas.region_index
    place = int(index[vertex_id])
    if place < 0:
        return None
    return (atlas.bands if band else atlas.regions)[place]


def place_vertices(key: str, mesh: BodyMesh, atlas: Atlas) -> np.ndarray:
    """The paintable vertices of the region, else the band, called ``key`` (as a fill takes).

    The fill tool and replay both choose a fill's vertices here, from the key the stroke
    log stores, so they cannot disagree. Raises ``KeyError`` when the atlas has neither.
    """
    try:
        index, place = atlas.region_index, atlas.region_by_key(key)
    except KeyError:
        try:
            index, place = atlas.band_index, atlas.band_by_key(key)
        except KeyError:
            raise KeyError(f"the fill's place {key!r} is neither a region nor a band") from None
    return np.flatnonzero((index == place) & ~mesh.internal).astype(np.int32)


@dataclass(frozen=True)
class BrushSettings:
    """The brush as the practitioner set it.

    ``mode`` is ``"paint"``, ``"erase"`` (the active tag) or ``"erase_all"`` (every tag).
    """

    tag: str
    intensity: float = 5.0
    radius: float = 0.02
    soft: bool = True
    mirror: bool = False
    mode: str = "paint"

    def __post_init__(self) -> None:
        if self.mode not in ("paint", "erase", "erase_all"):
            raise ValueError(f"unknown brush mode {self.mode!r}")
        object.__setattr__(self, "intensity", min(max(float(self.intensity), 0.0), MAX_INTENSITY))
        object.__setattr__(self, "radius", min(max(float(self.radius), MIN_RADIUS_M), MAX_RADIUS_M))

    def with_changes(self, **changes) -> BrushSettings:
        return replace(self, **changes)

    def layer_keys(self, all_keys: tuple[str, ...]) -> tuple[str, ...]:
        return all_keys if self.mode == "erase_all" else (self.tag,)

    @property
    def target(self) -> int:
        """The stored value the stroke paints towards (0 when erasing)."""
        return intensity_to_value(self.intensity) if self.mode == "paint" else 0

    def describe(self, tag_name: str) -> str:
        """The undo step's name, e.g. "paint Restriction"."""
        if self.mode == "erase_all":
            return "erase all tags"
        return f"{'paint' if self.mode == 'paint' else 'erase'} {tag_name}"


class BrushStroke:
    """One drag of the brush. Create it on press; feed it moves; call :meth:`release`.

    Parameters
    ----------
    painter, geometry
        Where to paint and how to find a dab's vertices.
    settings : BrushSettings
    tag_name : str
        For naming the undo step.
    all_keys : tuple of str
        Every layer, for erase-all.
    pick : callable (x, y) -> hit or None
    viewpoint : Viewpoint
        The camera during the stroke (the view does not turn while painting).
    spacing_px : float
        Largest screen distance between dabs.
    mirror : (N,) int array or None
        The mirror map, used when ``settings.mirror`` is on.
    """

    def __init__(
        self,
        painter: Painter,
        geometry: BrushGeometry,
        settings: BrushSettings,
        tag_name: str,
        all_keys: tuple[str, ...],
        pick: Picker,
        viewpoint: Viewpoint,
        spacing_px: float,
        mirror: np.ndarray | None = None,
    ) -> None:
        self._painter = painter
        self._geometry = geometry
        self._settings = settings
        self._tag_name = tag_name
        self._pick = pick
        self._viewpoint = viewpoint
        self._spacing = max(float(spacing_px), 1.0)
        self._shape = DabShape(
            settings.radius, settings.soft, viewpoint, mirror if settings.mirror else None
        )
        self._last: tuple[float, float] | None = None
        self._path: list[np.ndarray] = []
        self._seeds: list[int] = []
        self._pressure: list[float] = []
        self._started = utc_now()
        painter.begin_stroke(settings.layer_keys(all_keys), settings.target)

    @property
    def settings(self) -> BrushSettings:
        return self._settings

    def press(
        self,
        x: float,
        y: float,
        pressure: float = 1.0,
        hit: SurfaceHit | None | _NotPicked = NOT_PICKED,
    ) -> np.ndarray:
        """The button went down at (x, y); paint there. Returns the vertex ids painted.

        ``hit`` is the pick at (x, y) when the caller already has it (one pick per event).
        """
        self._last = (x, y)
        return self._dab_at(x, y, pressure, hit)

    def move(
        self,
        x: float,
        y: float,
        pressure: float = 1.0,
        hit: SurfaceHit | None | _NotPicked = NOT_PICKED,
    ) -> np.ndarray:
        """The pointer moved with the button down; paint along the way.

        ``hit``, if given, is the pick at (x, y): the last dab uses it, the points in
        between are picked here.
        """
        if self._last is None:
            return self.press(x, y, pressure, hit)
        points = interpolate_samples(self._last, (x, y), self._spacing)
        self._last = (x, y)
        touched = [self._dab_at(px, py, pressure) for px, py in points[:-1]]
        touched.append(self._dab_at(x, y, pressure, hit))
        touched = [t for t in touched if t.size]
        return np.concatenate(touched) if touched else np.zeros(0, dtype=np.int32)

    def release(self) -> StrokeEdit | None:
        """The button came up: the stroke as one undoable edit (``None`` if it changed nothing).

        Its layer values are already painted: log it with
        :meth:`~bodymap.core.document.SessionDocument.finish_stroke`, never apply it again.
        """
        layers = self._painter.end_stroke()
        if layers is None:
            return None
        s = self._settings
        record = StrokeRecord(
            time=self._started,
            kind="paint" if s.mode == "paint" else "erase",
            tags=layers.keys,
            intensity=s.intensity if s.mode == "paint" else 0.0,
            radius=s.radius,
            soft=s.soft,
            mirror=s.mirror,
            path=np.array(self._path, dtype=np.float32).reshape(-1, 3),
            seeds=np.array(self._seeds, dtype=np.int32),
            pressure=np.array(self._pressure, dtype=np.float32),
            view_position=tuple(float(c) for c in self._viewpoint.position),
            view_direction=tuple(float(c) for c in self._viewpoint.direction),
            parallel=self._viewpoint.parallel,
        )
        return StrokeEdit(layers, record, s.describe(self._tag_name))

    def cancel(self) -> np.ndarray:
        """Abandon the stroke (Escape): restore what it painted; return those ids."""
        return self._painter.cancel_stroke()

    def _dab_at(
        self, x: float, y: float, pressure: float, hit: SurfaceHit | None | _NotPicked = NOT_PICKED
    ) -> np.ndarray:
        if isinstance(hit, _NotPicked):
            hit = self._pick(x, y)
        if hit is None:
            return np.zeros(0, dtype=np.int32)
        # The stroke log keeps centres as float32: paint from exactly what is logged, so a
        # replay of the log reproduces the layers bit for bit.
        center = np.asarray(hit.point, dtype=np.float32).astype(np.float64)
        self._path.append(center)
        self._seeds.append(int(hit.vertex_id))
        self._pressure.append(float(pressure))
        return paint_dab(
            self._painter, self._geometry, self._shape, center, int(hit.vertex_id), pressure
        )


def fill(
    painter: Painter,
    settings: BrushSettings,
    tag_name: str,
    all_keys: tuple[str, ...],
    vertex_ids: np.ndarray,
    place_key: str,
    place_name: str,
    mirror: np.ndarray | None = None,
) -> StrokeEdit | None:
    """Paint (or erase) a whole region or band in one step at the brush's intensity.

    ``vertex_ids`` are the place's paintable vertices; with mirror mode on, their mirror
    twins are filled too.
    """
    twins = mirror if settings.mirror else None
    layers = paint_fill(painter, settings.layer_keys(all_keys), vertex_ids, settings.target, twins)
    if layers is None:
        return None
    record = StrokeRecord(
        time=utc_now(),
        kind="fill" if settings.mode == "paint" else "erase",
        tags=layers.keys,
        intensity=settings.intensity if settings.mode == "paint" else 0.0,
        radius=0.0,
        soft=False,
        mirror=settings.mirror,
        region=place_key,
    )
    verb = "fill" if settings.mode == "paint" else "clear"
    what = tag_name if settings.mode != "erase_all" else "all tags"
    return StrokeEdit(
        layers,
        record,
        f"{verb} {place_name} with {what}"
        if settings.mode == "paint"
        else f"{verb} {what} from {place_name}",
    )
