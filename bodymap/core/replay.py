"""Replaying a session's stroke log: how the findings were painted, stroke by stroke.

Each :class:`~bodymap.core.session.StrokeRecord` holds what the brush needs to paint it
again: the dab centres and the vertex under each, the pen pressure, the radius, the soft
flag, the view the stroke was painted from and the mirror flag; a fill names its region or
band. Replay paints through the very functions the tools paint with
(:func:`~bodymap.core.brush_tool.paint_dab`, :func:`~bodymap.core.brush_tool.paint_fill`,
:func:`~bodymap.core.brush_tool.place_vertices`), so the layers come out as painted.

Exactness
---------
Replaying a session's whole log onto the layers it started from (empty, or the findings
carried over from the previous visit: pass them as ``start``) gives its saved layers
exactly, provided the dab centres were float32 numbers: the log stores them as float32,
and the brush paints from the picked point as given. A pick in float64 (as the VTK picker
gives) is rounded in the log by up to about 1e-8 m; a vertex lying that close to the
brush's rim, or a weight on a rounding boundary, may then come out one step different.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bodymap.core.atlas import Atlas
from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.brush_tool import DabShape, paint_dab, paint_fill, place_vertices
from bodymap.core.mesh import BodyMesh
from bodymap.core.mirror import mirror_map
from bodymap.core.overlays import Overlays, intensity_to_value
from bodymap.core.painter import Painter
from bodymap.core.session import StrokeRecord

__all__ = ["StrokeReplayer", "place_vertices", "replay", "replay_states", "state_after"]


class StrokeReplayer:
    """Paints stroke records into one :class:`Overlays`, as the brush and fill tool did.

    Parameters
    ----------
    overlays : Overlays
        Painted in place.
    mesh, atlas : BodyMesh, Atlas
        The mesh the strokes were painted on, and its atlas (for fills).
    geometry : BrushGeometry, optional
        Reused if given (building one costs about 15 ms on the default body).
    mirror : (N,) int array, optional
        The mirror map; computed on the first mirrored record if not given.
    """

    def __init__(
        self,
        overlays: Overlays,
        mesh: BodyMesh,
        atlas: Atlas,
        geometry: BrushGeometry | None = None,
        mirror: np.ndarray | None = None,
    ) -> None:
        if overlays.n_vertices != mesh.n_vertices:
            raise ValueError("the overlays do not match the mesh")
        self.overlays = overlays
        self._mesh = mesh
        self._atlas = atlas
        self._painter = Painter(overlays)
        self._geometry = geometry
        self._mirror = mirror

    def paint(self, record: StrokeRecord) -> None:
        """Paint one record: a brush stroke (it has dabs) or a fill (it names a place)."""
        if not record.tags:
            return
        target = intensity_to_value(record.intensity) if record.kind in ("paint", "fill") else 0
        if len(record.seeds) == 0 and record.region:
            self._fill(record, target)
        else:
            self._stroke(record, target)

    def _stroke(self, record: StrokeRecord, target: int) -> None:
        geometry = self._brush_geometry()
        viewpoint = Viewpoint(record.view_position, record.view_direction, record.parallel)
        mirror = self._mirror_map() if record.mirror else None
        shape = DabShape(record.radius, record.soft, viewpoint, mirror)
        path = np.asarray(record.path, dtype=np.float64).reshape(-1, 3)
        self._painter.begin_stroke(record.tags, target)
        for center, seed, pressure in zip(path, record.seeds, record.pressure, strict=True):
            paint_dab(self._painter, geometry, shape, center, int(seed), float(pressure))
        self._painter.end_stroke()

    def _fill(self, record: StrokeRecord, target: int) -> None:
        ids = place_vertices(record.region, self._mesh, self._atlas)
        mirror = self._mirror_map() if record.mirror else None
        paint_fill(self._painter, record.tags, ids, target, mirror)

    def _brush_geometry(self) -> BrushGeometry:
        if self._geometry is None:
            self._geometry = BrushGeometry(self._mesh)
        return self._geometry

    def _mirror_map(self) -> np.ndarray:
        if self._mirror is None:
            self._mirror = mirror_map(self._mesh)
        return self._mirror


def replay(
    strokes: list[StrokeRecord],
    mesh: BodyMesh,
    atlas: Atlas,
    keys: tuple[str, ...] = (),
    start: Overlays | None = None,
    geometry: BrushGeometry | None = None,
    mirror: np.ndarray | None = None,
) -> Iterator[tuple[int, Overlays]]:
    """Paint the strokes one by one; yield ``(stroke index, overlays after that stroke)``.

    Parameters
    ----------
    strokes : list of StrokeRecord
        A session's stroke log, in order.
    mesh, atlas
        The mesh the session was painted on and its atlas.
    keys : tuple of str
        Layers to create up front (e.g. the session's tag keys); a record's own tags are
        added when met.
    start : Overlays, optional
        The layers before the first stroke: a session carried over from an earlier visit
        starts from that visit's findings. Copied, never changed. Default: empty.
    geometry, mirror
        See :class:`StrokeReplayer`.

    Yields
    ------
    (int, Overlays)
        The same :class:`Overlays` object every time, painted further: copy it to keep a
        state (:func:`replay_states` does).
    """
    overlays = start.copy() if start is not None else Overlays(mesh.n_vertices)
    overlays.ensure_layers(keys)
    replayer = StrokeReplayer(overlays, mesh, atlas, geometry, mirror)
    for index, record in enumerate(strokes):
        replayer.paint(record)
        yield index, overlays


def replay_states(
    strokes: list[StrokeRecord],
    mesh: BodyMesh,
    atlas: Atlas,
    keys: tuple[str, ...] = (),
    start: Overlays | None = None,
    upto: int | None = None,
    **brush,
) -> list[Overlays]:
    """The layers after each stroke (copies), for the first ``upto`` strokes (default all)."""
    chosen = strokes if upto is None else strokes[:upto]
    return [state.copy() for _, state in replay(chosen, mesh, atlas, keys, start, **brush)]


def state_after(
    strokes: list[StrokeRecord],
    mesh: BodyMesh,
    atlas: Atlas,
    count: int,
    keys: tuple[str, ...] = (),
    start: Overlays | None = None,
    **brush,
) -> Overlays:
    """The layers after the first ``count`` strokes (``0``: the start), without copies."""
    overlays = start.copy() if start is not None else Overlays(mesh.n_vertices)
    overlays.ensure_layers(keys)
    replayer = StrokeReplayer(overlays, mesh, atlas, **brush)
    for record in strokes[:count]:
        replayer.paint(record)
    return overlays
