"""File > Export: the export actions of the main window, over :mod:`bodymap.export`.

Session exports (images, the PDF report, data, 3D) run on the GUI thread behind a busy
cursor: they take a second or two and render with VTK, which belongs to this thread. The
store is only touched through the session manager's worker (libhdf5 is not thread-safe):
the amendments and file hash are read there, and the audit-log entry each export makes is
written there. A client's whole record runs on the worker itself, with a progress dialog
that can cancel it (nothing is written then).

File names offered by default are opaque (ids and a date), never a client's name; the last
folder used is remembered for this run only, never in the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PyQt6.QtCore import QObject, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QGuiApplication
from PyQt6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from bodymap.core.document import SessionDocument
from bodymap.core.session import Client
from bodymap.export.errors import ExportCancelled, ExportError
from bodymap.export.source import SessionSource
from bodymap.store import Store, StoreError, StoreWorker
from bodymap.ui.export_dialogs import ProgressRelay, ReportDialog, ViewsDialog, run_with_progress

__all__ = [
    "ExportActions",
    "ExportHost",
    "ProgressRelay",
    "ReportDialog",
    "StoreAccess",
    "ViewsDialog",
    "run_with_progress",
]


class StoreAccess(Protocol):
    """What exports need of the session manager: the store, through its worker."""

    store: Store
    client: Client | None
    dirty: bool
    worker: StoreWorker

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a store call on the worker and wait for it."""


class ExportHost(Protocol):
    """What exports need of the window: the open session and the store's side of the app."""

    @property
    def document(self) -> SessionDocument | None:
        """The open session, or ``None``."""

    @property
    def sessions(self) -> StoreAccess | None:
        """``None`` when the app runs without a store."""


class ExportActions(QObject):
    """The export actions over ``host`` and the menu that holds them.

    Parameters
    ----------
    host : ExportHost
        The open session and the store access.
    parent : QWidget, optional
        Parent of the actions and of the dialogs; by default ``host`` if it is a widget.

    Signals
    -------
    message(str): a short message for the status bar ("Exported 4 file(s) to …").

    Use ``window.menuBar()...addMenu(actions.menu(parent))``.
    """

    message = pyqtSignal(str)

    def __init__(self, host: ExportHost, parent: QWidget | None = None) -> None:
        if parent is None and isinstance(host, QWidget):
            parent = host
        super().__init__(parent)
        self._host = host
        self._parent = parent
        self.folder: Path | None = None
        self.views_action = self._action("&Views as PNG…", self.export_views)
        self.sheet_action = self._action("&Sheet of four views (PNG)…", self.export_sheet)
        self.report_action = self._action("Session &report (PDF)…", self.export_report)
        self.csv_action = self._action("Findings as &CSV…", self.export_csv)
        self.stats_action = self._action("Findings as JSO&N…", self.export_stats_json)
        self.json_action = self._action("Session record (&JSON)…", self.export_json)
        self.ply_action = self._action("Painted body (&PLY)…", lambda: self.export_model("ply"))
        self.glb_action = self._action("Painted body (&GLB)…", lambda: self.export_model("glb"))
        self.client_action = self._action("&Client's whole record (JSON)…", self.export_client)
        self.session_actions = [
            self.views_action,
            self.sheet_action,
            self.report_action,
            self.csv_action,
            self.stats_action,
            self.json_action,
            self.ply_action,
            self.glb_action,
        ]

    def _action(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def menu(self, parent: QWidget | None = None) -> QMenu:
        """An "Export" menu with every action, enabled for what is open."""
        menu = QMenu("&Export", parent)
        for index, action in enumerate(self.session_actions):
            if index in (2, 3, 6):
                menu.addSeparator()
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.client_action)
        menu.aboutToShow.connect(self.update_enabled)
        self.update_enabled()
        return menu

    def update_enabled(self) -> None:
        has_session = self._host.document is not None
        for action in self.session_actions:
            action.setEnabled(has_session)
        self.client_action.setEnabled(self._client_id() is not None)

    # -- what an export is made from -------------------------------------------------------
    def source(self) -> SessionSource:
        """The open session with its client, amendments, saved file's hash and the log."""
        doc, sessions = self._host.document, self._host.sessions
        if sessions is None:
            return SessionSource(doc.session, doc.mesh, doc.atlas)
        amendments, sha = (), None
        try:
            amendments = tuple(sessions.call(_amendments, sessions.store, doc.session.id))
            if not sessions.dirty:
                sha = sessions.call(_saved_sha256, sessions.store, doc.session.id)
        except StoreError:
            pass  # never saved: no file, no amendments
        return SessionSource(
            doc.session,
            doc.mesh,
            doc.atlas,
            client=sessions.client,
            amendments=amendments,
            file_sha256=sha,
            store=_WorkerLog(sessions),
        )

    def _client_id(self) -> str | None:
        sessions = self._host.sessions
        if sessions is None:
            return None
        if sessions.client is not None:
            return sessions.client.id
        doc = self._host.document
        return doc.session.client_id if doc is not None else None

    # -- the actions ------------------------------------------------------------------------
    def export_views(self) -> list[Path] | None:
        from bodymap.export.images import write_view_pngs

        choice = ViewsDialog.ask(self._parent)
        if choice is None:
            return None
        views, size, sheet = choice
        folder = QFileDialog.getExistingDirectory(
            self._parent, "Export views into folder", str(self._start_folder())
        )
        if not folder:
            return None
        self.folder = Path(folder)
        return self._run(lambda: write_view_pngs(self.source(), Path(folder), views, size, sheet))

    def export_sheet(self) -> Path | None:
        from bodymap.export.images import write_sheet_png

        target = self._ask_target("Export a sheet of four views", "sheet", "png", "PNG image")
        return target and self._run(lambda: write_sheet_png(self.source(), target))

    def export_report(self) -> Path | None:
        from bodymap.export.session_report import write_session_pdf

        choice = ReportDialog.ask(self._parent)
        if choice is None:
            return None
        page, emotional = choice
        kind = "report" if emotional else "report-shared"
        target = self._ask_target("Export the session report", kind, "pdf", "PDF document")
        if target is None:
            return None
        return self._run(lambda: write_session_pdf(self.source(), target, page, emotional))

    def export_csv(self) -> Path | None:
        from bodymap.export.data import write_findings_csv

        target = self._ask_target("Export the findings", "findings", "csv", "CSV table")
        return target and self._run(lambda: write_findings_csv(self.source(), target))

    def export_stats_json(self) -> Path | None:
        from bodymap.export.data import write_findings_json

        target = self._ask_target("Export the findings", "findings", "json", "JSON")
        return target and self._run(lambda: write_findings_json(self.source(), target))

    def export_json(self) -> Path | None:
        from bodymap.export.data import write_session_json

        target = self._ask_target("Export the session record", "session", "json", "JSON")
        return target and self._run(lambda: write_session_json(self.source(), target))

    def export_model(self, file_type: str) -> Path | None:
        from bodymap.export.data import write_model

        name = f"{file_type.upper()} model"
        target = self._ask_target("Export the painted body", "body", file_type, name)
        return target and self._run(lambda: write_model(self.source(), target, file_type))

    def export_client(self) -> Path | None:
        """The client's whole record, on the store worker, with progress and Cancel."""
        from bodymap.export.client_record import default_client_filename, export_client_json

        sessions = self._host.sessions
        client_id = self._client_id()
        default = self._start_folder() / default_client_filename(client_id)
        name, _ = QFileDialog.getSaveFileName(
            self._parent, "Export the client's whole record", str(default), "JSON (*.json)"
        )
        if not name:
            return None
        target = Path(name)
        self.folder = target.parent

        def job(progress):
            return export_client_json(sessions.store, client_id, target, progress)

        try:
            path = run_with_progress(self._parent, "Exporting the record…", job, sessions.worker)
        except ExportCancelled as cancelled:
            self._message(str(cancelled).capitalize())
            return None
        except (ExportError, StoreError) as error:
            QMessageBox.warning(self._parent, "Export failed", str(error))
            return None
        self._message(f"Exported to {path}")
        return path

    # -- helpers ----------------------------------------------------------------------------
    def _start_folder(self) -> Path:
        return self.folder or Path.home()

    def _ask_target(self, title: str, kind: str, suffix: str, label: str) -> Path | None:
        from bodymap.export.naming import session_filename

        session = self._host.document.session
        default = self._start_folder() / session_filename(session, kind, suffix)
        name, _ = QFileDialog.getSaveFileName(
            self._parent, title, str(default), f"{label} (*.{suffix})"
        )
        if not name:
            return None
        target = Path(name)
        if target.suffix.lower() != f".{suffix}":
            target = target.with_name(target.name + f".{suffix}")
        self.folder = target.parent
        return target

    def _run(self, export: Callable[[], object]):
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = export()
        except (ExportError, StoreError, ValueError, OSError) as error:
            QGuiApplication.restoreOverrideCursor()
            QMessageBox.warning(self._parent, "Export failed", str(error))
            return None
        QGuiApplication.restoreOverrideCursor()
        paths = result if isinstance(result, list) else [result]
        where = paths[0].parent if len(paths) > 1 else paths[0]
        self._message(f"Exported {len(paths)} file(s) to {where}")
        return result

    def _message(self, text: str) -> None:
        self.message.emit(text)


class _WorkerLog:
    """Stands in for the store in a SessionSource: audit entries go through the worker."""

    def __init__(self, sessions: StoreAccess) -> None:
        self._sessions = sessions

    def log(self, *args, **kwargs):
        return self._sessions.call(self._sessions.store.log, *args, **kwargs)


def _amendments(store, session_id: str) -> list:
    return store.amendments(session_id)


def _saved_sha256(store, session_id: str) -> str:
    return store.content_sha256(session_id)
