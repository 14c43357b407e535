"""The 3D view widget: a pyvistaqt interactor, its :class:`BodyScene`, hover picking and
frame scheduling.

Mouse, wheel and tablet events on the 3D view go first to an input handler (the input
router) that may consume them; what it leaves reaches VTK and turns the camera. The view
picks at most once per event, when first asked, and shares that hit between the hover
readout and the handler.

Input never renders: it calls :meth:`BodyViewer.request_render`, and one zero-interval timer
draws one frame for every request since the last frame, after the queued input is handled.
A slow frame then costs smoothness, never responsiveness.

A frame is drawn by the widget's own paint (:class:`WidgetScene`): pyvistaqt's widget renders
again in every paint, so a render of the window followed by the paint it schedules would
draw each frame twice (measured on software GL: 2.5 s of CPU a frame at 1M vertices, not 1.1).

The plain wheel (what the input handler leaves) zooms toward the point under the pointer
(:mod:`~bodymap.ui.camera_zoom`). After the camera moves (a standard view, a zoom, a turn
with the mouse) or a button is released (a stroke ends), the view picks again at the
pointer, so the hover readout never names a region the pointer has left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from PyQt6.QtCore import QEvent, QObject, QPointF, QTimer, pyqtSignal
from PyQt6.QtGui import QGuiApplication, QWheelEvent
from PyQt6.QtWidgets import QVBoxLayout, QWidget
from pyvistaqt import QtInteractor

from bodymap.render.scene import BodyScene, PickHit
from bodymap.ui.camera_zoom import wheel_factor, zoom_camera
from bodymap.ui.color_scheme import is_dark


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


class WidgetScene(BodyScene):
    """A :class:`BodyScene` in a shown Qt widget: a frame is one synchronous repaint.

    pyvistaqt's ``QtInteractor`` renders the scene in every ``paintGL`` (its design: pyvista
    changes the scene without asking the widget to repaint). Rendering the VTK window
    directly schedules such a paint, so each frame would be drawn twice; repainting the
    widget draws it once and shows it. A hidden widget does not paint: it renders directly
    (screenshots and the tests still get a picture).
    """

    def __init__(self, interactor: QtInteractor) -> None:
        super().__init__(interactor)
        self._widget = interactor

    def render(self) -> None:
        if self._widget.isVisible() and self._widget.updatesEnabled():
            self._widget.repaint()
        else:
            super().render()


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
        self.scene = WidgetScene(self.interactor)
        self.scene.enable_camera_interaction()
        self.scene.set_dark_background(is_dark())
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)
        app = QGuiApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._stop_following_scheme)
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
        self._pointer: QPointF | None = None  # the last pointer position over the view
        self._hover_camera: tuple | None = None  # the camera when the pointer was last picked
        self._repick_timer = QTimer(self, singleShot=True, interval=0)
        self._repick_timer.timeout.connect(self.repick)
        self.frames_drawn = 0
        """Frames drawn on request (:meth:`request_render`), for the tests."""

    def _stop_following_scheme(self) -> None:
        try:
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._scheme_changed)
        except TypeError:
            pass  # already: a window may be closed twice, or after the app quits

    def _scheme_changed(self, _scheme: object = None) -> None:
        self.scene.set_dark_background(is_dark())
        self.request_render()

    def add_banner(self, widget: QWidget) -> None:
        """Show ``widget`` in a strip above the 3D view (not over it: a native OpenGL
        window would paint over an overlay)."""
        self.layout().insertWidget(0, widget)

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
        self._repick_if_camera_moved()

    def repick(self) -> None:
        """Pick again at the pointer and report it (``hovered``), if it is over the view."""
        self._repick_timer.stop()
        if self._pointer is not None:
            self._emit_hover(self.pick_at(self._pointer))

    def zoom(self, factor: float, toward: np.ndarray | None = None) -> None:
        """Magnify the view ``factor`` times about a world point (the focal point if ``None``)."""
        self.scene.apply_camera(zoom_camera(self.scene.current_camera(), factor, toward))
        self.request_render()

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
        self._repick_if_camera_moved()

    def _camera_key(self) -> tuple:
        camera = self.scene.current_camera()
        return (*camera.position, *camera.focal_point, *camera.up, camera.parallel_scale)

    def _emit_hover(self, hit: PickHit | None) -> None:
        self._hover_camera = self._camera_key()
        self.hovered.emit(hit)

    def _repick_if_camera_moved(self) -> None:
        if self._pointer is not None and self._camera_key() != self._hover_camera:
            self._repick_timer.start()  # after the frame: the pick reads the new camera

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if watched is not self.interactor or event is None:
            return False
        kind = event.type()
        hit = _EventPick(self, event.position() if kind in _POINTER_EVENTS else None)
        if kind in _POINTER_EVENTS:
            self._pointer = QPointF(event.position())
        if kind == QEvent.Type.MouseMove:
            self._emit_hover(hit())
        elif kind == QEvent.Type.Leave:
            self._pointer = None
            self._emit_hover(None)
        elif kind == QEvent.Type.Enter:
            # Also sent after a synthetic Leave, when a mouse grab or a popup ends.
            self._pointer = QPointF(event.position())
            self._repick_timer.start()
        elif kind == QEvent.Type.MouseButtonRelease:
            self._repick_timer.start()  # a stroke or a turn has ended: where is the pointer?
        if self._handler is not None and kind in _ROUTED_EVENTS:
            if self._handler.handle_view_event(event, hit):
                return True
        if kind == QEvent.Type.Wheel:
            self._zoom_at_pointer(event, hit)
            return True  # VTK's own zoom would aim at the middle of the view
        return False  # the interactor gets the event (camera interaction)

    def _zoom_at_pointer(self, event: QWheelEvent, hit: Callable[[], PickHit | None]) -> None:
        delta = event.angleDelta()
        steps = delta.y() or delta.x()
        if steps:
            here = hit()
            self.zoom(wheel_factor(steps), None if here is None else here.point)

    def close_plotter(self) -> None:
        """Release the render window and the VTK objects (pyvistaqt needs an explicit close)."""
        self._frame_timer.stop()
        self._repick_timer.stop()
        self._pointer = None
        self._stop_following_scheme()
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
