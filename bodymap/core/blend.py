"""Colours from layers: composite the visible tag layers over the skin, per vertex.

Colours are derived, never stored. A dab re-blends only the rows it touched; the whole
mesh is re-blended only when how layers are shown changes (visibility, colour, opacity,
order), never for a change of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bodymap.core.overlays import MAX_VALUE, Overlays
from bodymap.core.tags import TagSet

MIN_ALPHA_SHARE = 0.35
"""The share of a layer's opacity shown at the lowest intensity, so light paint is visible."""


@dataclass(frozen=True, eq=False)
class LayerStyle:
    """How the layers are drawn, as arrays over the overlay columns, bottom layer first.

    Attributes
    ----------
    columns : (L,) int array
        Overlay columns of the visible layers, in drawing order.
    colors : (L, 3) float32
    opacities : (L,) float32
    """

    columns: np.ndarray
    colors: np.ndarray
    opacities: np.ndarray

    @classmethod
    def from_tags(cls, tags: TagSet, overlays: Overlays) -> LayerStyle:
        shown = [t for t in tags if t.visible and t.key in overlays.keys and t.opacity > 0]
        return cls(
            columns=np.array([overlays.column(t.key) for t in shown], dtype=np.intp),
            colors=np.array([t.color for t in shown], dtype=np.float32).reshape(-1, 3),
            opacities=np.array([t.opacity for t in shown], dtype=np.float32),
        )

    @cached_property
    def alpha_table(self) -> np.ndarray:
        """Each layer's opacity for every stored value, (L, 256) float32: a look-up per vertex
        instead of the same arithmetic on every blended row."""
        shown = np.arange(256, dtype=np.float32) * np.float32(1.0 / MAX_VALUE)
        alpha = np.where(shown > 0, MIN_ALPHA_SHARE + (1 - MIN_ALPHA_SHARE) * shown, 0.0)
        return np.ascontiguousarray(alpha[None, :] * self.opacities[:, None], dtype=np.float32)


def blend_rows(values: np.ndarray, style: LayerStyle, base: np.ndarray) -> np.ndarray:
    """Composite layer values over base colours.

    Parameters
    ----------
    values : (K, C) uint8
        Overlay rows (all columns) of the vertices to colour.
    style : LayerStyle
    base : (K, 4) uint8
        The colours under the paint (skin).

    Returns
    -------
    (K, 4) uint8 colours.
    """
    # Channel-major (3, K): each layer's step is three long, contiguous passes, not K short
    # rows (five times faster for a dab's rows). A layer no row shows is skipped: exact, as
    # it would add (colour - out) * 0.
    out = base[:, :3].T.astype(np.float32, order="C")
    step = np.empty_like(out)
    table = style.alpha_table
    for layer, column in enumerate(style.columns.tolist()):
        shown = values[:, column]
        if not shown.any():
            continue
        alpha = table[layer].take(shown)
        np.subtract(style.colors[layer][:, None], out, out=step)
        step *= alpha
        out += step
    rgba = np.empty((len(base), 4), dtype=np.uint8)
    rgba[:, :3] = np.rint(out).T
    rgba[:, 3] = base[:, 3]
    return rgba


def blend_vertices(
    overlays: Overlays, style: LayerStyle, base: np.ndarray, ids: np.ndarray | None = None
) -> np.ndarray:
    """Colours for ``ids`` (all vertices when ``None``); ``base`` is the full (N, 4) skin."""
    if ids is None:
        return blend_rows(overlays.values, style, base)
    ids = np.asarray(ids, dtype=np.intp)
    # take() gathers whole rows several times faster than fancy indexing.
    return blend_rows(overlays.values.take(ids, axis=0), style, base.take(ids, axis=0))
