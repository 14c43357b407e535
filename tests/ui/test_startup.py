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


def modules_loaded_by_start(prefixes: tuple[str, ...]) -> list[str]:
    """The modules of ``prefixes`` (each with its submodules) that a fresh process has
    loaded after importing what the app's start imports and loading the default body."""
    code = (
        "import sys, bodymap.ui.app, bodymap.ui.main_window, bodymap.cli; "
        "from bodymap.io.body_loading import default_body; default_body(); "
        f"print('\\n'.join(m for m in sys.modules for p in {prefixes!r}"
        " if m == p or m.startswith(p + '.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout.split()


def test_the_comparison_is_imported_when_first_opened() -> None:
    assert (
        modules_loaded_by_start(("bodymap.ui.compare_window", "bodymap.export.compare_report"))
        == []
    )


def test_scipy_is_imported_when_the_brush_or_a_fitting_first_needs_it() -> None:
    """scipy's sparse, graph and spatial modules cost about 0.2 s of start-up: the window
    shows the body without them (the brush's geometry is built after the first frame)."""
    assert modules_loaded_by_start(("scipy",)) == []
