"""Paint into the overlays and record exactly what changed, for undo and for the view.

A stroke is built dab by dab. Per vertex it keeps the strongest brush weight seen so far
(times pen pressure), and sets ``value = before + (target - before) * weight`` from the
value the vertex had when the stroke began. So overlapping dabs of one stroke never pile
up, dab spacing does not change the result, a soft edge feathers, and erasing is painting
towards 0. Only the dab's vertices are read or written: cost grows with the brush, not
with the mesh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodymap.core.overlays import Overlays


@dataclass(eq=False)
class LayerEdit:
    """What one undo step changed: some rows of some layer columns, before and after.

    Attributes
    ----------
    keys : tuple of str
        The tags (layers) it touched.
    ids : (K,) int32 array
        Vertices, sorted and unique.
    before, after : (K, len(keys)) uint8 arrays
    """

    keys: tuple[str, ...]
    ids: np.ndarray
    before: np.ndarray
    after: np.ndarray

    def apply(self, overlays: Overlays) -> np.ndarray:
        """Write ``after``; return the vertex ids changed."""
        self._write(overlays, self.after)
        return self.ids

    def revert(self, overlays: Overlays) -> np.ndarray:
        """Write ``before``; return the vertex ids changed."""
        self._write(overlays, self.before)
        return self.ids

    def is_noop(self) -> bool:
        return self.ids.size == 0 or np.array_equal(self.before, self.after)

    def _write(self, overlays: Overlays, rows: np.ndarray) -> None:
        columns = [overlays.column(k) for k in self.keys]
        overlays.values[np.ix_(self.ids, columns)] = rows


class Painter:
    """Builds strokes and fills on one :class:`Overlays`.

    Scratch arrays of the mesh size are allocated once and only the touched rows are
    ever reset, so a stroke never costs a pass over the whole mesh.
    """

    def __init__(self, overlays: Overlays) -> None:
        self._overlays = overlays
        n = overlays.n_vertices
        self._weight = np.zeros(n, dtype=np.float32)
        self._stamp = np.zeros(n, dtype=np.int32)
        self._stroke = 0
        self._before_rows: np.ndarray | None = None  # (N, C) scratch for pre-stroke values
        self._touched: list[np.ndarray] = []
        self._keys: tuple[str, ...] = ()
        self._columns: list[int] = []
        self._target = 0

    @property
    def overlays(self) -> Overlays:
        return self._overlays

    @property
    def in_stroke(self) -> bool:
        return bool(self._keys)

    def begin_stroke(self, keys: tuple[str, ...] | list[str], target: int) -> None:
        """Start a stroke painting ``keys`` towards ``target`` (0-100; 0 erases)."""
        if self.in_stroke:
            raise RuntimeError("a stroke is already in progress")
        if not keys:
            raise ValueError("a stroke needs at least one layer")
        self._overlays.ensure_layers(keys)
        self._keys = tuple(keys)
        self._columns = [self._overlays.column(k) for k in self._keys]
        self._target = int(target)
        n, c = self._overlays.n_vertices, len(self._overlays.keys)
        if self._before_rows is None or self._before_rows.shape[1] < c:
            self._before_rows = np.zeros((n, c), dtype=np.uint8)
        self._stroke += 1
        self._touched = []

    def dab(self, ids: np.ndarray, weights: np.ndarray, pressure: float = 1.0) -> np.ndarray:
        """Paint one dab (vertex ids with brush weights in (0, 1]); return the ids it covers."""
        if not self.in_stroke:
            raise RuntimeError("dab outside a stroke")
        ids = np.asarray(ids, dtype=np.int32)
        if ids.size == 0:
            return ids
        values = self._overlays.values
        fresh = ids[self._stamp[ids] != self._stroke]
        if fresh.size:
            self._stamp[fresh] = self._stroke
            self._weight[fresh] = 0.0
            self._before_rows[fresh] = values.take(fresh, axis=0)  # take(): faster gather
            self._touched.append(fresh)
        strength = np.asarray(weights, dtype=np.float32) * np.float32(min(max(pressure, 0.0), 1))
        np.maximum(self._weight[ids], strength, out=strength)
        self._weight[ids] = strength
        rows = np.ix_(ids, self._columns)
        before = self._before_rows[rows].astype(np.float32)
        new = before + (self._target - before) * strength[:, None]
        values[rows] = np.rint(new).astype(np.uint8)
        return ids

    def end_stroke(self) -> LayerEdit | None:
        """Finish the stroke; the :class:`LayerEdit` it made (``None`` if nothing changed)."""
        if not self.in_stroke:
            raise RuntimeError("no stroke in progress")
        keys, columns = self._keys, self._columns
        self._keys, self._columns = (), []
        if not self._touched:
            return None
        ids = np.unique(np.concatenate(self._touched))
        self._touched = []
        rows = np.ix_(ids, columns)
        edit = LayerEdit(keys, ids, self._before_rows[rows].copy(), self._overlays.values[rows])
        return None if edit.is_noop() else _without_unchanged_rows(edit)

    def cancel_stroke(self) -> np.ndarray:
        """Abandon the stroke, restoring what it painted; return the ids restored."""
        edit = self.end_stroke()
        if edit is None:
            return np.zeros(0, dtype=np.int32)
        return edit.revert(self._overlays)

    def fill(self, keys: tuple[str, ...] | list[str], ids: np.ndarray, target: int):
        """Set ``keys`` to ``target`` on ``ids`` in one step; the edit (``None`` if no change)."""
        self.begin_stroke(keys, target)
        self.dab(ids, np.ones(len(ids), dtype=np.float32))
        return self.end_stroke()


def _without_unchanged_rows(edit: LayerEdit) -> LayerEdit:
    changed = (edit.before != edit.after).any(axis=1)
    if changed.all():
        return edit
    return LayerEdit(edit.keys, edit.ids[changed], edit.before[changed], edit.after[changed])
