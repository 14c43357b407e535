"""The Help menu: keyboard shortcuts (F1), the first steps, the sample client, About.

The shortcuts sheet and About are non-modal windows, opened once and raised again; the
first-run guide is a panel above the 3D view (:mod:`~bodymap.ui.first_run_guide`), ticked
by what the practitioner does in the window. *Open the sample client* imports the invented
sample records into whichever store is open (:func:`bodymap.store.sample.import_sample`,
which keeps any sample file already there whole) and opens its latest visit.
"""

from __future__ import annotations

from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QDialog, QMainWindow, QMessageBox

from bodymap.core.edits import StrokeEdit
from bodymap.io.body_loading import LOAD_ERRORS, default_body
from bodymap.store import StoreError
from bodymap.store.sample import import_sample
from bodymap.ui.about_dialog import AboutDialog
from bodymap.ui.first_run_guide import FirstRunGuide
from bodymap.ui.shortcuts_sheet import ShortcutsSheet
from bodymap.ui.undo import EditCommand


class HelpMenu:
    """Builds the Help menu of ``window`` (a :class:`~bodymap.ui.main_window.MainWindow`)
    and the first-run guide above its view.

    Attributes
    ----------
    shortcuts_action, guide_action, sample_action, about_action : QAction
    guide : FirstRunGuide
    """

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self._windows: dict[str, QDialog] = {}
        self.shortcuts_action = QAction("&Keyboard shortcuts", window)
        self.shortcuts_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.shortcuts_action.setToolTip("Every key and mouse gesture, searchable (F1)")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.guide_action = QAction("&First steps", window)
        self.guide_action.setToolTip("Show the three first steps above the body again")
        self.sample_action = QAction("Open the &sample client", window)
        self.sample_action.setToolTip(
            "Add the invented sample client (five visits) to this store and open its last visit"
        )
        self.sample_action.triggered.connect(self.open_sample)
        self.sample_action.setEnabled(window.sessions is not None)
        self.about_action = QAction("&About BodyMap", window)
        self.about_action.triggered.connect(self.show_about)
        self.guide = FirstRunGuide(window.viewer)
        window.viewer.add_banner(self.guide)
        self.guide_action.triggered.connect(self.guide.show_again)
        menu = window.menuBar().addMenu("&Help")
        menu.addAction(self.shortcuts_action)
        menu.addAction(self.guide_action)
        menu.addAction(self.sample_action)
        menu.addSeparator()
        menu.addAction(self.about_action)
        self.menu = menu
        self._follow_the_steps()

    def show_shortcuts(self) -> QDialog:
        """Open (or raise) the keyboard shortcuts sheet, built from the actions as they are."""
        return self._show("shortcuts", lambda: ShortcutsSheet(self._window))

    def show_about(self) -> QDialog:
        """Open (or raise) the About window."""
        sessions = self._window.sessions
        folder = sessions.store.root if sessions is not None else None
        return self._show("about", lambda: AboutDialog(folder, self._window))

    def open_sample(self) -> bool:
        """Import the sample client into the open store and open its latest visit."""
        sessions = self._window.sessions
        if sessions is None:
            return False
        try:
            imported = sessions.call(import_sample, sessions.store)
            if imported:
                self._keep_sample_body(imported[-1].mesh_hash)
        except (StoreError, OSError, *LOAD_ERRORS) as error:
            QMessageBox.warning(
                self._window, "Sample client", str(error).splitlines()[0] or repr(error)
            )
            return False
        return bool(imported) and sessions.open_saved(imported[-1].id)

    def _keep_sample_body(self, mesh_hash: str) -> None:
        """Put the default body (the sample's) in the store, so that the sample opens even
        while another body is shown."""
        sessions = self._window.sessions
        if mesh_hash == self._window.body.mesh.geometry_hash:
            return
        if not sessions.call(sessions.store.has_mesh, mesh_hash):
            body = default_body()
            if body.mesh.geometry_hash == mesh_hash:
                sessions.call(sessions.store.put_mesh, body.mesh, body.atlas)

    def _show(self, key: str, build) -> QDialog:
        dialog = self._windows.get(key)
        if dialog is None:
            dialog = build()
            self._windows[key] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _follow_the_steps(self) -> None:
        """Tick the guide's steps as they are done in the window."""
        window, guide = self._window, self.guide
        stack = window.undo_stack

        def edited(index: int) -> None:
            command = stack.command(index - 1) if index > 0 else None
            if isinstance(command, EditCommand) and isinstance(command.edit, StrokeEdit):
                guide.mark_done("paint")

        stack.indexChanged.connect(edited)
        sessions = window.sessions
        if sessions is None:
            return
        sessions.session_changed.connect(
            lambda document: document is not None and guide.mark_done("client")
        )
        sessions.status.connect(lambda text: text == "Saved." and guide.mark_done("save"))
