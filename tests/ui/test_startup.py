"""Start-up: the window's first frame is drawn once, framed for the window's real size, and
the comparison is not imported until it is opened."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyvistaqt
from gui_support import sphere_body

from bodymap.core.views import StandardView
from bodymap.ui.main_window import MainWindow


def test_showing_the_window_draws_the_3d_view_once(qtbot, monkeypatch) -> None:
    paints: list[tuple[int, int]] = []
    paint = pyvistaqt.QtInteractor.paintGL

    def counted(interactor) -> None:
        paints.append(tuple(interactor.render_window.GetSize()))
        paint(interactor)

    monkeypatch.setattr(pyvistaqt.QtInteractor, "paintGL", counted)
    body = sphere_body()
    window = MainWindow(body, reference=body)
    qtbot.addWidget(window)
    window.resize(900, 700)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the re-framing after the show, and any frame it asks for
    assert len(paints) == 1, paints
    size = window.viewer.scene.window_size()
    assert paints == [size]
    shown = window.current_camera()
    window.viewer.scene.set_view(StandardView.ANTERIOR)  # framed for the size it has now
    framed = window.current_camera()
    np.testing.assert_allclose(shown.position, framed.position)
    assert shown.parallel_scale == framed.parallel_scale


def test_the_comparison_is_imported_when_first_opened() -> None:
    code = (
        "import sys, bodymap.ui.app; "
        "print(sorted(m for m in ('bodymap.ui.compare_window', 'bodymap.export.compare_report')"
        " if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def test_scipy_is_imported_when_the_brush_or_a_fitting_first_needs_it() -> None:
    """scipy's sparse, graph and spatial modules cost about 0.2 s of start-up: the window
    shows the body without them (the brush's geometry is built after the first frame)."""
    code = (
        "import sys, bodymap.ui.app, bodymap.ui.main_window, bodymap.cli; "
        "from bodymap.io.body_loading import default_body; default_body(); "
        "print(sorted(m for m in sys.modules if m.startswith('scipy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
