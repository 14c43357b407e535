"""Craniosacral-rhythm readings of the open session: one table row per station and side.

Edits reach the document (``set_rhythm``) after a short pause, and at once when a row is
added or removed. Rate and amplitude at 0 read "—": not assessed.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, QTimer
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change
from bodymap.core.session import LISTENING_STATIONS, READING_SIDES, RhythmReading
from bodymap.ui.document_binding import DocumentBound

IDLE_MS = 300
NOT_ASSESSED = "—"
COLUMNS = ("Station", "Side", "Rate (cycles/min)", "Amplitude", "Symmetry", "Quality")
STATION, SIDE, RATE, AMPLITUDE, SYMMETRY, QUALITY = range(len(COLUMNS))
SYMMETRY_SUGGESTIONS = ("symmetric", "left restricted", "right restricted")
QUALITY_SUGGESTIONS = ("full", "strong", "weak", "restricted", "absent")
MAX_RATE = 30.0


class RhythmPanel(QWidget, DocumentBound):
    """Edit the session's :class:`~bodymap.core.session.RhythmReading` list.

    Call :meth:`flush` before saving so an edit still waiting for its pause is written.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document: SessionDocument | None = None
        self._writing = False
        self._pending = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_MS)
        self._idle.timeout.connect(self.flush)
        self._notice = QLabel()
        self._notice.hide()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.add_button = QPushButton("&Add reading")
        self.add_button.clicked.connect(self.add_reading)
        self.remove_button = QPushButton("&Remove reading")
        self.remove_button.clicked.connect(lambda: self.remove_reading())
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self._notice)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.set_document(None)

    def set_document(self, document: SessionDocument | None) -> None:
        """Show ``document``'s readings (``None``: empty and disabled)."""
        self.flush()
        self._bind(document)
        self._load()

    def readings(self) -> list[RhythmReading]:
        """The readings as the table shows them, in row order."""
        return [self._reading(row) for row in range(self.table.rowCount())]

    def cell(self, row: int, column: int) -> QWidget:
        """The editor widget in a cell (a combo box or spin box)."""
        return self.table.cellWidget(row, column)

    def add_reading(self) -> None:
        """Add a row for the first station and side not read yet, and write it."""
        taken = {(r.station, r.side) for r in self.readings()}
        free = [
            (station, side)
            for station in LISTENING_STATIONS
            for side in ("left", "right")
            if (station, side) not in taken
        ]
        station, side = free[0] if free else (next(iter(LISTENING_STATIONS)), "both")
        self._add_row(RhythmReading(station, side))
        self.table.selectRow(self.table.rowCount() - 1)
        self.flush(force=True)

    def remove_reading(self, row: int | None = None) -> None:
        """Remove ``row`` (default: the selected one) and write the change."""
        row = self.table.currentRow() if row is None else row
        if 0 <= row < self.table.rowCount():
            self.table.removeRow(row)
            self.flush(force=True)

    def flush(self, force: bool = False) -> None:
        """Write the table to the document now if an edit is waiting (or ``force``)."""
        pending, self._pending = self._pending, False
        self._idle.stop()
        document = self._document
        if document is None or not document.editable or not (pending or force):
            return
        self._writing = True
        try:
            document.set_rhythm(self.readings())
        finally:
            self._writing = False

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.FocusIn:
            # Cell editors take the clicks, so follow focus to know which row "Remove" means.
            for row in range(self.table.rowCount()):
                cells = [self.cell(row, c) for c in range(len(COLUMNS))]
                if any(c is watched or c.isAncestorOf(watched) for c in cells):
                    self.table.selectRow(row)
                    break
        return False

    def _schedule(self, *_value) -> None:
        """A cell changed: write after the pause (connected directly, the timer's
        ``start(msec)`` would take a spin box's value as its interval)."""
        self._pending = True
        self._idle.start()

    def _on_change(self, change: Change) -> None:
        if change.kind in ("rhythm", "session") and not self._writing:
            self._load()

    def _load(self) -> None:
        self._idle.stop()
        self._pending = False
        self.table.setRowCount(0)
        document = self._document
        for reading in [] if document is None else document.session.rhythm:
            self._add_row(reading)
        editable = document is not None and document.editable
        for widget in (self.table, self.add_button, self.remove_button):
            widget.setEnabled(editable)
        self.setEnabled(document is not None)
        self._notice.setText("Finalised: the readings are read-only.")
        self._notice.setVisible(document is not None and not editable)

    def _add_row(self, reading: RhythmReading) -> None:
        """Append a row showing ``reading``; its editors are connected after being filled,
        so filling them writes nothing."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        station = QComboBox()
        for key, label in LISTENING_STATIONS.items():
            station.addItem(label, key)
        station.setCurrentIndex(station.findData(reading.station))
        side = QComboBox()
        side.addItems(READING_SIDES)
        side.setCurrentText(reading.side)
        rate = _spin(MAX_RATE, 0.5, reading.rate, "Cycles per minute, typically 6 to 12")
        amplitude = _spin(10.0, 0.5, reading.amplitude, "0 to 10")
        symmetry = _suggestions(SYMMETRY_SUGGESTIONS, reading.symmetry)
        quality = _suggestions(QUALITY_SUGGESTIONS, reading.quality)
        for column, widget in enumerate((station, side, rate, amplitude, symmetry, quality)):
            self.table.setCellWidget(row, column, widget)
            widget.installEventFilter(self)
        for combo in (station, side):
            combo.currentIndexChanged.connect(self._schedule)
        for spin in (rate, amplitude):
            spin.valueChanged.connect(self._schedule)
        for combo in (symmetry, quality):
            combo.currentTextChanged.connect(self._schedule)
            combo.lineEdit().installEventFilter(self)

    def _reading(self, row: int) -> RhythmReading:
        return RhythmReading(
            station=self.cell(row, STATION).currentData(),
            side=self.cell(row, SIDE).currentText(),
            rate=_spin_value(self.cell(row, RATE)),
            amplitude=_spin_value(self.cell(row, AMPLITUDE)),
            symmetry=self.cell(row, SYMMETRY).currentText().strip(),
            quality=self.cell(row, QUALITY).currentText().strip(),
        )


def _spin(maximum: float, step: float, value: float | None, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    # A stored value above the usual range still shows as stored, so saving keeps it.
    spin.setRange(0.0, max(maximum, value or 0.0))
    spin.setDecimals(1)
    spin.setSingleStep(step)
    spin.setSpecialValueText(NOT_ASSESSED)
    spin.setToolTip(f"{tip}; {NOT_ASSESSED} (0) means not assessed")
    spin.setValue(0.0 if value is None else value)
    return spin


def _spin_value(spin: QDoubleSpinBox) -> float | None:
    return None if spin.value() == spin.minimum() else float(spin.value())


def _suggestions(items: tuple[str, ...], text: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems(items)
    combo.setCurrentIndex(-1)
    combo.setEditText(text)
    return combo
