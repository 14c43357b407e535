"""The compare window's bar: which client, and the comparison report as a PDF or on paper.

The report is the one the command line writes (:mod:`bodymap.export.compare_report`), made
from the two visits the difference tab compares (the last two visits until it is shown).
Store reads, and the export's log entries, go through the app's store worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from bodymap.analysis.compare_data import READ_ERRORS, CompareData
from bodymap.export.compare_report import compare_report, write_compare_pdf
from bodymap.export.errors import ExportError
from bodymap.export.naming import compare_filename
from bodymap.export.source import SessionSource
from bodymap.ui.compare_common import busy_cursor
from bodymap.ui.print_actions import preview_report

Pair = Callable[[], tuple[str, str] | None]
"""The earlier and the later session to report on, or ``None`` (fewer than two visits)."""


class CompareBar(QWidget):
    """A client picker, "Export PDF…" and "Print…".

    Signals
    -------
    client_chosen(str)
        Another client was picked (its id).
    message(str)
        What an export did, or why it could not.
    """

    client_chosen = pyqtSignal(str)
    message = pyqtSignal(str)

    def __init__(self, data: CompareData, pair: Pair, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data, self._pair = data, pair
        self.clients = QComboBox()
        self.clients.setToolTip("Whose visits to compare")
        self.export_button = QPushButton("Export PDF…")
        self.export_button.setToolTip("The comparison report of the two visits compared, as a PDF")
        self.export_button.clicked.connect(self.export_pdf)
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Print the comparison report, with a preview (Ctrl+P)")
        self.print_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_button.clicked.connect(self.print_preview)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Client:"))
        row.addWidget(self.clients, 1)
        row.addStretch(1)
        row.addWidget(self.export_button)
        row.addWidget(self.print_button)
        self._fill_clients()
        self.clients.currentIndexChanged.connect(self._picked)
        self.set_data(data)

    def set_data(self, data: CompareData) -> None:
        """Follow ``data`` (another client's); the buttons need two readable visits."""
        self._data = data
        enough = len(data.readable) >= 2
        for button in (self.export_button, self.print_button):
            button.setEnabled(enough)
        self.clients.blockSignals(True)
        self.clients.setCurrentIndex(max(0, self.clients.findData(data.client_id)))
        self.clients.blockSignals(False)

    def _fill_clients(self) -> None:
        try:
            clients = self._data._call(self._data.store.clients)
        except READ_ERRORS as error:
            self.message.emit(f"The client list cannot be read: {error}")
            clients = []
        found = {c.id for c in clients}
        for client in sorted(clients, key=lambda c: c.name.casefold()):
            self.clients.addItem(client.name, client.id)
        if self._data.client_id not in found:
            self.clients.addItem(self._data.client_name(), self._data.client_id)

    def _picked(self, index: int) -> None:
        client_id = self.clients.itemData(index)
        if client_id and client_id != self._data.client_id:
            self.client_chosen.emit(client_id)

    # -- the report ------------------------------------------------------------------------
    def sources(self) -> tuple[SessionSource, SessionSource] | None:
        """The two compared visits as export sources (read through the worker)."""
        pair = self._pair()
        if pair is None:
            self.message.emit("A comparison report needs two saved visits.")
            return None
        return _source(self._data, pair[0]), _source(self._data, pair[1])

    def export_pdf(self, target: Path | None = None) -> Path | None:
        """Write the comparison report (asking where, unless ``target`` is given)."""
        sources = self._try(self.sources)
        if not sources:
            return None
        if target is None:
            earlier, later = sources
            suggested = compare_filename(earlier.session, later.session)
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export the comparison report", suggested, "PDF (*.pdf)"
            )
            if not chosen:
                return None
            target = Path(chosen)
        with busy_cursor():
            written = self._try(lambda: write_compare_pdf(*sources, Path(target)))
        if written:
            self.message.emit(f"Comparison report written: {written}")
        return written

    def print_preview(self) -> bool:
        """Show the comparison report in a print preview, to print it from there."""
        sources = self._try(self.sources)
        if not sources:
            return False
        with busy_cursor():
            report = self._try(lambda: compare_report(*sources))
        return bool(report) and preview_report(report, self)

    def _try(self, job: Callable):
        try:
            return job()
        except (ExportError, *READ_ERRORS) as error:
            self.message.emit(f"The comparison report could not be made: {error}")
            return None


def _source(data: CompareData, session_id: str) -> SessionSource:
    """A visit as the window holds it (on its own body), with the record's file and log."""
    session = data.session(session_id)
    body = data.body_for(session.mesh_hash) if session is not None else None
    if session is None or body is None:
        raise ExportError(f"the visit {session_id} cannot be read: {data.problems.get(session_id)}")
    store = data.store
    return SessionSource(
        session,
        body.mesh,
        body.atlas,
        client=data._call(store.client, data.client_id),
        amendments=tuple(data._call(store.amendments, session_id)),
        file_sha256=data._call(store.content_sha256, session_id),
        store=_LogThrough(data),
    )


class _LogThrough:
    """Stands in for the store in a SessionSource: its calls (the report's reads of the
    client's other visits for the trends, the export's log entries) run on the worker."""

    def __init__(self, data: CompareData) -> None:
        self._data = data

    def __getattr__(self, name: str):
        found = getattr(self._data.store, name)
        if not callable(found):
            return found
        return lambda *args, **kwargs: self._data._call(found, *args, **kwargs)
