"""What a practitioner notices: focus after dialogs, wheel zoom, quitting, remembered brush."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import centre_offset, sphere_body
from PyQt6.QtCore import QPoint, QPointF, Qt, QTimer
from PyQt6.QtGui import QWheelEvent
from PyQt6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget

from bodymap.core.annotations import Pin, SurfacePoint
from bodymap.core.views import StandardView
from bodymap.store import Store
from bodymap.ui.main_window import MainWindow
from bodymap.ui.pin_dialog import PinDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    body = sphere_body()
    window = MainWindow(body, reference=body, store=Store(tmp_path / "store"))
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.show_view(StandardView.ANTERIOR)
    return window


def wheel(widget, point: QPoint, notches: float) -> None:
    event = QWheelEvent(
        QPointF(point),
        QPointF(widget.mapToGlobal(point)),
        QPoint(0, 0),
        QPoint(0, round(120 * notches)),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_keyboard_focus_returns_to_the_view_after_the_pin_dialog(window, qtbot):
    window.sessions.start_for_client_name("Ada Example")
    notes = window.notes_panel.findChild(QLineEdit) or window.notes_panel
    notes.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not window.viewer.interactor)
    pin = Pin(SurfacePoint(np.zeros(3), 0), "pain")

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PinDialog)
        dialog.reject()

    QTimer.singleShot(50, answer)
    assert PinDialog.edit(window, pin, window.document.session.tags) is None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.viewer.interactor)


def test_the_wheel_zooms_toward_the_point_under_the_pointer(window, qtbot):
    widget, scene = window.viewer.interactor, window.viewer.scene
    before = scene.current_camera()
    point = centre_offset(widget, 0.25, -0.2)  # up and to the right of the middle, on the body
    hit = window.viewer.pick_at(QPointF(point))
    assert hit is not None
    wheel(widget, point, 2)
    after = scene.current_camera()
    distance = np.linalg.norm(before.position - before.focal_point)
    assert np.linalg.norm(after.position - after.focal_point) < distance / 1.6  # two notches
    # The focal point moved toward the picked point, and that point stays under the pointer.
    assert np.linalg.norm(after.focal_point - hit.point) < np.linalg.norm(
        before.focal_point - hit.point
    )
    x, y = scene.world_to_display(hit.point)[0]
    ratio = widget.devicePixelRatioF()
    assert abs(x - point.x() * ratio) < 2 and abs(y - point.y() * ratio) < 2
    wheel(widget, point, -2)
    back = scene.current_camera()
    np.testing.assert_allclose(back.position, before.position, atol=1e-9)


def test_the_readout_follows_a_camera_change_under_a_still_pointer(window, qtbot):
    widget = window.viewer.interactor
    from gui_support import send_mouse
    from PyQt6.QtCore import QEvent

    send_mouse(widget, QEvent.Type.MouseMove, centre_offset(widget, 0.3))
    assert window.region_readout.startswith("Left side")  # the subject's left is on the right
    window.show_view(StandardView.POSTERIOR)  # now the subject's right is there
    qtbot.waitUntil(lambda: window.region_readout.startswith("Right side"))


def test_quitting_an_untouched_new_session_asks_nothing(window, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args))
    window.sessions.start_for_client_name("Ada Example")
    assert window.document is not None
    assert window.sessions.close_session()
    assert asked == []


def test_the_brush_radius_and_intensity_are_remembered(qtbot, tmp_path):
    body = sphere_body()
    first = MainWindow(body, reference=body)
    qtbot.addWidget(first)
    first.controller.set_settings(radius=0.035, intensity=8)
    first.close()
    second = MainWindow(body, reference=body)
    qtbot.addWidget(second)
    assert second.controller.settings.radius == pytest.approx(0.035)
    assert second.controller.settings.intensity == 8
    assert second.brush_panel.radius.value() == pytest.approx(35)


def test_a_pin_shows_its_tag_and_note_on_hover(window):
    from bodymap.ui.marker_tooltips import marker_text

    window.sessions.start_for_client_name("Ada Example")
    pin = Pin(SurfacePoint(np.zeros(3), 0), "pain", note="Sharp   when\nbreathing in")
    window.document.session.pins[pin.id] = pin
    assert marker_text(window.controller, pin.id) == "Pain\nSharp when breathing in"


def test_the_help_menu_opens_its_windows(window, qtbot):
    from bodymap.ui.about_dialog import AboutDialog
    from bodymap.ui.shortcuts_sheet import ShortcutsSheet

    titles = [a.text().replace("&", "") for a in window.help_menu.menu.actions() if a.text()]
    assert titles[:2] == ["Keyboard shortcuts", "First steps"] and "About BodyMap" in titles
    window.help_menu.shortcuts_action.trigger()
    sheet = window.findChild(ShortcutsSheet)
    assert sheet is not None and sheet.isVisible()
    rows = sheet.visible_rows()
    assert ("V", "Vector of force", "Tools") in rows  # from the real action
    assert any(keys == "Wheel" for keys, _does, _menu in rows)  # the mouse gestures
    sheet.search.setText("posterior")
    assert [row[:2] for row in sheet.visible_rows()] == [("2", "Posterior")]
    sheet.close()
    window.help_menu.about_action.trigger()
    about = window.findChild(AboutDialog)
    assert about is not None and about.isVisible()
    text = about.text.toPlainText()
    assert "BodyMap 0." in text and "CC0" in text and "MakeHuman" in text
    assert str(window.sessions.store.root) in text and "GPL" in text
    about.close()


def test_the_first_steps_panel_ticks_off_and_stays_dismissed(window, qtbot):
    from bodymap.ui.first_run_guide import FirstRunGuide, guide_finished

    guide = window.help_menu.guide
    assert guide.isVisible() and not guide_finished()
    window.sessions.start_for_client_name("Ada Example")
    assert guide.done == {"client"}
    guide.dismiss()
    assert not guide.isVisible() and guide_finished()
    holder = QWidget()
    assert not FirstRunGuide(holder).isVisibleTo(holder)  # remembered for the next run
    holder.deleteLater()
    window.help_menu.guide_action.trigger()
    assert guide.isVisible() and not guide_finished()


def test_the_window_and_the_view_follow_a_dark_system_scheme(window, qtbot, monkeypatch):
    from PyQt6.QtGui import QGuiApplication

    from bodymap.ui import color_scheme, viewer

    app = QApplication.instance()
    palette, style = app.palette(), app.style().name()
    light_corner = window.screenshot()[2, 2].astype(int).sum()
    connection = color_scheme.follow_color_scheme(app)
    for module in (color_scheme, viewer):
        monkeypatch.setattr(module, "is_dark", lambda: True)
    try:
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert app.palette().window().color().lightness() < 80
        dark_corner = window.screenshot()[2, 2].astype(int).sum()
        assert dark_corner < light_corner / 2
    finally:
        QGuiApplication.styleHints().colorSchemeChanged.disconnect(connection)
        app.setStyle(style)
        app.setPalette(palette)


def test_the_session_time_is_set_afterwards_as_one_undo_step(window, qtbot):
    from datetime import UTC, datetime

    from bodymap.ui.session_time import SessionTimeDialog

    window.sessions.start_for_client_name("Ada Example")
    session = window.document.session
    real = session.started
    earlier = datetime(2026, 11, 3, 16, 30, tzinfo=UTC)
    action = window.session_time_action
    assert action.isEnabled()
    action._ask = lambda started: earlier
    action.trigger()
    assert session.started == earlier and window.sessions.dirty
    assert window.undo_action.text().endswith("set the session's date and time")
    window.undo_stack.undo()
    assert session.started == real
    window.undo_stack.redo()
    window.sessions.save().result()
    qtbot.waitUntil(lambda: not window.sessions.dirty)
    assert window.sessions.store.load(session.id).started == earlier
    dialog = SessionTimeDialog(earlier, window)  # local time in the editor, UTC out
    assert dialog.started() == earlier
    dialog.deleteLater()


def test_the_readout_names_the_region_under_the_pointer_after_a_stroke(window, qtbot):
    from gui_support import drag

    window.sessions.start_for_client_name("Ada Example")
    widget = window.viewer.interactor
    drag(widget, centre_offset(widget, -0.3), centre_offset(widget, 0.3))
    assert len(window.document.session.strokes) == 1
    qtbot.waitUntil(lambda: window.region_readout.startswith("Left side"))


def test_the_readout_comes_back_when_the_pointer_reenters_the_view(window, qtbot):
    from PyQt6.QtCore import QEvent
    from PyQt6.QtGui import QEnterEvent

    widget = window.viewer.interactor
    QApplication.sendEvent(widget, QEvent(QEvent.Type.Leave))
    assert window.region_readout == "—"
    point = QPointF(centre_offset(widget, 0.3))
    QApplication.sendEvent(widget, QEnterEvent(point, point, QPointF(widget.mapToGlobal(point))))
    qtbot.waitUntil(lambda: window.region_readout.startswith("Left side"))


def test_the_sample_client_opens_in_any_store(window, qtbot):
    from bodymap.store.sample import SAMPLE_CLIENT_ID

    store = window.sessions.store
    assert store.clients() == []  # a fresh store, not the checkout's
    window.help_menu.sample_action.trigger()
    assert window.document is not None
    assert window.document.session.client_id == SAMPLE_CLIENT_ID
    assert len(store.sessions(SAMPLE_CLIENT_ID)) == 5
    assert store.verify().ok
    assert window.sessions.close_session()
    window.help_menu.sample_action.trigger()  # again: the records already there are kept
    assert len(store.sessions(SAMPLE_CLIENT_ID)) == 5
