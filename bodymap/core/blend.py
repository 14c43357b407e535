"""Colours from layers: composite the visible tag layers over the skin, per vertex.

Colours are derived, never stored. A dab re-blends only the rows it touched; the whole
mesh is re-blended only when how layers are shown changes (visibility, colour, opacity,
order), never for a change of data.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    out = base[:, :3].astype(np.float32)
    if style.columns.size:
        shown = values[:, style.columns].astype(np.float32) * np.float32(1.0 / MAX_VALUE)
        alpha = np.where(shown > 0, MIN_ALPHA_SHARE + (1 - MIN_ALPHA_SHARE) * shown, 0.0)
        alpha *= style.opacities
        for layer in range(style.columns.size):
            a = alpha[:, layer : layer + 1]
            out += (style.colors[layer] - out) * a
    rgba = np.empty((len(base), 4), dtype=np.uint8)
    rgba[:, :3] = np.rint(out)
    rgba[:, 3] = base[:, 3]
    return rgba


def blend_vertices(
    overlays: Overlays, style: LayerStyle, base: np.ndarray, ids: np.ndarray | None = None
) -> np.ndarray:
    """Colours for ``ids`` (all vertices when ``None``); ``base`` is the full (N, 4) skin."""
    if ids is None:
        return blend_rows(overlays.values, style, base)
    return blend_rows(overlays.values[ids], style, base[ids])
