"""The BodyMap main window: the 3D body, the tools, the session's panels.

The window stays thin: it lays out the view, the docks and the menus, and hands the open
session (a :class:`~bodymap.core.document.SessionDocument`) to each part. Painting goes
through :class:`~bodymap.ui.paint_controller.PaintController`; it never touches VTK objects
itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PyQt6.QtCore import QByteArray, Qt, QTimer
from PyQt6.QtGui import QAction, QCloseEvent, QShowEvent, QUndoStack
from PyQt6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from bodymap.core.document import SessionDocument
from bodymap.core.views import Camera, StandardView
from bodymap.io.body_loading import LOAD_ERRORS, MESH_FILE_FILTER, Body, open_body
from bodymap.render.scene import PickHit
from bodymap.store import Store
from bodymap.ui.compare_windows import CompareWindows
from bodymap.ui.focus_return import return_focus_to
from bodymap.ui.help_menu import HelpMenu
from bodymap.ui.marker_tooltips import MarkerToolTips
from bodymap.ui.paint_controller import PaintController
from bodymap.ui.pin_dialog import PinDialog
from bodymap.ui.region_readout import RegionReadout
from bodymap.ui.session_manager import SessionManager
from bodymap.ui.session_panels import SessionPanels
from bodymap.ui.settings import app_settings
from bodymap.ui.viewer import BodyViewer
from bodymap.ui.voice_control import VoiceControl
from bodymap.ui.window_menus import build_actions, build_menus_and_toolbar

if TYPE_CHECKING:  # the comparison (reports, plots, replays) is imported when first opened
    from bodymap.ui.compare_window import CompareWindow

OFF_BODY_TEXT = "—"
NO_SESSION_TEXT = "No session open: File › Clients and sessions (Ctrl+N) to start one."
DEFAULT_SIZE = (1280, 860)


@contextmanager
def _busy_cursor() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def _same_camera(a: Camera, b: Camera) -> bool:
    return all(
        np.array_equal(getattr(a, name), getattr(b, name))
        for name in ("position", "focal_point", "up", "view_angle", "parallel_scale")
    )


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
        self,
        body: Body,
        reference: Body | None = None,
        store: Store | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._body = body
        self._reference = reference
        self._reframe_pending = True
        self._document: SessionDocument | None = None
        self._session_title = ""
        self.viewer = BodyViewer(self)
        self.setCentralWidget(self.viewer)
        self.undo_stack = QUndoStack(self)
        self.controller = PaintController(
            self.viewer, self.undo_stack, lambda pin, tags: PinDialog.edit(self, pin, tags), self
        )
        self.voice = VoiceControl(
            self,
            self.undo_stack,
            lambda: self.document,
            view=self.viewer.interactor,
            selected_pin=lambda: self.controller.selected,
        )
        self.voice.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.view_actions: dict[StandardView, QAction] = {}
        self.sessions = SessionManager(self, store, self) if store is not None else None
        self._build_actions()
        if self.sessions is not None:
            self.sessions.update_actions()
        self._build_docks()
        self._build_menus_and_toolbar()
        self.voice.show_availability(self.menuBar())
        self.help_menu = HelpMenu(self)
        self._info = QLabel()
        self._readout = RegionReadout(OFF_BODY_TEXT)
        self.statusBar().addWidget(self._info, 1)
        self.statusBar().addPermanentWidget(self._readout)
        self.viewer.hovered.connect(self._show_hit)
        return_focus_to(self.viewer.interactor)
        self._marker_tips = MarkerToolTips(self.viewer.interactor, self.controller)
        self.controller.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
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

    @property
    def document(self) -> SessionDocument | None:
        """The open session, or ``None`` when only the body is shown."""
        return self._document

    def set_document(self, document: SessionDocument | None, title: str = "") -> None:
        """Open ``document`` in every panel (``None`` closes the session); undo starts afresh.

        The document must be on the body shown (see :meth:`set_body`).
        """
        if document is not None and document.mesh is not self._body.mesh:
            raise ValueError("the session's body is not the body shown")
        self.flush_edits()
        self.undo_stack.clear()
        self._document = document
        self.controller.set_document(document)
        for panel in self._session_panels():
            panel.set_document(document)
        self.set_session_title(title)
        self._refresh_info()
        if self.sessions is not None:
            session = document.session if document is not None else None
            self.amendments_panel.set_session(
                self.sessions.store,
                session.id if session else None,
                bool(session and session.finalised),
            )

    def flush_edits(self) -> None:
        """Put what the notes and rhythm panels hold (typing in progress) into the session."""
        for panel in (self.notes_panel, self.rhythm_panel):
            if panel.document is not None:
                panel.flush()

    def clear_undo(self) -> None:
        self.undo_stack.clear()

    def current_camera(self) -> Camera:
        return self.viewer.scene.current_camera()

    def apply_camera(self, camera: Camera) -> None:
        """Turn the view to ``camera`` and draw it."""
        self.viewer.scene.apply_camera(camera)
        self.viewer.redraw()

    def screenshot(self) -> np.ndarray:
        """The 3D view's pixels, (H, W, 3) uint8."""
        return self.viewer.scene.screenshot()

    def _refresh_info(self) -> None:
        """The lasting status note: read-only session, unassigned regions, or how to start."""
        document = self._document
        if document is not None and not document.editable:
            text = "Finalised: read-only. Corrections go in amendments."
        elif not self._body.atlas_fitted:
            text = f"Regions unassigned: {self._body.atlas_reason}"
        elif document is None and self.sessions is not None:
            text = NO_SESSION_TEXT
        else:
            text = ""
        self._info.setText(text)

    def set_session_title(self, title: str) -> None:
        """Name the open session in the window title (e.g. client and date)."""
        self._session_title = title
        self._update_title()

    def set_body(self, body: Body) -> None:
        """Show another body, from the anterior view (closes any open session)."""
        if self._document is not None:
            self.set_document(None)
        self._body = body
        self.viewer.scene.set_mesh(body.mesh)
        self._update_title()
        self._readout.show_name(OFF_BODY_TEXT)
        self._refresh_info()
        if body.notes:
            self.statusBar().showMessage("; ".join(body.notes), 10_000)
        # Requested, not drawn now: the session opened next on this body shares the frame.
        self.viewer.request_render()

    def show_view(self, view: StandardView) -> None:
        """Turn the camera to a standard view."""
        self.viewer.scene.set_view(view)
        self.viewer.redraw()

    def fit_view(self) -> None:
        """Frame the whole body, keeping the direction the camera looks in."""
        self.viewer.scene.fit_view()
        self.viewer.redraw()

    def compare_visits(self) -> CompareWindow | None:
        """Open the comparison of the open session's client's visits."""
        if self.sessions is None:
            return None
        return self.compare_windows.show(self.sessions, self._reference or self._body)

    def _open_from_comparison(self, session_id: str) -> None:
        if self.sessions is not None and self.sessions.open_saved(session_id):
            self.raise_()
            self.activateWindow()

    def _place_event(self, event_id: str) -> None:
        self.controller.pick_location(lambda at: self.events_panel.set_event_location(event_id, at))

    def choose_session(self) -> None:
        """Find or add a client, then start a new session or open a saved one."""
        if self.sessions is None:
            return
        from bodymap.ui.client_browser import ClientBrowser

        client = self.sessions.client.id if self.sessions.client is not None else None
        choice = ClientBrowser.choose(
            self, self.sessions.store, self._body.mesh.geometry_hash, current_client=client
        )
        if choice is None:
            return
        if choice.action == "new":
            self.sessions.start_new(choice.client_id, choice.carry_over, choice.practitioner)
        elif choice.session_id is not None:
            self.sessions.open_saved(choice.session_id)

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

    def setVisible(self, visible: bool) -> None:
        if not (visible and self._reframe_pending):
            super().setVisible(visible)
            return
        # Showing resizes the 3D view, and an OpenGL widget draws on every resize: a frame
        # the window is not yet exposed to show, at 0.3 to 0.5 s on software GL. Without
        # updates the exposure draws the first frame, once.
        self.viewer.interactor.setUpdatesEnabled(False)
        try:
            super().setVisible(visible)
        finally:
            self.viewer.interactor.setUpdatesEnabled(True)

    def showEvent(self, event: QShowEvent | None) -> None:
        super().showEvent(event)
        if self._reframe_pending:
            # The view was framed before the window had its real size: frame it again.
            self._reframe_pending = False
            QTimer.singleShot(0, self._reframe)

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if self.sessions is not None:
            if not self.sessions.close_session():
                event.ignore()
                return
            self.compare_windows.close_all()
            self.sessions.shutdown()
        settings = app_settings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        self.controller.close()
        self.voice.close()
        for panel in self._session_panels():
            panel.set_document(None)
        self.viewer.close_plotter()
        super().closeEvent(event)

    def _update_title(self) -> None:
        title = self._session_title if self._document is not None else ""
        self.setWindowTitle(f"{title or self._body.name} — BodyMap")

    def _session_panels(self) -> list:
        return self.panels.session_panels()

    def _build_docks(self) -> None:
        self.panels = SessionPanels(
            self, self.undo_stack, self.controller, self.sessions is not None
        )
        self.panels.tag_panel.active_tag_changed.connect(
            lambda key: self.controller.set_settings(tag=key)
        )
        self.panels.events_panel.request_location.connect(self._place_event)
        self.docks = self.panels.docks
        self.tag_panel, self.brush_panel = self.panels.tag_panel, self.panels.brush_panel
        self.notes_panel, self.rhythm_panel = self.panels.notes_panel, self.panels.rhythm_panel
        self.events_panel = self.panels.events_panel
        self.findings_panel = self.panels.findings_panel
        self.amendments_panel = self.panels.amendments_panel
        self.voice.amendments = self.amendments_panel  # a note on a finalised session

    def _reframe(self) -> None:
        view = self.viewer.scene.view
        if view is None or not self.isVisible():
            return
        before = self.current_camera()
        self.viewer.scene.set_view(view)
        if not _same_camera(before, self.current_camera()):
            self.viewer.redraw()  # the first frame was framed for another shape: draw again

    def _show_hit(self, hit: PickHit | None) -> None:
        text = OFF_BODY_TEXT if hit is None else self._body.atlas.describe(hit.vertex_id)
        self._readout.show_name(text, painting=self.controller.painting)

    def _build_actions(self) -> None:
        self.compare_windows = CompareWindows(self, self._open_from_comparison)
        build_actions(self)

    def _build_menus_and_toolbar(self) -> None:
        build_menus_and_toolbar(self)

    def _restore_settings(self) -> None:
        settings = app_settings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("main_window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
