"""The input router of the 3D view: mouse, pen and wheel go to the tool in use.

The router decides which events the tools take (a left-button press without a camera
modifier, on the body, while a session is open) and leaves the rest to VTK, which turns the
camera. Each tool is one small class (:mod:`~bodymap.ui.brush_input`,
:mod:`~bodymap.ui.click_tools`) that gets the event and the hit the view picked once for it,
and reaches the shared state through the router (:class:`~bodymap.ui.tool_host.ToolHost`).
The view recolours only the vertices each change names; handlers only request a frame.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

import numpy as np
from PyQt6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QInputDevice, QMouseEvent, QUndoStack, QWheelEvent

from bodymap.core.annotations import Pin, SurfacePoint
from bodymap.core.brush import BrushGeometry
from bodymap.core.brush_tool import BrushSettings
from bodymap.core.document import SessionDocument
from bodymap.core.edits import AnnotationEdit, Change
from bodymap.core.mirror import mirror_map
from bodymap.core.tags import TagSet
from bodymap.render.brush_ring import BrushRing
from bodymap.render.scene import BodyScene, PickHit
from bodymap.render.session_view import SessionView
from bodymap.ui.brush_input import BrushInput
from bodymap.ui.click_tools import FillInput, PinInput, VectorInput, edit_selected_pin
from bodymap.ui.tool_host import LazyHit, ToolInput
from bodymap.ui.undo import push_edit
from bodymap.ui.viewer import BodyViewer

RING_SETTLE_MS = 150
"""How long the brush rests in a stroke before its ring is snapped to the surface again."""
CAMERA_MODIFIERS = (
    Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.ShiftModifier
    | Qt.KeyboardModifier.MetaModifier
)
RADIUS_STEP = 1.15
"""Each wheel notch or [ ] key press scales the radius by this much."""
STYLUS_TYPES = (QInputDevice.DeviceType.Stylus, QInputDevice.DeviceType.Airbrush)

PinEditor = Callable[[Pin, TagSet], Pin | None]
"""Asks the user for a pin's details; ``None`` when cancelled."""


class Tool(Enum):
    BRUSH = "Brush"
    FILL = "Fill region"
    PIN = "Pin"
    VECTOR = "Vector of force"


GEOMETRY_WAITS = 20
"""Turns of the event loop the brush's geometry waits for a pending frame."""


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
        self._geometry_waits = 0
        self._mirror: np.ndarray | None = None
        self._tablet_pressure = 1.0
        self._place: Callable[[SurfacePoint], None] | None = None
        self._ring = BrushRing(self._scene)
        # While a stroke is painted the ring moves with the brush and snaps to the surface
        # once the brush rests: its 64 snaps cost more than a dab (~10 ms at 168k).
        self._ring_hit: PickHit | None = None
        self._ring_settle = QTimer(self, singleShot=True, interval=RING_SETTLE_MS)
        self._ring_settle.timeout.connect(self._settle_ring)
        self._view = SessionView(self._scene)
        self._brush = BrushInput(self)
        self._tools: dict[Tool, ToolInput] = {
            Tool.BRUSH: self._brush,
            Tool.FILL: FillInput(self),
            Tool.PIN: PinInput(self),
            Tool.VECTOR: VectorInput(self),
        }
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
        return self._brush.painting

    @property
    def stack(self) -> QUndoStack:
        return self._stack

    @property
    def scene(self) -> BodyScene:
        return self._scene

    @property
    def geometry(self) -> BrushGeometry | None:
        """The brush's geometry of the open document's mesh (``None`` without one), built
        when first needed and kept while the mesh is the same."""
        if self._document is None:
            return None
        mesh = self._document.mesh
        if self._geometry is None or self._geometry_mesh is not mesh:
            self._geometry, self._geometry_mesh, self._mirror = BrushGeometry(mesh), mesh, None
        return self._geometry

    def set_document(self, document: SessionDocument | None) -> None:
        """Show ``document``'s layers and annotations (``None``: the bare body)."""
        self.cancel_stroke()
        if self._document is not None:
            self._document.unsubscribe(self._on_change)
        self._document = document
        self._view.set_document(document)
        if document is None:
            self._ring.hide()
            self.request_render()
            return
        document.subscribe(self._on_change)
        if self._settings.tag not in document.session.tags:
            self.set_settings(tag=document.session.tags.keys()[0])
        self.request_render()
        # The brush's geometry of a new mesh (0.1 to 0.2 s at 168k vertices) is built after
        # the frame requested above has shown the body, or at the first dab if sooner.
        self._geometry_waits = 0
        QTimer.singleShot(0, self._prepare_geometry)

    def _prepare_geometry(self) -> None:
        if self._document is None:
            return
        if self._viewer.render_pending and self._geometry_waits < GEOMETRY_WAITS:
            # The frame that shows the body comes first (it is requested again by whatever
            # the window updates after opening the document).
            self._geometry_waits += 1
            QTimer.singleShot(0, self._prepare_geometry)
            return
        _ = self.geometry

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
                self.request_render()
            self.tool_changed.emit(tool)

    def pick_location(self, place: Callable[[SurfacePoint], None]) -> None:
        """Let the next left click on the body give its location to ``place`` (Esc cancels)."""
        self.cancel_stroke()
        self._place = place
        self.message.emit("Click on the body to place it (Esc cancels).")

    def cancel_stroke(self) -> None:
        """Abandon the stroke in progress or a pending placement (Escape)."""
        self._place = None
        for tool in self._tools.values():
            tool.cancel()

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
        self.select(None)
        push_edit(self._stack, document, AnnotationEdit(item, None))
        return True

    def edit_selected(self) -> None:
        """Open the editor of the selected pin."""
        edit_selected_pin(self, self._view.selected)

    # -- input --------------------------------------------------------------------------
    def handle_view_event(self, event: QEvent, hit: LazyHit) -> bool:
        """Take the events the active tool needs; leave the rest to the camera.

        ``hit`` is the pick under the pointer for this event, shared with the hover readout.
        """
        kind = event.type()
        if kind in (QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.TabletRelease):
            self._tablet_pressure = float(event.pressure())
            return False  # not accepted: Qt sends the matching mouse event
        if kind == QEvent.Type.Wheel:
            return self._wheel(event, hit)
        if kind == QEvent.Type.Leave:
            if self._ring.visible:
                self._ring.hide()
                self.request_render()
            return False
        tool = self._tools[self._tool]
        if kind == QEvent.Type.MouseButtonPress:
            return self._mouse_press(event, hit)
        if kind == QEvent.Type.MouseMove:
            return tool.move(event, hit)
        left = event.button() == Qt.MouseButton.LeftButton
        if kind == QEvent.Type.MouseButtonRelease:
            return left and tool.release(event, hit)
        if kind == QEvent.Type.MouseButtonDblClick:
            return left and self._document is not None and tool.double_click(event)
        return False

    def _takes(self, event: QMouseEvent) -> bool:
        """A left press without a camera modifier (Shift is the fill tool's "band")."""
        if event.button() != Qt.MouseButton.LeftButton or self._document is None:
            return False
        allowed = Qt.KeyboardModifier.ShiftModifier if self._tool is Tool.FILL else None
        held = event.modifiers() & CAMERA_MODIFIERS
        return not held or (allowed is not None and held == allowed)

    def _mouse_press(self, event: QMouseEvent, hit: LazyHit) -> bool:
        if not self._takes(event):
            return False
        here = hit()
        if self._place is not None and here is not None:
            place, self._place = self._place, None
            place(SurfacePoint(here.point, here.vertex_id))
            return True
        return self._tools[self._tool].press(event, here)

    def _wheel(self, event: QWheelEvent, hit: LazyHit) -> bool:
        modifiers = event.modifiers()
        delta = event.angleDelta()
        notches = (delta.y() or delta.x()) / 120.0
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            self.scale_radius(notches)
        elif modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.step_intensity(np.sign(notches))
        else:
            return False  # the camera zooms
        self.show_ring(hit())
        self.request_render()
        return True

    # -- what the tools ask of the router (ToolHost) ---------------------------------------
    def editable(self) -> bool:
        return self._document is not None and self._document.editable

    def tag_name(self, key: str) -> str:
        tags = self._document.session.tags
        return tags.get(key).name if key in tags else key

    def device_xy(self, position: QPointF) -> tuple[float, float]:
        ratio = self._viewer.interactor.devicePixelRatioF()
        return position.x() * ratio, position.y() * ratio

    def pressure(self, event: QMouseEvent) -> float:
        device = event.pointingDevice()
        return (
            self._tablet_pressure if device is not None and device.type() in STYLUS_TYPES else 1.0
        )

    def mirror_map(self) -> np.ndarray:
        _ = self.geometry  # a new mesh's geometry drops the last mesh's mirror map
        if self._mirror is None:
            self._mirror = mirror_map(self._document.mesh)
        return self._mirror

    def edit_pin(self, pin: Pin) -> Pin | None:
        return self._pin_editor(pin, self._document.session.tags)

    def say(self, text: str) -> None:
        self.message.emit(text)

    def select(self, item_id: str | None) -> None:
        if self._view.select(item_id):
            self.request_render()
            self.selection_changed.emit(item_id)

    def marker_at(self, position: QPointF) -> str | None:
        return self._view.marker_at(*self.device_xy(position))

    def show_ring(self, hit: PickHit | None, moving: bool = False) -> None:
        """The brush ring round ``hit`` (hidden off the body); ``moving``: a stroke's move,
        which shifts the ring and snaps it once the brush rests (:data:`RING_SETTLE_MS`)."""
        self._ring_settle.stop()
        if hit is None or self._tool is not Tool.BRUSH or self._document is None:
            if self._ring.visible:
                self._ring.hide()
            return
        if moving and self._ring.follow(np.asarray(hit.point), self._settings.radius):
            self._ring_hit = hit
            self._ring_settle.start()
            return
        normal = self._document.mesh.vertex_normals[hit.vertex_id]
        self._ring.show(np.asarray(hit.point), normal, self._settings.radius)

    def _settle_ring(self) -> None:
        if self._ring.visible and self._ring_hit is not None:
            self.show_ring(self._ring_hit)
            self.request_render()

    def request_render(self) -> None:
        self._viewer.request_render()

    # -- view ---------------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if self._view.show_change(change):
            self.request_render()

    def close(self) -> None:
        """Detach from the view (before the plotter closes)."""
        self.cancel_stroke()
        self._viewer.set_input_handler(None)
        if self._document is not None:
            self._document.unsubscribe(self._on_change)
            self._document = None
