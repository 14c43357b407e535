"""The click tools on the 3D view: fill, pin and vector.

Each acts at release, so a click or a drag is one undo step: *fill* paints the region (Shift:
the diaphragm band) under a click, *pin* places a located note, *vector* draws a vector of
force along a drag. Pins and vectors already drawn are selected by a click, moved by a drag
and edited by a double-click.
"""

from __future__ import annotations

import abc

import numpy as np
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtGui import QMouseEvent

from bodymap.core.annotations import ForceVector, Pin, SurfacePoint
from bodymap.core.brush_tool import fill, place_at, place_vertices
from bodymap.core.edits import AnnotationEdit
from bodymap.render.scene import PickHit
from bodymap.ui.tool_host import LazyHit, ToolHost
from bodymap.ui.undo import push_edit

CLICK_SLOP_PX = 4.0
MIN_VECTOR_M = 0.005


class ClickTool(abc.ABC):
    """Remembers the press; acts at release (see :class:`~bodymap.ui.tool_host.ToolInput`)."""

    def __init__(self, host: ToolHost) -> None:
        self._host = host
        self._press: tuple[QPointF, PickHit | None] | None = None

    def press(self, event: QMouseEvent, hit: PickHit | None) -> bool:
        if hit is None:
            self._host.select(None)
            return False  # pressing off the body turns the camera
        if not self._host.editable():
            self._host.say("This session is finalised and read-only; add an amendment.")
            return True
        self._press = (event.position(), hit)
        return True

    def move(self, event: QMouseEvent, hit: LazyHit) -> bool:
        return self._press is not None  # a click or a drag: acted on at release

    def release(self, event: QMouseEvent, hit: LazyHit) -> bool:
        if self._press is None:
            return False
        start, start_hit = self._press
        self._press = None
        moved = (event.position() - start).manhattanLength() > CLICK_SLOP_PX
        self._act(event, start_hit, moved, hit)
        return True

    def double_click(self, event: QMouseEvent) -> bool:
        return True

    def cancel(self) -> None:
        self._press = None

    @abc.abstractmethod
    def _act(self, event: QMouseEvent, start: PickHit | None, moved: bool, hit: LazyHit) -> None:
        """What a click (or a drag, ``moved``) from ``start`` does: each tool's own."""


class FillInput(ClickTool):
    """Click: fill the region there with the active tag; Shift + click: the diaphragm band."""

    def _act(self, event: QMouseEvent, start: PickHit | None, moved: bool, hit: LazyHit) -> None:
        if moved or start is None:
            return
        host, document = self._host, self._host.document
        band = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        place = place_at(document.atlas, start.vertex_id, band)
        if place is None:
            host.say("No " + ("diaphragm band" if band else "region") + " here to fill.")
            return
        settings = host.settings
        edit = fill(
            document.painter,
            settings,
            host.tag_name(settings.tag),
            document.session.overlays.keys,
            place_vertices(place.key, document.mesh, document.atlas),
            place.key,
            place.name,
            host.mirror_map() if settings.mirror else None,
        )
        if edit is not None:
            # The painter wrote the layers: log the fill and recolour it, never write it twice.
            document.finish_stroke(edit, shown=False)
            push_edit(host.stack, document, edit, already_applied=True)
            host.say(edit.text[0].upper() + edit.text[1:])


class AnnotationTool(ClickTool):
    """A click tool whose markers (pins or vectors) are selected, dragged and edited."""

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._drag_id: str | None = None

    def press(self, event: QMouseEvent, hit: PickHit | None) -> bool:
        marker = self._host.marker_at(event.position())
        if marker is None:
            return super().press(event, hit)
        self._host.select(marker)
        self._drag_id = marker if self._host.editable() else None
        self._press = (event.position(), hit)
        return True

    def double_click(self, event: QMouseEvent) -> bool:
        marker = self._host.marker_at(event.position())
        if marker is not None:
            self._host.select(marker)
            edit_selected_pin(self._host, marker)
        return True

    def cancel(self) -> None:
        super().cancel()
        self._drag_id = None

    def _act(self, event: QMouseEvent, start: PickHit | None, moved: bool, hit: LazyHit) -> None:
        drag_id, self._drag_id = self._drag_id, None
        if drag_id is not None:
            here = hit()
            if moved and here is not None:
                self._move(drag_id, here)
        elif start is not None:
            self._add(start, moved, hit)

    @abc.abstractmethod
    def _add(self, start: PickHit, moved: bool, hit: LazyHit) -> None:
        """Place a new annotation from a click at ``start`` (a pin, a vector)."""

    def _move(self, item_id: str, hit: PickHit) -> None:
        host, document = self._host, self._host.document
        session = document.session
        at = SurfacePoint(hit.point, hit.vertex_id)
        if item_id in session.pins:
            old = session.pins[item_id]
            push_edit(host.stack, document, AnnotationEdit(old, old.moved(at)))
        elif item_id in session.vectors:
            # The whole arrow moves with its start; its end is put back on the surface.
            old = session.vectors[item_id]
            end_point = np.add(old.end.point, np.subtract(at.point, old.start.point))
            end_point = host.scene.closest_points(end_point[None, :])[0]
            vertices = document.mesh.vertices
            end = SurfacePoint(
                end_point, int(np.argmin(np.linalg.norm(vertices - end_point, axis=1)))
            )
            new = ForceVector(at, end, old.tag, old.note, id=old.id)
            push_edit(host.stack, document, AnnotationEdit(old, new))


class PinInput(AnnotationTool):
    """Click: place a pin with a note, asked for at once."""

    def _add(self, start: PickHit, moved: bool, hit: LazyHit) -> None:
        if moved:
            return
        host, document = self._host, self._host.document
        pin = host.edit_pin(Pin(SurfacePoint(start.point, start.vertex_id), host.settings.tag))
        if pin is not None:
            push_edit(host.stack, document, AnnotationEdit(None, pin))
            host.select(pin.id)


class VectorInput(AnnotationTool):
    """Drag: a vector of force from where it entered, the way it travelled."""

    def _add(self, start: PickHit, moved: bool, hit: LazyHit) -> None:
        end = hit()
        if end is None:
            return
        host = self._host
        if np.linalg.norm(np.subtract(end.point, start.point)) < MIN_VECTOR_M:
            host.say("Drag from where the force entered, the way it travelled.")
            return
        vector = ForceVector(
            SurfacePoint(start.point, start.vertex_id),
            SurfacePoint(end.point, end.vertex_id),
            tag=host.settings.tag,
        )
        push_edit(host.stack, host.document, AnnotationEdit(None, vector))
        host.select(vector.id)


def edit_selected_pin(host: ToolHost, item_id: str | None) -> None:
    """Open the editor of pin ``item_id`` (nothing for a vector); one undo step if changed."""
    document = host.document
    if document is None or item_id not in document.session.pins:
        return
    pin = document.session.pins[item_id]
    edited = host.edit_pin(pin)
    if edited is not None and edited != pin and document.editable:
        push_edit(host.stack, document, AnnotationEdit(pin, edited))
