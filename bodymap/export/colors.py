"""The colours an export shows: exactly what the app draws, and the legend of what is shown."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodymap.core.blend import LayerStyle, blend_vertices
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.render.scene import base_colors


@dataclass(frozen=True)
class LegendEntry:
    """One swatch of a legend."""

    label: str
    rgb: tuple[int, int, int]


def session_colors(session: Session, mesh: BodyMesh) -> np.ndarray:
    """Per-vertex RGBA (N, 4) uint8: the visible layers blended over the skin, as in the app."""
    style = LayerStyle.from_tags(session.tags, session.overlays)
    return blend_vertices(session.overlays, style, base_colors(mesh))


def shown_tags_legend(session: Session) -> list[LegendEntry]:
    """The tags drawn in :func:`session_colors`: visible, not transparent, holding paint."""
    painted = set(session.overlays.painted_keys())
    return [
        LegendEntry(tag.name, tag.color)
        for tag in session.tags
        if tag.key in painted and tag.visible and tag.opacity > 0
    ]
