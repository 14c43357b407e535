"""The BodyMap main window: the 3D body, the standard views, the region under the pointer.

The window stays thin: actions call :class:`~bodymap.render.scene.BodyScene` (through the
viewer) and :mod:`bodymap.io.body_loading`; it never touches VTK objects itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PyQt6.QtCore import QByteArray, QSettings, Qt, QTimer
from PyQt6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PyQt6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QWidget,
)

from bodymap.core.views import FIT_SHORTCUT, StandardView
from bodymap.io.body_loading import LOAD_ERRORS, MESH_FILE_FILTER, Body, open_body
from bodymap.render.scene import PickHit
from bodymap.ui.viewer import BodyViewer

ORGANIZATION = "BodyMap"
APPLICATION = "BodyMap"
OFF_BODY_TEXT = "—"
DEFAULT_SIZE = (1280, 860)


def app_settings() -> QSettings:
    """BodyMap's settings store (named explicitly, so it does not depend on QApplication)."""
    return QSettings(ORGANIZATION, APPLICATION)


@contextmanager
def _busy_cursor() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class MainWindow(QMainWindow):
    """The main window, showing one body.

    Parameters
    ----------
    body : Body
        What to show first.
    reference : Body, optional
        The body whose atlas is carried onto meshes opened later (the default body).
        When not given, the default body is loaded each time another mesh is opened.
    """

    def __init__(
        self, body: Body, reference: Body | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._body = body
        self._reference = reference
        self._reframe_pending = True
        self.viewer = BodyViewer(self)
        self.setCentralWidget(self.viewer)
        self.view_actions: dict[StandardView, QAction] = {}
        self._build_actions()
        self._build_menus_and_toolbar()
        self._info = QLabel()
        self._readout = QLabel(OFF_BODY_TEXT)
        self._readout.setMinimumWidth(320)
        self._readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.statusBar().addWidget(self._info, 1)
        self.statusBar().addPermanentWidget(self._readout)
        self.viewer.hovered.connect(self._show_hit)
        self.resize(*DEFAULT_SIZE)
        self._restore_settings()
        self.set_body(body)

    @property
    def body(self) -> Body:
        return self._body

    @property
    def region_readout(self) -> str:
        """The region text shown in the status bar."""
        return self._readout.text()

    @property
    def info_text(self) -> str:
        """The lasting note in the status bar (e.g. why regions are unassigned)."""
        return self._info.text()

    def set_body(self, body: Body) -> None:
        """Show another body, from the anterior view."""
        self._body = body
        self.viewer.scene.set_mesh(body.mesh)
        self.setWindowTitle(f"{body.name} — BodyMap")
        self._readout.setText(OFF_BODY_TEXT)
        if body.atlas_fitted:
            self._info.setText("")
        else:
            self._info.setText(f"Regions unassigned: {body.atlas_reason}")
        if body.notes:
            self.statusBar().showMessage("; ".join(body.notes), 10_000)
        self.viewer.redraw()

    def show_view(self, view: StandardView) -> None:
        """Turn the camera to a standard view."""
        self.viewer.scene.set_view(view)
        self.viewer.redraw()

    def fit_view(self) -> None:
        """Frame the whole body, keeping the direction the camera looks in."""
        self.viewer.scene.fit_view()
        self.viewer.redraw()

    def open_mesh_dialog(self) -> None:
        """Ask for a mesh file and open it."""
        settings = app_settings()
        start = str(settings.value("files/last_mesh_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(
            self, "Open mesh", start, f"{MESH_FILE_FILTER};;All files (*)"
        )
        if path:
            settings.setValue("files/last_mesh_dir", str(Path(path).parent))
            self.open_mesh(Path(path))

    def open_mesh(self, path: Path) -> bool:
        """Open a mesh file; on failure tell the user and keep the current body."""
        try:
            with _busy_cursor():
                body = open_body(path, self._reference)
        except LOAD_ERRORS as error:
            problem = str(error) if path.name in str(error) else f"{path.name}: {error}"
            QMessageBox.warning(
                self,
                "Cannot open mesh",
                f"{problem}\n\nBodyMap keeps showing {self._body.name}.",
            )
            return False
        self.set_body(body)
        return True

    def showEvent(self, event: QShowEvent | None) -> None:  # noqa: N802
        super().showEvent(event)
        if self._reframe_pending:
            # The view was framed before the window had its real size: frame it again.
            self._reframe_pending = False
            QTimer.singleShot(0, self._reframe)

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802
        settings = app_settings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        self.viewer.close_plotter()
        super().closeEvent(event)

    def _reframe(self) -> None:
        view = self.viewer.scene.view
        if view is not None and self.isVisible():
            self.show_view(view)

    def _show_hit(self, hit: PickHit | None) -> None:
        text = OFF_BODY_TEXT if hit is None else self._body.atlas.describe(hit.vertex_id)
        if text != self._readout.text():
            self._readout.setText(text)

    def _build_actions(self) -> None:
        self.open_action = QAction("&Open mesh…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.open_mesh_dialog)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        for view in StandardView:
            action = QAction(view.label, self)
            action.setShortcut(QKeySequence(view.shortcut))
            action.setToolTip(f"{view.label} view: {view.spec.description} ({view.shortcut})")
            action.triggered.connect(lambda _checked=False, v=view: self.show_view(v))
            self.view_actions[view] = action
        self.fit_action = QAction("Fit body", self)
        self.fit_action.setShortcut(QKeySequence(FIT_SHORTCUT))
        self.fit_action.setToolTip(
            f"Fit the whole body in the view, keeping the direction ({FIT_SHORTCUT})"
        )
        self.fit_action.triggered.connect(self.fit_view)

    def _build_menus_and_toolbar(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menu_bar.addMenu("&View")
        toolbar = QToolBar("Views", self)
        toolbar.setObjectName("views_toolbar")
        for action in self.view_actions.values():
            view_menu.addAction(action)
            toolbar.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.fit_action)
        toolbar.addSeparator()
        toolbar.addAction(self.fit_action)
        self.addToolBar(toolbar)

    def _restore_settings(self) -> None:
        settings = app_settings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("main_window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
