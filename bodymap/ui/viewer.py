"""The 3D view widget: a pyvistaqt interactor, its :class:`BodyScene`, and hover picking.

Mouse, wheel and tablet events on the 3D view go first to an input handler (the paint
controller) that may consume them; what it leaves reaches VTK and turns the camera.
"""

from __future__ import annotations

from typing import Protocol

from PyQt6.QtCore import QEvent, QObject, QPointF, pyqtSignal
from PyQt6.QtWidgets import QVBoxLayout, QWidget
from pyvistaqt import QtInteractor

from bodymap.render.scene import BodyScene, PickHit


class InputHandler(Protocol):
    def handle_view_event(self, event: QEvent) -> bool:
        """Return True to consume the event (VTK never sees it)."""


class BodyViewer(QWidget):
    """Holds the VTK widget and reports what lies under the mouse pointer.

    Signals
    -------
    hovered(object)
        A :class:`~bodymap.render.scene.PickHit` when the pointer is over the body,
        ``None`` when it is off the body or has left the view.
    """

    hovered = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # auto_update=False: no timer re-rendering a large mesh several times a second;
        # the window renders when something changes.
        self.interactor = QtInteractor(self, auto_update=False)
        self.scene = BodyScene(self.interactor)
        self.scene.enable_camera_interaction()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.interactor)
        self.interactor.setMouseTracking(True)
        self.interactor.setTabletTracking(True)
        self.interactor.installEventFilter(self)
        self._handler: InputHandler | None = None

    def set_input_handler(self, handler: InputHandler | None) -> None:
        """Route the view's mouse, wheel, key and tablet events through ``handler`` first."""
        self._handler = handler

    def pick_at(self, position: QPointF) -> PickHit | None:
        """Pick at a position in the interactor's logical (Qt) coordinates."""
        ratio = self.interactor.devicePixelRatioF()
        return self.scene.pick(position.x() * ratio, position.y() * ratio)

    def redraw(self) -> None:
        """Render the 3D view now."""
        self.scene.render()

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:  # noqa: N802
        if watched is not self.interactor or event is None:
            return False
        if event.type() == QEvent.Type.MouseMove:
            self.hovered.emit(self.pick_at(event.position()))
        elif event.type() == QEvent.Type.Leave:
            self.hovered.emit(None)
        if self._handler is not None and event.type() in _ROUTED_EVENTS:
            return self._handler.handle_view_event(event)
        return False  # the interactor gets the event (camera interaction)

    def close_plotter(self) -> None:
        """Release the render window and the VTK objects (pyvistaqt needs an explicit close)."""
        self.interactor.removeEventFilter(self)
        self._handler = None
        self.interactor.close()


_ROUTED_EVENTS = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TabletPress,
    QEvent.Type.TabletMove,
    QEvent.Type.TabletRelease,
    QEvent.Type.Leave,
}
