"""How the open session looks in the 3D view: blended layer colours, pins and vectors.

Colours are derived from the layers: a change of data re-blends only the vertices it names;
a change of how layers are shown (visibility, colour, opacity, order) re-blends them all.
"""

from __future__ import annotations

import numpy as np

from bodymap.core.blend import LayerStyle
from bodymap.core.colors import base_colors, layer_colors, tag_rgb
from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change
from bodymap.render.markers import PinMarkers, VectorMarkers
from bodymap.render.scene import BodyScene

PIN_PIXELS = 10.0
"""Pins are about this many pixels across at the body's centre..."""
PIN_SIZE_RANGE_M = (0.006, 0.02)
"""...but never smaller or larger than this on the body."""


class SessionView:
    """The scene's colours and markers for one :class:`SessionDocument` (or none)."""

    def __init__(self, scene: BodyScene) -> None:
        self._scene = scene
        self._pins = PinMarkers(scene)
        self._vectors = VectorMarkers(scene)
        self._document: SessionDocument | None = None
        self._base: np.ndarray | None = None
        self._style: LayerStyle | None = None
        self._selected: str | None = None

    @property
    def selected(self) -> str | None:
        """The id of the selected pin or vector."""
        return self._selected

    def set_document(self, document: SessionDocument | None) -> None:
        """Show ``document``'s layers and annotations; ``None`` clears the markers."""
        self._document = document
        self._selected = None
        if document is None:
            self._base = self._style = None
            self._pins.clear()
            self._vectors.clear()
            return
        self._base = base_colors(document.mesh)
        self.recolour_all()
        self.refresh_markers()

    def show_change(self, change: Change) -> bool:
        """Bring the view up to date with ``change``; whether anything visible changed."""
        if self._document is None:
            return False
        if change.kind == "layers" and change.vertex_ids is not None:
            self._recolour(change.vertex_ids)
        elif change.kind in ("style", "tags"):
            self.recolour_all()
            self.refresh_markers()
        elif change.kind in ("pins", "vectors"):
            self.refresh_markers()
        else:
            return False
        return True

    def select(self, item_id: str | None) -> bool:
        """Select a pin or vector (``None``: nothing); whether the selection changed."""
        if item_id == self._selected:
            return False
        self._selected = item_id
        self.refresh_markers()
        return True

    def marker_at(self, x: float, y: float) -> str | None:
        """The pin or vector drawn at device pixel (x, y), if any."""
        return self._pins.pick_marker(x, y) or self._vectors.pick_marker(x, y)

    def recolour_all(self) -> None:
        session = self._document.session
        self._style = LayerStyle.from_tags(session.tags, session.overlays)
        self._scene.update_colors(
            np.arange(self._document.mesh.n_vertices),
            layer_colors(session.overlays, session.tags, self._base, style=self._style),
        )

    def refresh_markers(self) -> None:
        """Redraw every pin and vector (they are few: about 1 ms for 50)."""
        session, normals = self._document.session, self._document.mesh.vertex_normals
        tags = session.tags

        def rgb(key: str) -> np.ndarray:
            return np.array(tag_rgb(tags, key), np.uint8)

        pins = [
            (p.id, np.array(p.at.point), normals[p.at.vertex], rgb(p.tag), p.id == self._selected)
            for p in session.pins.values()
            if p.tag not in tags or tags.get(p.tag).visible
        ]
        vectors = [
            (
                v.id,
                np.array(v.start.point),
                np.array(v.end.point),
                normals[v.start.vertex],
                rgb(v.tag),
                v.id == self._selected,
            )
            for v in session.vectors.values()
        ]
        self._pins.set_pins(pins, size=self._pin_size())
        self._vectors.set_vectors(vectors)

    def _recolour(self, ids: np.ndarray) -> None:
        session = self._document.session
        if self._style is None:
            self._style = LayerStyle.from_tags(session.tags, session.overlays)
        colors = layer_colors(session.overlays, session.tags, self._base, ids, self._style)
        self._scene.update_colors(ids, colors)

    def _pin_size(self) -> float:
        low, high = self._document.mesh.bounds
        scale = self._scene.pixels_per_metre((np.asarray(low) + np.asarray(high)) / 2)
        smallest, largest = PIN_SIZE_RANGE_M
        return float(np.clip(PIN_PIXELS / scale, smallest, largest)) if scale > 0 else smallest
