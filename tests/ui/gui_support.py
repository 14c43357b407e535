"""Helpers for the GUI tests: a small labelled body and real mouse events on the 3D view."""

from __future__ import annotations

import numpy as np
import pyvista as pv
from PyQt6.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtWidgets import QApplication

from bodymap.core.atlas import NO_BAND, Atlas, Band, Region
from bodymap.core.mesh import BodyMesh
from bodymap.io.body_loading import Body

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NO_BUTTON = Qt.MouseButton.NoButton
REGIONS = (
    Region("side_left", "Left side", "left", "trunk anterior"),
    Region("side_right", "Right side", "right", "trunk anterior"),
    Region("middle", "Middle", "midline", "trunk anterior"),
)
BANDS = (Band("equator", "Equator diaphragm"),)


def sphere_body() -> Body:
    """A sphere of radius 0.5 whose +x half is the subject's left, with a band at the equator."""
    sphere = pv.Icosphere(radius=0.5, nsub=3)
    vertices = np.asarray(sphere.points)
    x, y = vertices[:, 0], vertices[:, 1]
    region = np.where(x > 0.08, 0, np.where(x < -0.08, 1, 2))
    band = np.where(np.abs(y) < 0.1, 0, NO_BAND)
    mesh = BodyMesh(vertices, sphere.regular_faces, name="sphere")
    return Body(mesh=mesh, atlas=Atlas(REGIONS, BANDS, region, band))


def send_mouse(
    widget,
    kind,
    point: QPoint,
    button=NO_BUTTON,
    buttons=NO_BUTTON,
    modifiers=Qt.KeyboardModifier.NoModifier,
):
    position = QPointF(point)
    event = QMouseEvent(
        kind, position, QPointF(widget.mapToGlobal(point)), button, buttons, modifiers
    )
    QApplication.sendEvent(widget, event)


def drag(widget, start: QPoint, end: QPoint, button=LEFT, steps=3, modifiers=None):
    modifiers = modifiers or Qt.KeyboardModifier.NoModifier
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, button, button, modifiers)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        send_mouse(widget, QEvent.Type.MouseMove, point, NO_BUTTON, button, modifiers)
    send_mouse(widget, QEvent.Type.MouseButtonRelease, end, button, NO_BUTTON, modifiers)


def centre_offset(widget, dx: float, dy: float = 0.0) -> QPoint:
    h = widget.height()
    return QPoint(round(widget.width() / 2 + dx * h), round(h / 2 + dy * h))


def window_on_store(qtbot, store, size=(1280, 720)):
    """The real main window on the small test body, with ``store``, shown and exposed."""
    from bodymap.ui.main_window import MainWindow

    body = sphere_body()
    window = MainWindow(body, reference=body, store=store)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def window_with_session(qtbot, size=(1280, 720), settle_ms=20):
    """The real main window on the small test body with a new session open, seen from the
    front, shown, exposed and settled."""
    from bodymap.core.document import SessionDocument
    from bodymap.core.session import Session
    from bodymap.core.views import StandardView

    window = window_on_store(qtbot, None, size)
    body = window.body
    session = Session(
        client_id="c-test", mesh_hash=body.mesh.geometry_hash, n_vertices=body.mesh.n_vertices
    )
    window.set_document(SessionDocument(session, body.mesh, body.atlas), "Test client")
    window.show_view(StandardView.ANTERIOR)
    qtbot.wait(settle_ms)
    return window
