"""The 3D view widget: a pyvistaqt interactor, its :class:`BodyScene`, hover picking and
frame scheduling.

Mouse, wheel and tablet events on the 3D view go first to an input handler (the input
router) that may consume them; what it leaves reaches VTK and turns the camera. The view
picks at most once per event, when first asked, and shares that hit between the hover
readout and the handler.

Input never renders: it calls :meth:`BodyViewer.request_render`, and one zero-interval timer
draws one frame for every request since the last frame, after the queued input is handled.
A slow frame then costs smoothness, never responsiveness.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PyQt6.QtCore import QEvent, QObject, QPointF, QTimer, pyqtSignal
from PyQt6.QtWidgets import QVBoxLayout, QWidget
from pyvistaqt import QtInteractor

from bodymap.render.scene import BodyScene, PickHit


class InputHandler(Protocol):
    def handle_view_event(self, event: QEvent, hit: Callable[[], PickHit | None]) -> bool:
        """Return True to consume the event (VTK never sees it).

        ``hit()`` is the pick under the pointer for this event (picked once, when first asked).
        """


class _EventPick:
    """The pick at one event's position, done at most once, when first asked."""

    def __init__(self, viewer: BodyViewer, position: QPointF | None) -> None:
        self._viewer = viewer
        self._position = position
        self._picked = False
        self._hit: PickHit | None = None

    def __call__(self) -> PickHit | None:
        if not self._picked:
            self._picked = True
            if self._position is not None:
                self._hit = self._viewer.pick_at(self._position)
        return self._hit


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
        self._frame_timer = QTimer(self, singleShot=True, interval=0)
        self._frame_timer.timeout.connect(self._draw_frame)
        self._drawing = False
        self.frames_drawn = 0
        """Frames drawn on request (:meth:`request_render`), for the tests."""

    def set_input_handler(self, handler: InputHandler | None) -> None:
        """Route the view's mouse, wheel, key and tablet events through ``handler`` first."""
        self._handler = handler

    def pick_at(self, position: QPointF) -> PickHit | None:
        """Pick at a position in the interactor's logical (Qt) coordinates."""
        ratio = self.interactor.devicePixelRatioF()
        return self.scene.pick(position.x() * ratio, position.y() * ratio)

    def redraw(self) -> None:
        """Render the 3D view now (and drop a pending request: this frame covers it)."""
        self._frame_timer.stop()
        self.scene.render()

    def request_render(self) -> None:
        """Ask for a frame: drawn once, soon, for every request made until then."""
        self._frame_timer.start()

    @property
    def render_pending(self) -> bool:
        """Whether a requested frame is still to be drawn."""
        return self._frame_timer.isActive()

    def _draw_frame(self) -> None:
        if self._drawing:  # never two frames at once, even if a render spins the event loop
            self._frame_timer.start()
            return
        self._drawing = True
        try:
            self.frames_drawn += 1
            self.scene.render()
        finally:
            self._drawing = False

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if watched is not self.interactor or event is None:
            return False
        kind = event.type()
        hit = _EventPick(self, event.position() if kind in _POINTER_EVENTS else None)
        if kind == QEvent.Type.MouseMove:
            self.hovered.emit(hit())
        elif kind == QEvent.Type.Leave:
            self.hovered.emit(None)
        if self._handler is not None and kind in _ROUTED_EVENTS:
            return self._handler.handle_view_event(event, hit)
        return False  # the interactor gets the event (camera interaction)

    def close_plotter(self) -> None:
        """Release the render window and the VTK objects (pyvistaqt needs an explicit close)."""
        self._frame_timer.stop()
        self.interactor.removeEventFilter(self)
        self._handler = None
        self.interactor.close()


_POINTER_EVENTS = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
}
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
