"""Turns mouse, pen and wheel input on the 3D view into brush strokes, fills, pins and vectors.

The controller is the tools' Qt glue: it decides which events it takes (a left-button drag
without a modifier, on the body, while a session is open and editable) and leaves the rest
to VTK, which turns the camera. Painting itself happens in the Qt-free core
(:class:`~bodymap.core.brush_tool.BrushStroke`); the controller recolours only the
vertices each change names and renders once per input event.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

import numpy as np
from PyQt6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QInputDevice, QUndoStack

from bodymap.core.annotations import ForceVector, Pin, SurfacePoint
from bodymap.core.brush import BrushGeometry, Viewpoint
from bodymap.core.brush_tool import BrushSettings, BrushStroke, fill
from bodymap.core.document import SessionDocument
from bodymap.core.edits import AnnotationEdit, Change
from bodymap.core.mirror import mirror_map
from bodymap.core.stroke_path import spacing_for
from bodymap.core.tags import TagSet
from bodymap.render.brush_ring import BrushRing
from bodymap.render.scene import PickHit
from bodymap.render.session_view import SessionView
from bodymap.ui.undo import push_edit
from bodymap.ui.viewer import BodyViewer

CAMERA_MODIFIERS = (
    Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.ShiftModifier
    | Qt.KeyboardModifier.MetaModifier
)
RADIUS_STEP = 1.15
"""Each wheel notch or [ ] key press scales the radius by this much."""
CLICK_SLOP_PX = 4.0
MIN_VECTOR_M = 0.005
STYLUS_TYPES = (QInputDevice.DeviceType.Stylus, QInputDevice.DeviceType.Airbrush)

PinEditor = Callable[[Pin, TagSet], Pin | None]
"""Asks the user for a pin's details; ``None`` when cancelled."""


class Tool(Enum):
    BRUSH = "Brush"
    FILL = "Fill region"
    PIN = "Pin"
    VECTOR = "Vector of force"


class PaintController(QObject):
    """The tools on the 3D view of one session.

    Signals
    -------
    settings_changed(BrushSettings), tool_changed(Tool), message(str),
    selection_changed(str or None): the selected pin or vector id.
    """

    settings_changed = pyqtSignal(object)
    tool_changed = pyqtSignal(object)
    message = pyqtSignal(str)
    selection_changed = pyqtSignal(object)

    def __init__(
        self, viewer: BodyViewer, stack: QUndoStack, pin_editor: PinEditor, parent=None
    ) -> None:
        super().__init__(parent)
        self._viewer = viewer
        self._scene = viewer.scene
        self._stack = stack
        self._pin_editor = pin_editor
        self._document: SessionDocument | None = None
        self._settings = BrushSettings("restriction")
        self._tool = Tool.BRUSH
        self._geometry: BrushGeometry | None = None
        self._geometry_mesh = None
        self._mirror: np.ndarray | None = None
        self._stroke: BrushStroke | None = None
        self._press: tuple[QPointF, PickHit | None] | None = None
        self._drag_id: str | None = None
        self._tablet_pressure = 1.0
        self._place: Callable[[SurfacePoint], None] | None = None
        self._ring = BrushRing(self._scene)
        self._view = SessionView(self._scene)
        self._render_timer = QTimer(self, singleShot=True, interval=0)
        self._render_timer.timeout.connect(self._viewer.redraw)
        viewer.set_input_handler(self)

    # -- state --------------------------------------------------------------------------
    @property
    def document(self) -> SessionDocument | None:
        return self._document

    @property
    def settings(self) -> BrushSettings:
        return self._settings

    @property
    def tool(self) -> Tool:
        return self._tool

    @property
    def selected(self) -> str | None:
        return self._view.selected

    @property
    def painting(self) -> bool:
        return self._stroke is not None

    def set_document(self, document: SessionDocument | None) -> None:
        """Show ``document``'s layers and annotations (``None``: the bare body)."""
        self.cancel_stroke()
        if self._document is not None:
            self._document.unsubscribe(self._on_change)
        self._document = document
        self._view.set_document(document)
        if document is None:
            self._geometry = self._mirror = None
            self._ring.hide()
            self._request_render()
            return
        if self._geometry is None or self._geometry_mesh is not document.mesh:
            self._geometry = BrushGeometry(document.mesh)
            self._geometry_mesh = document.mesh
            self._mirror = None
        document.subscribe(self._on_change)
        if self._settings.tag not in document.session.tags:
            self.set_settings(tag=document.session.tags.keys()[0])
        self._request_render()

    def set_settings(self, **changes) -> None:
        """Change the brush (tag, intensity, radius, soft, mirror, mode)."""
        settings = self._settings.with_changes(**changes)
        if settings != self._settings:
            self._settings = settings
            self.settings_changed.emit(settings)

    def scale_radius(self, steps: float) -> None:
        self.set_settings(radius=self._settings.radius * RADIUS_STEP**steps)

    def step_intensity(self, steps: float) -> None:
        self.set_settings(intensity=round(self._settings.intensity + steps))

    def set_tool(self, tool: Tool) -> None:
        if tool is not self._tool:
            self.cancel_stroke()
            self._tool = tool
            if tool is not Tool.BRUSH:
                self._ring.hide()
                self._request_render()
            self.tool_changed.emit(tool)

    def pick_location(self, place: Callable[[SurfacePoint], None]) -> None:
        """Let the next left click on the body give its location to ``place`` (Esc cancels)."""
        self.cancel_stroke()
        self._place = place
        self.message.emit("Click on the body to place it (Esc cancels).")

    def cancel_stroke(self) -> None:
        """Abandon the stroke in progress or a pending placement (Escape)."""
        self._place = None
        if self._stroke is not None:
            ids = self._stroke.cancel()
            self._stroke = None
            if self._document is not None and ids.size:
                self._document.announce_painted(ids)
                self._request_render()

    def delete_selected(self) -> bool:
        """Delete the selected pin or vector (one undo step)."""
        document = self._document
        if document is None or self._view.selected is None or not document.editable:
            return False
        item = document.session.pins.get(self._view.selected) or document.session.vectors.get(
            self._view.selected
        )
        if item is None:
            return False
        self._select(None)
        push_edit(self._stack, document, AnnotationEdit(item, None))
        return True

    def edit_selected(self) -> None:
        """Open the editor of the selected pin."""
        document = self._document
        if document is None or self._view.selected not in document.session.pins:
            return
        pin = document.session.pins[self._view.selected]
        edited = self._pin_editor(pin, document.session.tags)
        if edited is not None and edited != pin and document.editable:
            push_edit(self._stack, document, AnnotationEdit(pin, edited))

    # -- input --------------------------------------------------------------------------
    def handle_view_event(self, event: QEvent) -> bool:
        """Take the events the active tool needs; leave the rest to the camera."""
        kind = event.type()
        if kind in (QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.TabletRelease):
            self._tablet_pressure = float(event.pressure())
            return False  # not accepted: Qt sends the matching mouse event
        if kind == QEvent.Type.Wheel:
            return self._wheel(event)
        if kind == QEvent.Type.Leave:
            if self._ring.visible:
                self._ring.hide()
                self._request_render()
            return False
        if kind == QEvent.Type.MouseButtonDblClick:
            return self._double_click(event)
        if kind == QEvent.Type.MouseButtonPress:
            return self._mouse_press(event)
        if kind == QEvent.Type.MouseMove:
            return self._mouse_move(event)
        if kind == QEvent.Type.MouseButtonRelease:
            return self._mouse_release(event)
        return False

    def _editable(self) -> bool:
        return self._document is not None and self._document.editable

    def _takes(self, event) -> bool:
        """A left press without a camera modifier (Shift is the fill tool's "band")."""
        if event.button() != Qt.MouseButton.LeftButton or self._document is None:
            return False
        allowed = Qt.KeyboardModifier.ShiftModifier if self._tool is Tool.FILL else None
        held = event.modifiers() & CAMERA_MODIFIERS
        return not held or (allowed is not None and held == allowed)

    def _tag_name(self, key: str) -> str:
        tags = self._document.session.tags
        return tags.get(key).name if key in tags else key

    def _device_xy(self, position: QPointF) -> tuple[float, float]:
        ratio = self._viewer.interactor.devicePixelRatioF()
        return position.x() * ratio, position.y() * ratio

    def _pressure(self, event) -> float:
        device = event.pointingDevice()
        return (
            self._tablet_pressure if device is not None and device.type() in STYLUS_TYPES else 1.0
        )

    def _mouse_press(self, event) -> bool:
        if not self._takes(event):
            return False
        hit = self._viewer.pick_at(event.position())
        if self._place is not None and hit is not None:
            place, self._place = self._place, None
            place(SurfacePoint(hit.point, hit.vertex_id))
            return True
        marker = self._marker_at(event.position())
        if self._tool in (Tool.PIN, Tool.VECTOR) and marker is not None:
            self._select(marker)
            self._drag_id = marker if self._editable() else None
            self._press = (event.position(), hit)
            return True
        if hit is None:
            self._select(None)
            return False  # pressing off the body turns the camera
        if not self._editable():
            self.message.emit("This session is finalised and read-only; add an amendment.")
            return True
        if self._tool is Tool.BRUSH:
            self._start_stroke(event, hit)
        else:
            self._press = (event.position(), hit)
        return True

    def _mouse_move(self, event) -> bool:
        if self._stroke is not None:
            x, y = self._device_xy(event.position())
            ids = self._stroke.move(x, y, self._pressure(event))
            if ids.size:
                self._document.announce_painted(ids)
            self._show_ring(self._viewer.pick_at(event.position()))
            self._render_now()
            return True
        if self._press is not None:
            return True  # a click or an annotation drag: acted on at release (one undo step)
        if self._tool is Tool.BRUSH and self._document is not None and not event.buttons():
            self._show_ring(self._viewer.pick_at(event.position()))
            self._request_render()
        return False

    def _mouse_release(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if self._stroke is not None:
            edit = self._stroke.release()
            self._stroke = None
            if edit is not None:
                push_edit(self._stack, self._document, edit)
            self._request_render()
            return True
        if self._press is None:
            return False
        start, start_hit = self._press
        self._press, drag_id, self._drag_id = None, self._drag_id, None
        hit = self._viewer.pick_at(event.position())
        moved = (event.position() - start).manhattanLength() > CLICK_SLOP_PX
        if drag_id is not None:
            if moved and hit is not None:
                self._move_annotation(drag_id, hit)
        elif self._tool is Tool.FILL and not moved and start_hit is not None:
            self._fill(start_hit, band=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
        elif self._tool is Tool.PIN and not moved and start_hit is not None:
            self._add_pin(start_hit)
        elif self._tool is Tool.VECTOR and start_hit is not None and hit is not None:
            self._add_vector(start_hit, hit)
        return True

    def _double_click(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self._document is None:
            return False
        marker = self._marker_at(event.position())
        if marker is None or self._tool not in (Tool.PIN, Tool.VECTOR):
            return self._tool is not Tool.BRUSH or self._stroke is not None
        self._select(marker)
        self.edit_selected()
        return True

    def _wheel(self, event) -> bool:
        modifiers = event.modifiers()
        delta = event.angleDelta()
        notches = (delta.y() or delta.x()) / 120.0
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            self.scale_radius(notches)
        elif modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.step_intensity(np.sign(notches))
        else:
            return False  # the camera zooms
        self._show_ring(self._viewer.pick_at(event.position()))
        self._request_render()
        return True

    # -- tools --------------------------------------------------------------------------
    def _start_stroke(self, event, hit: PickHit) -> None:
        document = self._document
        settings = self._settings
        if settings.mode != "erase_all" and settings.tag not in document.session.tags:
            self.message.emit("Choose a tag to paint with first.")
            return
        ray = self._scene.viewpoint()
        spacing = spacing_for(settings.radius, self._scene.pixels_per_metre(hit.point))
        self._stroke = BrushStroke(
            document.painter,
            self._geometry,
            settings,
            self._tag_name(settings.tag),
            document.session.overlays.keys,
            self._scene.pick,
            Viewpoint(ray.position, ray.direction, ray.parallel),
            spacing,
            self._mirror_map() if settings.mirror else None,
        )
        x, y = self._device_xy(event.position())
        ids = self._stroke.press(x, y, self._pressure(event))
        if ids.size:
            document.announce_painted(ids)
        self._render_now()

    def _fill(self, hit: PickHit, band: bool) -> None:
        document = self._document
        atlas, mesh = document.atlas, document.mesh
        index = atlas.band_index if band else atlas.region_index
        place = int(index[hit.vertex_id])
        if place < 0:
            self.message.emit("No " + ("diaphragm band" if band else "region") + " here to fill.")
            return
        item = (atlas.bands if band else atlas.regions)[place]
        ids = np.flatnonzero((index == place) & ~mesh.internal)
        settings = self._settings
        edit = fill(
            document.painter,
            settings,
            self._tag_name(settings.tag),
            document.session.overlays.keys,
            ids,
            item.key,
            item.name,
            self._mirror_map() if settings.mirror else None,
        )
        if edit is not None:
            push_edit(self._stack, document, edit)
            self.message.emit(edit.text[0].upper() + edit.text[1:])

    def _add_pin(self, hit: PickHit) -> None:
        document = self._document
        draft = Pin(SurfacePoint(hit.point, hit.vertex_id), self._settings.tag)
        pin = self._pin_editor(draft, document.session.tags)
        if pin is not None:
            push_edit(self._stack, document, AnnotationEdit(None, pin))
            self._select(pin.id)

    def _add_vector(self, start: PickHit, end: PickHit) -> None:
        if np.linalg.norm(np.subtract(end.point, start.point)) < MIN_VECTOR_M:
            self.message.emit("Drag from where the force entered, the way it travelled.")
            return
        vector = ForceVector(
            SurfacePoint(start.point, start.vertex_id),
            SurfacePoint(end.point, end.vertex_id),
            tag=self._settings.tag,
        )
        push_edit(self._stack, self._document, AnnotationEdit(None, vector))
        self._select(vector.id)

    def _move_annotation(self, item_id: str, hit: PickHit) -> None:
        session = self._document.session
        at = SurfacePoint(hit.point, hit.vertex_id)
        if item_id in session.pins:
            old = session.pins[item_id]
            push_edit(self._stack, self._document, AnnotationEdit(old, old.moved(at)))
        elif item_id in session.vectors:
            # The whole arrow moves with its start; its end is put back on the surface.
            old = session.vectors[item_id]
            end_point = np.add(old.end.point, np.subtract(at.point, old.start.point))
            end_point = self._scene.closest_points(end_point[None, :])[0]
            vertices = self._document.mesh.vertices
            end = SurfacePoint(
                end_point, int(np.argmin(np.linalg.norm(vertices - end_point, axis=1)))
            )
            new = ForceVector(at, end, old.tag, old.note, id=old.id)
            push_edit(self._stack, self._document, AnnotationEdit(old, new))

    def _mirror_map(self) -> np.ndarray:
        if self._mirror is None:
            self._mirror = mirror_map(self._document.mesh)
        return self._mirror

    # -- view ---------------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if self._view.show_change(change) and self._stroke is None:
            self._request_render()

    def _select(self, item_id: str | None) -> None:
        if self._view.select(item_id):
            self._request_render()
            self.selection_changed.emit(item_id)

    def _marker_at(self, position: QPointF) -> str | None:
        return self._view.marker_at(*self._device_xy(position))

    def _show_ring(self, hit: PickHit | None) -> None:
        if hit is None or self._tool is not Tool.BRUSH or self._document is None:
            if self._ring.visible:
                self._ring.hide()
            return
        normal = self._document.mesh.vertex_normals[hit.vertex_id]
        self._ring.show(np.asarray(hit.point), normal, self._settings.radius)

    def _request_render(self) -> None:
        self._render_timer.start()

    def _render_now(self) -> None:
        self._render_timer.stop()
        self._viewer.redraw()

    def close(self) -> None:
        """Detach from the view (before the plotter closes)."""
        self.cancel_stroke()
        self._render_timer.stop()
        self._viewer.set_input_handler(None)
        if self._document is not None:
            self._document.unsubscribe(self._on_change)
            self._document = None
