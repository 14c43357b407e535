"""The 3D view widget: a pyvistaqt interactor, its :class:`BodyScene`, and hover picking."""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, QPointF, pyqtSignal
from PyQt6.QtWidgets import QVBoxLayout, QWidget
from pyvistaqt import QtInteractor

from bodymap.render.scene import BodyScene, PickHit


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
        self.interactor.installEventFilter(self)

    def pick_at(self, position: QPointF) -> PickHit | None:
        """Pick at a position in the interactor's logical (Qt) coordinates."""
        ratio = self.interactor.devicePixelRatioF()
        return self.scene.pick(position.x() * ratio, position.y() * ratio)

    def redraw(self) -> None:
        """Render the 3D view now."""
        self.scene.render()

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:  # noqa: N802
        if watched is self.interactor and event is not None:
            if event.type() == QEvent.Type.MouseMove:
                self.hovered.emit(self.pick_at(event.position()))
            elif event.type() == QEvent.Type.Leave:
                self.hovered.emit(None)
        return False  # the interactor still gets every event (camera interaction)

    def close_plotter(self) -> None:
        """Release the render window and the VTK objects (pyvistaqt needs an explicit close)."""
        self.interactor.removeEventFilter(self)
        self.interactor.close()
