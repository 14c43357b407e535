"""A frame of the 3D view is one VTK render: the widget's paint draws it, and nothing after it
draws the same frame again (pyvistaqt's widget renders in every paint)."""

from __future__ import annotations

import pytest
import pyvista as pv
from gui_support import LEFT, NO_BUTTON, centre_offset, send_mouse, window_with_session
from PyQt6.QtCore import QEvent

from bodymap.core.colors import SKIN_RGBA
from bodymap.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

SETTLE_MS = 60
"""Long enough for any paint a frame schedules to run (they are queued at once)."""


@pytest.fixture
def window(qtbot):
    window = window_with_session(qtbot, (960, 640), SETTLE_MS)
    yield window
    assert len(pv.plotting._ALL_PLOTTERS) <= 1


def frame_renders(viewer, qtbot, act) -> int:
    """How many VTK renders ``act`` and the frame it asks for cost, once all is drawn."""
    renders: list[int] = []
    window = viewer.interactor.render_window
    observer = window.AddObserver("EndEvent", lambda *_: renders.append(1))
    try:
        act()
        qtbot.waitUntil(lambda: not viewer.render_pending)
        qtbot.wait(SETTLE_MS)
    finally:
        window.RemoveObserver(observer)
    return len(renders)


def test_a_requested_frame_is_rendered_once(window: MainWindow, qtbot):
    viewer = window.viewer
    for _ in range(3):
        assert frame_renders(viewer, qtbot, viewer.request_render) == 1


def test_redrawing_now_renders_once(window: MainWindow, qtbot):
    assert frame_renders(window.viewer, qtbot, window.viewer.redraw) == 1


def test_a_dab_and_its_frame_are_one_render_showing_the_paint(window: MainWindow, qtbot):
    viewer, widget = window.viewer, window.viewer.interactor
    start, end = centre_offset(widget, -0.1), centre_offset(widget, 0.1)
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    qtbot.waitUntil(lambda: not viewer.render_pending)
    qtbot.wait(SETTLE_MS)
    scene = viewer.scene
    drawn: list[bool] = []
    painted = window.document.session.overlays.layer("restriction")

    def on_render(*_):  # the render draws the colours the dab wrote
        drawn.append(bool((scene.colors[painted > 0] != SKIN_RGBA).any(axis=1).all()))

    observer = widget.render_window.AddObserver("StartEvent", on_render)

    def dab():
        send_mouse(widget, QEvent.Type.MouseMove, end, NO_BUTTON, LEFT)
        nonlocal painted
        painted = window.document.session.overlays.layer("restriction").copy()

    try:
        assert frame_renders(viewer, qtbot, dab) == 1
    finally:
        widget.render_window.RemoveObserver(observer)
    assert drawn == [True] and painted.any()
    send_mouse(widget, QEvent.Type.MouseButtonRelease, end, LEFT, NO_BUTTON)
