"""Painting in the real main window under Xvfb: real mouse events on the 3D view."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest
import pyvista as pv
from gui_support import LEFT, NO_BUTTON, RIGHT, centre_offset, drag, send_mouse, window_with_session
from PyQt6.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QInputDevice, QMouseEvent, QPointingDevice, QTabletEvent, QWheelEvent
from PyQt6.QtWidgets import QApplication

from bodymap.core.findings import tag_findings
from bodymap.ui import findings_panel as findings_module
from bodymap.ui.main_window import MainWindow
from bodymap.ui.paint_controller import Tool

pytestmark = pytest.mark.gui


@pytest.fixture
def painting(qtbot):
    window = window_with_session(qtbot, (1280, 720), 20)
    yield window
    assert len(pv.plotting._ALL_PLOTTERS) <= 1


def test_a_left_drag_paints_the_model_and_the_pixels(painting: MainWindow, qtbot):
    widget = painting.viewer.interactor
    scene = painting.viewer.scene
    before = scene.screenshot()
    # One fast drag across the front of the sphere, in a few big mouse steps.
    drag(widget, centre_offset(widget, -0.25), centre_offset(widget, 0.25), steps=2)
    layer = painting.document.session.overlays.layer("restriction")
    painted = np.flatnonzero(layer)
    assert painted.size > 0
    front = painting.document.mesh.vertices[painted]
    assert (front[:, 2] > 0).all()  # the camera looks from +z: nothing on the back
    # No gaps: every vertex on the equator's front between the ends is painted.
    v = painting.document.mesh.vertices
    line = np.flatnonzero((np.abs(v[:, 1]) < 0.02) & (v[:, 2] > 0.3) & (np.abs(v[:, 0]) < 0.1))
    assert line.size and (layer[line] > 0).all()
    after = scene.screenshot()
    h, w, _ = after.shape
    ratio = widget.devicePixelRatioF()
    y, x = round(h / 2), round(w / 2)
    colour = np.array(painting.document.session.tags.get("restriction").color)
    assert (
        np.abs(after[y, x].astype(int) - colour).sum()
        < np.abs(before[y, x].astype(int) - colour).sum() - 60
    )
    assert painting.undo_action.text() == "Undo paint Restriction"
    # The screenshot, the picks and the dabs all count device pixels.
    assert (w, h) == painting.viewer.scene.window_size()
    assert (w, h) == (round(widget.width() * ratio), round(widget.height() * ratio))
    painting.undo_action.trigger()
    assert painting.document.session.overlays.is_empty()
    assert not painting.document.session.strokes
    qtbot.wait(10)
    restored = scene.screenshot()
    assert np.abs(restored[y, x].astype(int) - before[y, x].astype(int)).sum() < 10


def test_right_drag_turns_the_camera_and_paints_nothing(painting: MainWindow):
    widget = painting.viewer.interactor
    camera = painting.viewer.scene.current_camera()
    drag(widget, centre_offset(widget, 0.0), centre_offset(widget, 0.2), button=RIGHT)
    assert painting.document.session.overlays.is_empty()
    assert not np.allclose(painting.viewer.scene.current_camera().position, camera.position)


def test_ctrl_wheel_resizes_the_brush_and_fill_fills_a_region(painting: MainWindow):
    widget = painting.viewer.interactor
    controller = painting.controller
    radius = controller.settings.radius
    point = QPointF(centre_offset(widget, 0.2))
    wheel = QWheelEvent(
        point,
        QPointF(widget.mapToGlobal(point.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),
        NO_BUTTON,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, wheel)
    assert controller.settings.radius > radius
    painting.tool_actions.tools[Tool.FILL].trigger()
    drag(widget, centre_offset(widget, 0.2), centre_offset(widget, 0.2), steps=1)
    document = painting.document
    layer = document.session.overlays.layer("restriction")
    left = document.atlas.region_index == 0  # "Left side"
    assert (layer[left] > 0).all() and not layer[~left].any()
    assert painting.undo_action.text() == "Undo fill Left side with Restriction"


def test_pins_are_placed_moved_and_deleted_with_undo(painting: MainWindow):
    widget = painting.viewer.interactor
    controller = painting.controller
    asked = []

    def editor(pin, tags):
        asked.append(pin)
        return replace(pin, note="client felt heat here")

    controller._pin_editor = editor
    painting.tool_actions.tools[Tool.PIN].trigger()
    drag(widget, centre_offset(widget, 0.1), centre_offset(widget, 0.1), steps=1)
    session = painting.document.session
    [pin] = session.pins.values()
    assert pin.note == "client felt heat here" and pin.tag == controller.settings.tag
    assert session.overlays.is_empty()  # the pin tool never paints
    assert controller.selected == pin.id and painting.tool_actions.delete.isEnabled()
    drag(widget, centre_offset(widget, 0.1), centre_offset(widget, -0.1), steps=3)
    [moved] = session.pins.values()
    assert moved.id == pin.id and moved.at.point[0] < pin.at.point[0]
    assert painting.undo_action.text() == "Undo move pin"
    painting.tool_actions.delete.trigger()
    assert not session.pins
    painting.undo_action.trigger()
    assert list(session.pins) == [pin.id]


def test_a_vector_is_drawn_in_the_direction_of_the_drag(painting: MainWindow):
    widget = painting.viewer.interactor
    painting.tool_actions.tools[Tool.VECTOR].trigger()
    drag(widget, centre_offset(widget, -0.15), centre_offset(widget, 0.15), steps=4)
    [vector] = painting.document.session.vectors.values()
    assert vector.end.point[0] - vector.start.point[0] > 0.2
    assert painting.undo_action.text() == "Undo add vector"


def test_an_event_is_placed_by_clicking_the_body(painting: MainWindow):
    widget = painting.viewer.interactor
    panel = painting.events_panel
    panel.add_event("still_point")
    [event] = painting.document.session.events
    panel.request_location.emit(event.id)
    drag(widget, centre_offset(widget, 0.1), centre_offset(widget, 0.1), steps=1)
    [placed] = painting.document.session.events
    assert placed.at is not None and painting.document.session.overlays.is_empty()


def test_pen_pressure_scales_intensity(painting: MainWindow):
    widget = painting.viewer.interactor
    controller = painting.controller
    controller.set_settings(intensity=10, soft=False)
    pen = QPointingDevice(
        "pen",
        7,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        1,
    )
    point = QPointF(centre_offset(widget, 0.0))
    tablet = QTabletEvent(
        QEvent.Type.TabletPress,
        pen,
        point,
        QPointF(widget.mapToGlobal(point.toPoint())),
        0.4,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        LEFT,
        LEFT,
    )
    QApplication.sendEvent(widget, tablet)
    for kind, button, buttons in (
        (QEvent.Type.MouseButtonPress, LEFT, LEFT),
        (QEvent.Type.MouseButtonRelease, LEFT, NO_BUTTON),
    ):
        QApplication.sendEvent(
            widget,
            QMouseEvent(
                kind,
                point,
                QPointF(widget.mapToGlobal(point.toPoint())),
                button,
                buttons,
                Qt.KeyboardModifier.NoModifier,
                pen,
            ),
        )
    layer = painting.document.session.overlays.layer("restriction")
    assert layer.max() == 40  # intensity 10 at 40% pressure


def test_a_drag_under_a_slow_render_shows_the_stroke_as_it_grows(
    painting: MainWindow, qtbot, monkeypatch
):
    """Input only requests frames: a burst of moves costs one frame, and each frame shows the
    stroke and the ring where the pointer is, before the button comes up."""
    widget, viewer = painting.viewer.interactor, painting.viewer
    scene, ring = viewer.scene, painting.controller._ring
    layer = lambda: painting.document.session.overlays.layer("restriction")  # noqa: E731
    real_render = scene.render
    frames = []

    def slow_render():
        time.sleep(0.05)  # a frame on a slow machine
        real_render()
        frames.append((np.count_nonzero(layer()), ring.points.mean(axis=0).copy()))

    monkeypatch.setattr(scene, "render", slow_render)
    start, end = centre_offset(widget, -0.3, 0.05), centre_offset(widget, 0.3, 0.05)
    unpainted = scene.colors.copy()
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    qtbot.waitUntil(lambda: len(frames) == 1)
    steps = 12
    for i in range(1, steps + 1):
        send_mouse(
            widget, QEvent.Type.MouseMove, start + (end - start) * (i / steps), NO_BUTTON, LEFT
        )
        if i % 3 == 0:  # three moves arrive while a frame is drawn: one frame for all three
            count = len(frames)
            qtbot.waitUntil(lambda c=count: len(frames) > c)
            qtbot.wait(5)
            assert len(frames) == count + 1
    assert painting.controller.painting and len(frames) == 1 + steps // 3
    counts = [count for count, _ in frames]
    assert counts == sorted(counts) and counts[0] < counts[-1]  # it grew during the drag
    ring_x = [centre[0] for _, centre in frames]
    assert ring_x == sorted(ring_x) and ring_x[-1] - ring_x[0] > 0.4  # the ring followed
    send_mouse(widget, QEvent.Type.MouseButtonRelease, end, LEFT, NO_BUTTON)
    qtbot.waitUntil(lambda: not viewer.render_pending)
    final = np.flatnonzero(layer())
    assert frames[-1][0] == final.size  # the frame after release shows all of it
    changed = np.flatnonzero((scene.colors != unpainted).any(axis=1))
    assert np.array_equal(changed, final)  # every painted vertex recoloured, nothing else


def test_the_findings_update_once_after_a_mirrored_stroke(painting: MainWindow, qtbot, monkeypatch):
    widget, panel = painting.viewer.interactor, painting.findings_panel
    assert panel.isVisible()
    painting.controller.set_settings(mirror=True)
    shown = []
    real_refresh = panel.refresh

    def refresh():
        real_refresh()
        shown.append([(f.tag, f.total.area_cm2, len(f.regions)) for f in panel.findings])

    monkeypatch.setattr(panel, "refresh", refresh)
    start, end = centre_offset(widget, -0.35, -0.1), centre_offset(widget, -0.15, -0.1)
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    for i in range(1, 4):
        send_mouse(widget, QEvent.Type.MouseMove, start + (end - start) * (i / 3), NO_BUTTON, LEFT)
        qtbot.wait(2 * findings_module.IDLE_MS)  # the hand pauses mid-stroke
    assert shown == []  # never a figure for part of the stroke
    send_mouse(widget, QEvent.Type.MouseButtonRelease, end, LEFT, NO_BUTTON)
    qtbot.waitUntil(lambda: bool(shown))
    qtbot.wait(2 * findings_module.IDLE_MS)
    [[(tag, area, n_regions)]] = shown
    document = painting.document
    expected = tag_findings(
        document.session.overlays, document.session.tags, document.mesh, document.atlas
    )
    assert tag == "restriction" and area == expected[0].total.area_cm2
    layer = document.session.overlays.layer("restriction")
    x = document.mesh.vertices[:, 0]
    assert layer[x < -0.1].any() and layer[x > 0.1].any()  # both sides, in the one update
    assert n_regions == 2 and len(document.session.strokes) == 1


def test_each_mouse_move_of_a_stroke_picks_once_for_hover_dab_and_ring(
    painting: MainWindow, monkeypatch
):
    widget, scene = painting.viewer.interactor, painting.viewer.scene
    real_pick = scene.pick
    picks = []

    def counting_pick(x, y):
        picks.append((x, y))
        return real_pick(x, y)

    monkeypatch.setattr(scene, "pick", counting_pick)
    hovered = []
    painting.viewer.hovered.connect(hovered.append)
    start = centre_offset(widget, 0.0)
    send_mouse(widget, QEvent.Type.MouseMove, start)  # hovering: the readout and the ring
    assert len(picks) == 1 and hovered[-1] is not None
    assert painting.controller._ring.visible
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    assert len(picks) == 2  # the press: one pick for the first dab and the ring
    for dx in (1, 2, 3):  # moves shorter than the dab spacing: no points in between
        send_mouse(widget, QEvent.Type.MouseMove, start + QPoint(dx, 0), NO_BUTTON, LEFT)
        assert len(picks) == 2 + dx
    ring = painting.controller._ring
    ring_centre = ring.points.mean(axis=0)
    assert np.linalg.norm(ring_centre - hovered[-1].point) < 0.01  # the ring is at the hit
    moved = ring.points.copy()  # shifted with the brush; snapped again once it rests
    painting.controller._ring_settle.timeout.emit()
    assert len(picks) == 5 and not np.array_equal(ring.points, moved)
    assert np.linalg.norm(ring.points.mean(axis=0) - hovered[-1].point) < 0.01
    send_mouse(widget, QEvent.Type.MouseButtonRelease, start + QPoint(3, 0), LEFT, NO_BUTTON)
    [stroke] = painting.document.session.strokes
    assert len(stroke.seeds) == 4 and stroke.seeds[-1] == hovered[-1].vertex_id
