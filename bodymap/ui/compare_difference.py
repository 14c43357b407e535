"""Difference map: what is new, resolved and persisting between two visits, on one body.

Three colours chosen to stay apart for every kind of colour vision (Okabe-Ito vermillion
and blue, and a neutral grey for what did not change), a legend with the areas, and a table
per region and diaphragm band: extent then and now, change, mean intensity, Jaccard overlap.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bodymap.analysis.compare_data import CompareData
from bodymap.analysis.comparison import compare_on
from bodymap.core.colors import CHANGE_COLORS, base_colors, difference_colors
from bodymap.core.compare import CHANGED, NEW, PERSISTING, RESOLVED, Difference, RegionChange
from bodymap.ui.compare_common import (
    ALL_TAGS,
    FrameOnFirstShow,
    banner,
    busy_cursor,
    fill_session_combo,
    fill_table,
    fill_tag_combo,
    note_label,
    practitioner_warning,
    read_only_table,
    set_note,
    show_colors,
    transfer_note,
)
from bodymap.ui.viewer import BodyViewer

TABLE_HEADERS = (
    "Region",
    "Then (cm²)",
    "Now (cm²)",
    "Change (cm²)",
    "New (cm²)",
    "Resolved (cm²)",
    "Persisting (cm²)",
    "Mean then",
    "Mean now",
    "Overlap (0 to 1)",
)
OVERLAP_TIP = (
    "How much the painted areas of the two visits coincide: 0 none, 1 the same area "
    "(the Jaccard index: shared area over the area painted in either)."
)
CLASS_TEXTS = (
    (NEW, "New"),
    (RESOLVED, "Resolved"),
    (PERSISTING, "Persisting"),
    (CHANGED, "Changed"),
)
NEED_TWO_TEXT = "Two readable sessions are needed for a difference map."


def change_row(change: RegionChange, name: str | None = None) -> list:
    return [
        name or change.name,
        change.area_before_cm2,
        change.area_after_cm2,
        change.change_cm2,
        change.new_cm2,
        change.resolved_cm2,
        change.persisting_cm2,
        change.mean_before,
        change.mean_after,
        change.jaccard,
    ]


def changed_text(result: Difference, name: Callable[[str], str]) -> str:
    """All tags: which finding became which, per region (" Changed: Left temporal: ...")."""
    swaps = [
        f"{region.name}: {name(a)} → {name(b)} {cm2:.1f} cm²"
        for region in result.regions
        for a, b, cm2 in region.swaps
    ]
    return f" Changed: {'; '.join(swaps)}." if swaps else ""


def _swatch(rgb: tuple[int, int, int]) -> QLabel:
    swatch = QLabel()
    swatch.setFixedSize(16, 16)
    swatch.setStyleSheet(
        "QLabel { background: rgb(%d, %d, %d); border: 1px solid #555; }" % rgb  # noqa: UP031
    )
    return swatch


class DifferenceView(QWidget):
    """The "Difference" tab: choose a tag and two sessions; see the change on one body.

    Signals
    -------
    changed()
        Another difference was shown (the window refreshes its list of unreadable sessions).
    """

    changed = pyqtSignal()

    def __init__(self, data: CompareData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = data
        self._closed = False
        self.result: Difference | None = None
        self._tag_name: Callable[[str], str] = str
        self.tag = QComboBox()
        self.earlier = QComboBox()
        self.later = QComboBox()
        fill_tag_combo(self.tag, data.tags())
        readable = data.readable
        fill_session_combo(self.earlier, readable, len(readable) - 2)
        fill_session_combo(self.later, readable, len(readable) - 1)
        form = QFormLayout()
        form.addRow("Finding", self.tag)
        form.addRow("Earlier", self.earlier)
        form.addRow("Later", self.later)
        self.flag = banner()
        self.note = note_label()
        self.viewer = BodyViewer()
        self.viewer.setMinimumSize(160, 160)
        FrameOnFirstShow(self.viewer)
        self.legend_labels: dict[int, QLabel] = {}
        legend = QHBoxLayout()
        for kind, text in CLASS_TEXTS:
            legend.addWidget(_swatch(CHANGE_COLORS[kind]))
            self.legend_labels[kind] = QLabel(text)
            legend.addWidget(self.legend_labels[kind])
            legend.addSpacing(12)
        legend.addStretch(1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = read_only_table()
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(self.flag)
        column.addWidget(self.note)
        column.addLayout(legend)
        column.addWidget(self.viewer, 1)
        splitter = QSplitter()
        splitter.addWidget(top)
        side = QWidget()
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 0, 0)
        side_column.addWidget(self.summary)
        side_column.addWidget(self.table, 1)
        splitter.addWidget(side)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        for combo in (self.tag, self.earlier, self.later):
            combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def choose(self, earlier_id: str, later_id: str, tag: str) -> None:
        """Compare these two sessions for ``tag`` (``""`` for all tags)."""
        for combo, value in ((self.earlier, earlier_id), (self.later, later_id), (self.tag, tag)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        with busy_cursor():
            self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        data = self._data
        ids = [self.earlier.currentData(), self.later.currentData()]
        if None in ids or ids[0] == ids[1]:
            self._clear(NEED_TWO_TEXT if None in ids else "Choose two different sessions.")
            return
        ids.sort(key=lambda s: data.info(s).sort_key())  # "earlier" is the older one
        target = data.target_for(ids)
        overlays = [data.overlays_on(s, target) for s in ids] if target else [None]
        if target is None or any(o is None for o in overlays):
            self._clear("A session could not be read: see the list below.")
            return
        tag = self.tag.currentData()
        sessions = [data.session(s) for s in ids]  # kept by data: read once
        found = compare_on(*sessions, *overlays, target.mesh, target.atlas, tag)
        self._tag_name = found.tag_name
        self.result = found.combined if tag == ALL_TAGS else found.tags[0].difference
        infos = [data.info(s) for s in ids]
        set_note(self.flag, practitioner_warning(infos))
        set_note(self.note, transfer_note(data, ids, target))
        colors = difference_colors(self.result.classes, base_colors(target.mesh))
        show_colors(self.viewer, target, colors)
        self._show_numbers(self.result)

    def _show_numbers(self, result: Difference) -> None:
        total = result.total
        areas = (total.new_cm2, total.resolved_cm2, total.persisting_cm2, total.changed_cm2)
        for (kind, text), area in zip(CLASS_TEXTS, areas, strict=True):
            self.legend_labels[kind].setText(f"{text} {area:.1f} cm²")
        self.summary.setText(
            f"Whole body: {total.area_before_cm2:.1f} cm² ({total.percent_before:.1f}% of the "
            f"skin) then, {total.area_after_cm2:.1f} cm² ({total.percent_after:.1f}%) now."
            + changed_text(result, self._tag_name)
        )
        rows = [change_row(total, "Whole body")]
        rows += [change_row(r) for r in result.regions if r.painted]
        rows += [change_row(b, f"{b.name} (band)") for b in result.bands if b.painted]
        fill_table(self.table, TABLE_HEADERS, rows)
        self.table.horizontalHeaderItem(len(TABLE_HEADERS) - 1).setToolTip(OVERLAP_TIP)

    def _clear(self, text: str) -> None:
        self.result = None
        self.summary.setText(text)
        set_note(self.flag, "")
        set_note(self.note, "")
        fill_table(self.table, TABLE_HEADERS, [])

    def close_views(self) -> None:
        """Close the 3D view's plotter (once)."""
        if not self._closed:
            self._closed = True
            self.viewer.close_plotter()
