"""Live findings: per tag the painted extent and intensity, by region and band, in words.

Recomputing costs tens of milliseconds on the full body, so it waits for painting to pause
(and for the panel to be visible), never running once per dab. A stroke's live dabs are
ignored: the figures are recomputed once, after the stroke ends, so they never show part of
a stroke (a mirrored stroke's first side, say).
"""

from __future__ import annotations

from dataclasses import replace

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QFont, QGuiApplication, QShowEvent
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change
from bodymap.core.findings import RegionFinding, TagFindings, tag_findings
from bodymap.ui.document_binding import DocumentBound
from bodymap.ui.pin_dialog import tag_swatch

IDLE_MS = 250
COLUMNS = ("Finding", "Area (cm²)", "% body", "Mean", "Peak")
RECOMPUTE_ON = frozenset({"layers", "tags", "session"})
NOTHING_PAINTED = "Nothing painted yet."


def _numbers(finding: RegionFinding) -> list[str]:
    return [
        f"{finding.area_cm2:.1f}",
        f"{finding.percent_body:.2f}",
        f"{finding.mean_intensity:.1f}",
        f"{finding.peak_intensity:.1f}",
    ]


def _row(parent: QTreeWidgetItem | None, name: str, finding: RegionFinding) -> QTreeWidgetItem:
    item = QTreeWidgetItem([name, *_numbers(finding)])
    if parent is not None:
        parent.addChild(item)
    for column in range(1, len(COLUMNS)):
        item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class FindingsPanel(QWidget, DocumentBound):
    """A table of findings per tag (children: regions and diaphragm bands) and the
    plain-language summary, with buttons to copy it or add it to the Objective notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document: SessionDocument | None = None
        self._findings: list[TagFindings] = []
        self._stale = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_MS)
        self._idle.timeout.connect(self._recompute_if_visible)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setPlaceholderText(NOTHING_PAINTED)
        self.copy_button = QPushButton("&Copy to clipboard")
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.add_button = QPushButton("Add to &Objective notes")
        self.add_button.setToolTip("Append these lines to the Objective field of the SOAP notes")
        self.add_button.clicked.connect(self.add_to_notes)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel("Summary"))
        lower_layout.addWidget(self.summary, 1)
        lower_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.set_document(None)

    @property
    def findings(self) -> list[TagFindings]:
        """The findings as last computed."""
        return list(self._findings)

    def summary_lines(self) -> list[str]:
        """One plain-language line per painted tag."""
        return [f.summary for f in self._findings]

    def set_document(self, document: SessionDocument | None) -> None:
        """Summarise ``document`` (``None``: nothing); computes at once."""
        self._bind(document)
        self.refresh()

    def refresh(self) -> None:
        """Recompute and show the findings now."""
        self._idle.stop()
        self._stale = False
        document = self._document
        if document is None:
            self._findings = []
        else:
            session = document.session
            self._findings = tag_findings(
                session.overlays, session.tags, document.mesh, document.atlas
            )
        self._show()

    def copy_to_clipboard(self) -> None:
        """Put the summary lines on the clipboard, one per line."""
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText("\n".join(self.summary_lines()))

    def add_to_notes(self) -> None:
        """Append the summary lines to the Objective field of the session's notes."""
        document = self._document
        lines = self.summary_lines()
        if document is None or not document.editable or not lines:
            return
        notes = document.session.notes
        objective = notes.objective.rstrip("\n")
        text = "\n".join(lines)
        objective = f"{objective}\n{text}" if objective else text
        document.set_notes(replace(notes, objective=objective))

    def showEvent(self, event: QShowEvent | None) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.kind in RECOMPUTE_ON and not change.live:
            self._idle.start()  # restarted by every change: recompute once they pause

    def _recompute_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _show(self) -> None:
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        tags = None if self._document is None else self._document.session.tags
        for finding in self._findings:
            item = _row(None, finding.name, finding.total)
            item.setFont(0, bold)
            if tags is not None and finding.tag in tags:
                item.setIcon(0, tag_swatch(tags.get(finding.tag).color))
            item.setToolTip(0, finding.summary)
            self._add_group(item, "Regions", finding.regions)
            self._add_group(item, "Transverse diaphragms", finding.bands)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        self.summary.setPlainText("\n".join(self.summary_lines()))
        has_lines = bool(self._findings)
        self.copy_button.setEnabled(has_lines)
        editable = self._document is not None and self._document.editable
        self.add_button.setEnabled(has_lines and editable)

    @staticmethod
    def _add_group(parent: QTreeWidgetItem, title: str, rows: tuple[RegionFinding, ...]) -> None:
        if not rows:
            return
        group = QTreeWidgetItem(parent, [f"{title} ({len(rows)})"])
        for row in rows:
            _row(group, row.region_name, row)
