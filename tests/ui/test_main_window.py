"""The real main window under Xvfb: drawing, standard views, hover readout, opening meshes."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import pyvista as pv
from gui_support import BANDS, REGIONS, sphere_body
from PyQt6.QtCore import QByteArray, QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QMouseEvent, QWheelEvent
from PyQt6.QtWidgets import QApplication, QFileDialog, QMessageBox

from bodymap.core.atlas import Atlas
from bodymap.core.mesh import BodyMesh
from bodymap.core.views import StandardView
from bodymap.io.body_loading import Body
from bodymap.ui import app as app_module
from bodymap.ui import main_window
from bodymap.ui.main_window import OFF_BODY_TEXT, MainWindow
from bodymap.ui.settings import app_settings

pytestmark = pytest.mark.gui

WINDOW_SIZE = (1280, 720)


@pytest.fixture(autouse=True)
def no_leaked_plotters() -> Iterator[None]:
    """Every window a test opens must be closed, with its pyvistaqt plotter, and deleted."""
    yield
    assert not pv.plotting._ALL_PLOTTERS, "a test left a plotter open"  # pyvista's registry
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    assert not windows, "a test left a main window alive"


def show_window(qtbot, body: Body, reference: Body | None = None) -> MainWindow:
    window = MainWindow(body, reference=reference)
    qtbot.addWidget(window)  # pytest-qt closes (and so its plotter) and deletes it afterwards
    window.resize(*WINDOW_SIZE)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)  # let the first-show re-framing run
    return window


@pytest.fixture
def window(qtbot) -> MainWindow:
    body = sphere_body()
    return show_window(qtbot, body, reference=body)


def hover(qtbot, window: MainWindow, dx: float, dy: float) -> str:
    """Move the mouse to the interactor's centre plus (dx, dy) heights; return the readout."""
    widget = window.viewer.interactor
    height = widget.height()
    point = QPoint(round(widget.width() / 2 + dx * height), round(height / 2 + dy * height))
    qtbot.mouseMove(widget, point)
    qtbot.wait(10)
    return window.region_readout


def test_the_body_is_drawn(window: MainWindow) -> None:
    image = window.viewer.scene.screenshot()
    height, width, _ = image.shape
    background = image[3, width // 2].astype(int)
    centre = image[height // 2, width // 2].astype(int)
    assert np.abs(centre - background).sum() > 60
    assert window.windowTitle().startswith("sphere")


def test_view_actions_turn_the_camera_as_named(window: MainWindow, qtbot) -> None:
    assert set(window.view_actions) == set(StandardView)
    for view, action in window.view_actions.items():
        assert f"({view.shortcut})" in action.toolTip()
        action.trigger()
        direction = window.viewer.scene.current_camera().direction
        np.testing.assert_allclose(direction, view.direction, atol=1e-6)
    # The keyboard shortcut reaches the action with the 3D view focused.
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.viewer.interactor.setFocus()
    qtbot.keyClick(window.viewer.interactor, Qt.Key.Key_3)
    assert window.viewer.scene.view is StandardView.LEFT
    window.fit_action.trigger()
    np.testing.assert_allclose(window.viewer.scene.current_camera().direction, (1, 0, 0), atol=1e-6)


def send_mouse(widget, kind: QEvent.Type, point: QPointF, button: Qt.MouseButton) -> None:
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else button
    event = QMouseEvent(
        kind, point, widget.mapToGlobal(point), button, held, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)


def test_left_drag_turns_the_camera_and_the_wheel_zooms(window: MainWindow, qtbot) -> None:
    widget = window.viewer.interactor
    scene = window.viewer.scene
    start = QPointF(widget.width() / 2, widget.height() / 2)
    left = Qt.MouseButton.LeftButton
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, left)
    for step in range(1, 6):
        send_mouse(widget, QEvent.Type.MouseMove, start + QPointF(20 * step, 0), left)
    send_mouse(widget, QEvent.Type.MouseButtonRelease, start + QPointF(100, 0), left)
    turned = scene.current_camera().direction
    assert turned[0] < -0.2  # dragging right turns the body: the camera swings to -x
    distance = np.linalg.norm(scene.current_camera().position)
    for _ in range(3):
        QApplication.sendEvent(
            widget,
            QWheelEvent(
                start,
                widget.mapToGlobal(start),
                QPoint(0, 0),
                QPoint(0, 120),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            ),
        )
    assert np.linalg.norm(scene.current_camera().position) < distance


def test_vtk_and_pyvista_keys_are_switched_off(window: MainWindow, qtbot) -> None:
    interactor = window.viewer.interactor
    before = window.viewer.scene.current_camera().position
    for key in "wvrCq":  # wireframe, isometric view, reset camera, cell picking, quit
        qtbot.keyClick(interactor, key)
    assert interactor.renderer.actors["body"].prop.style == "Surface"
    np.testing.assert_allclose(window.viewer.scene.current_camera().position, before)
    assert window.isVisible()
    assert window.viewer.scene.pick(*(s // 2 for s in window.viewer.scene.window_size()))


def test_hovering_names_the_region_under_the_pointer(window: MainWindow, qtbot) -> None:
    window.view_actions[StandardView.ANTERIOR].trigger()
    # Anterior view: the subject's left (+x) is on the viewer's right.
    assert hover(qtbot, window, 0.2, 0.0) == "Left side · Equator diaphragm"
    assert hover(qtbot, window, -0.2, 0.0) == "Right side · Equator diaphragm"
    assert hover(qtbot, window, 0.0, -0.3) == "Middle"
    assert hover(qtbot, window, 0.0, 0.49) == OFF_BODY_TEXT
    window.view_actions[StandardView.POSTERIOR].trigger()
    assert hover(qtbot, window, 0.2, 0.0) == "Right side · Equator diaphragm"


def test_a_bad_mesh_file_is_reported_and_the_body_kept(
    window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    bad = tmp_path / "broken body.obj"
    bad.write_text("this is not a mesh\nv 1 2\n", encoding="utf-8")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: (str(bad), ""))
    )
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        staticmethod(lambda parent, title, text, *args: shown.append((title, text))),
    )
    before = window.body
    window.open_action.trigger()
    assert len(shown) == 1
    title, text = shown[0]
    assert "broken body.obj" in text
    assert "keeps showing sphere" in text
    assert window.body is before
    assert window.viewer.scene.mesh is before.mesh
    assert window.windowTitle().startswith("sphere")


def test_a_mesh_without_regions_says_so(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch
) -> None:
    mesh = BodyMesh(sphere_body().mesh.vertices * 1.1, sphere_body().mesh.faces, name="cat.obj")
    unfitted = Body(
        mesh=mesh,
        atlas=Atlas.unassigned(mesh.n_vertices, REGIONS, BANDS),
        path=tmp_path / "cat.obj",
        atlas_fitted=False,
        atlas_reason="it does not look like a standing human",
    )
    monkeypatch.setattr(main_window, "open_body", lambda path, reference: unfitted)
    assert window.open_mesh(tmp_path / "cat.obj")
    assert window.windowTitle().startswith("cat.obj")
    assert window.info_text == "Regions unassigned: it does not look like a standing human"
    assert window.viewer.scene.mesh is mesh
    assert hover(qtbot, window, 0.0, 0.0) == "Unassigned region"


def test_the_window_remembers_its_geometry(qtbot) -> None:
    body = sphere_body()
    first = show_window(qtbot, body)
    first.resize(720, 540)
    qtbot.wait(10)
    first.close()
    assert isinstance(app_settings().value("main_window/geometry"), QByteArray)
    second = MainWindow(body)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (720, 540)


def test_run_app_opens_the_window_and_survives_a_bad_mesh(
    qapp, qtbot, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(app_module, "default_body", sphere_body)
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text))
    )
    seen: list[MainWindow] = []

    def exec_once(self) -> int:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                seen.append(widget)
                qtbot.addWidget(widget)
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_once)
    assert app_module.run_app(tmp_path / "missing.obj") == 0
    assert qapp.organizationName() == "BodyMap"
    assert qapp.applicationName() == "BodyMap"
    assert len(seen) == 1
    assert seen[0].body.name == "sphere"
    assert len(shown) == 1
    assert "missing.obj" in shown[0]


@pytest.mark.skipif(
    importlib.util.find_spec("bodymap.io.default_body") is None,
    reason="bodymap.io.default_body is not written yet",
)
def test_the_default_body_opens_and_names_its_regions(qtbot) -> None:
    from bodymap.io.body_loading import default_body

    body = default_body()
    window = show_window(qtbot, body, reference=body)
    image = window.viewer.scene.screenshot()
    height, width, _ = image.shape
    background = image[3, width // 2].astype(int)
    assert np.abs(image[height // 2, width // 2].astype(int) - background).sum() > 60
    # Above the middle of the body in the anterior view: the trunk, which has a region.
    text = hover(qtbot, window, 0.0, -0.15)
    assert text not in (OFF_BODY_TEXT, "Unassigned region")
    assert text.split(" · ")[0] in {region.name for region in body.atlas.regions}
