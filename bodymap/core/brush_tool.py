"""The brush as a Qt-free state machine: press, moves, release.

The UI feeds it pointer positions (device pixels) and pen pressure; it picks along the
path through a callable it is given, paints footprints into the session through the
painter, and at release hands back one undoable :class:`~bodymap.core.edits.StrokeEdit`.
Consecutive samples are joined on screen, so a fast stroke leaves no gaps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.edits import StrokeEdit
from bodymap.core.mirror import mirror_footprint
from bodymap.core.overlays import MAX_INTENSITY, intensity_to_value
from bodymap.core.painter import Painter
from bodymap.core.session import StrokeRecord, utc_now
from bodymap.core.stroke_path import interpolate_samples

MIN_RADIUS_M = 0.002
MAX_RADIUS_M = 0.25


class SurfaceHit(Protocol):
    """What a pick returns: the world point and the vertex nearest to it."""

    point: np.ndarray
    vertex_id: int


Picker = Callable[[float, float], SurfaceHit | None]


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
        self._mirror = mirror if settings.mirror else None
        self._last: tuple[float, float] | None = None
        self._path: list[np.ndarray] = []
        self._seeds: list[int] = []
        self._pressure: list[float] = []
        self._started = utc_now()
        painter.begin_stroke(settings.layer_keys(all_keys), settings.target)

    @property
    def settings(self) -> BrushSettings:
        return self._settings

    def press(self, x: float, y: float, pressure: float = 1.0) -> np.ndarray:
        """The button went down at (x, y); paint there. Returns the vertex ids painted."""
        self._last = (x, y)
        return self._dab_at(x, y, pressure)

    def move(self, x: float, y: float, pressure: float = 1.0) -> np.ndarray:
        """The pointer moved with the button down; paint along the way."""
        if self._last is None:
            return self.press(x, y, pressure)
        points = interpolate_samples(self._last, (x, y), self._spacing)
        self._last = (x, y)
        touched = [self._dab_at(px, py, pressure) for px, py in points]
        touched = [t for t in touched if t.size]
        return np.concatenate(touched) if touched else np.zeros(0, dtype=np.int32)

    def release(self) -> StrokeEdit | None:
        """The button came up: the stroke as one undoable edit (``None`` if it changed nothing).

        Its layer values are already painted. Pushing it on the undo stack applies it once
        more, which rewrites the same values and adds the stroke to the session's log.
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

    def _dab_at(self, x: float, y: float, pressure: float) -> np.ndarray:
        hit = self._pick(x, y)
        if hit is None:
            return np.zeros(0, dtype=np.int32)
        # The stroke log keeps centres as float32: paint from exactly what is logged, so a
        # replay of the log reproduces the layers bit for bit.
        center = np.asarray(hit.point, dtype=np.float32).astype(np.float64)
        footprint = self._geometry.footprint(
            center, int(hit.vertex_id), self._settings.radius, self._viewpoint, self._settings.soft
        )
        self._path.append(center)
        self._seeds.append(int(hit.vertex_id))
        self._pressure.append(float(pressure))
        ids = self._painter.dab(footprint.ids, footprint.weights, pressure)
        if self._mirror is None:
            return ids
        mirrored = mirror_footprint(footprint, self._mirror)
        return np.concatenate([ids, self._painter.dab(mirrored.ids, mirrored.weights, pressure)])


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
    ids = np.asarray(vertex_ids, dtype=np.int32)
    if settings.mirror and mirror is not None:
        twins = mirror[ids]
        ids = np.union1d(ids, twins[twins >= 0]).astype(np.int32)
    layers = painter.fill(settings.layer_keys(all_keys), ids, settings.target)
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
