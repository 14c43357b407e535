"""Left/right symmetry of one visit's findings: each region's painted extent against its
mirror region, as an index from -1 (only the right) to +1 (only the left)."""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from bodymap.analysis.compare_data import CompareData
from bodymap.core.symmetry import SymmetryRow, symmetry
from bodymap.ui.compare_common import (
    busy_cursor,
    fill_session_combo,
    fill_table,
    fill_tag_combo,
    read_only_table,
    tag_layer,
)

TABLE_HEADERS = ("Region", "Left (cm²)", "Right (cm²)", "Index (L−R)/(L+R)", "Leans")
EXPLANATION = (
    "Index 0: balanced; +1: only the left side is painted; −1: only the right. "
    "Pairs painted on neither side are left out."
)
BALANCED_WITHIN = 0.1


def leaning(index: float | None) -> str:
    if index is None:
        return ""
    if abs(index) <= BALANCED_WITHIN:
        return "balanced"
    return "left" if index > 0 else "right"


def symmetry_row(row: SymmetryRow) -> list:
    return [row.name, row.left_cm2, row.right_cm2, row.index, leaning(row.index)]


class SymmetryView(QWidget):
    """The "Symmetry" tab: choose a visit and a tag; one row per left/right region pair."""

    changed = pyqtSignal()

    def __init__(self, data: CompareData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = data
        self.rows: list[SymmetryRow] = []
        self.session = QComboBox()
        readable = data.readable
        fill_session_combo(self.session, readable, len(readable) - 1)
        self.tag = QComboBox()
        fill_tag_combo(self.tag, data.tags())
        form = QFormLayout()
        form.addRow("Visit", self.session)
        form.addRow("Finding", self.tag)
        self.message = QLabel(EXPLANATION)
        self.message.setWordWrap(True)
        self.table = read_only_table()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        for combo in (self.session, self.tag):
            combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        with busy_cursor():
            self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        data = self._data
        session_id = self.session.currentData()
        session = data.session(session_id) if session_id else None
        body = data.body_for(session.mesh_hash) if session is not None else None
        if session is None or body is None:
            self.rows = []
            missing = session is not None  # read, but its mesh is not in the store
            self.message.setText(
                "This visit's body mesh is not in the store." if missing else "No readable visit."
            )
            fill_table(self.table, TABLE_HEADERS, [])
            return
        layer = tag_layer(session.overlays, self.tag.currentData())
        self.rows = symmetry(layer, body.mesh, body.atlas)
        painted = [r for r in self.rows if r.index is not None]
        if not self.rows:
            text = "This body's regions have no left/right pairs."
        elif not painted:
            text = "Nothing of this finding is painted on paired regions in this visit."
        else:
            text = EXPLANATION
        self.message.setText(text)
        fill_table(self.table, TABLE_HEADERS, [symmetry_row(r) for r in painted])
