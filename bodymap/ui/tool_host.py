"""What a tool on the 3D view may ask of the input router that drives it.

Each tool (brush, fill, pin, vector) is one small class that receives the mouse events the
router hands it, with the hit the view picked once for that event. Everything else it needs
(the open session, the brush settings, the undo stack, the scene, rendering) it reaches
through this narrow :class:`ToolHost`, which :class:`~bodymap.ui.paint_controller.PaintController`
implements.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from PyQt6.QtCore import QPointF
from PyQt6.QtGui import QMouseEvent, QUndoStack

from bodymap.core.annotations import Pin
from bodymap.core.brush import BrushGeometry
from bodymap.core.brush_tool import BrushSettings
from bodymap.core.document import SessionDocument
from bodymap.render.scene import BodyScene, PickHit

LazyHit = Callable[[], PickHit | None]
"""The pick under the pointer for one event: picked at most once, when first asked."""


class ToolHost(Protocol):
    """The router's side of a tool: shared state, rendering and feedback."""

    @property
    def document(self) -> SessionDocument | None: ...

    @property
    def settings(self) -> BrushSettings: ...

    @property
    def stack(self) -> QUndoStack: ...

    @property
    def scene(self) -> BodyScene: ...

    @property
    def geometry(self) -> BrushGeometry | None: ...

    def editable(self) -> bool:
        """A session is open and may be edited."""

    def mirror_map(self) -> np.ndarray: ...

    def tag_name(self, key: str) -> str: ...

    def device_xy(self, position: QPointF) -> tuple[float, float]: ...

    def pressure(self, event: QMouseEvent) -> float: ...

    def edit_pin(self, pin: Pin) -> Pin | None:
        """Ask the user for a pin's details; ``None`` when cancelled."""

    def marker_at(self, position: QPointF) -> str | None: ...

    def select(self, item_id: str | None) -> None: ...

    def show_ring(self, hit: PickHit | None, moving: bool = False) -> None: ...

    def say(self, text: str) -> None:
        """A short message for the status bar."""

    def request_render(self) -> None:
        """Ask for a frame; the view draws once for all requests since its last frame."""


class ToolInput(Protocol):
    """One tool's handling of the left button on the body. Each returns whether it took
    the event (VTK, which turns the camera, never sees a taken event)."""

    def press(self, event: QMouseEvent, hit: PickHit | None) -> bool: ...

    def move(self, event: QMouseEvent, hit: LazyHit) -> bool: ...

    def release(self, event: QMouseEvent, hit: LazyHit) -> bool: ...

    def double_click(self, event: QMouseEvent) -> bool: ...

    def cancel(self) -> None:
        """Abandon what is in progress (Escape, another tool, another session)."""
