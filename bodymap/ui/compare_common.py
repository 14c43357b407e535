"""Small pieces the compare tabs share: notes and banners, tables, tag and session choices,
and painting a session's layers on a 3D view."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from bodymap.analysis.compare_data import CompareData
from bodymap.analysis.comparison import ALL_TAGS
from bodymap.core.colors import base_colors, layer_colors
from bodymap.core.compare import combined_layer
from bodymap.core.overlays import Overlays
from bodymap.core.series import practitioner_changes
from bodymap.core.tags import TagSet
from bodymap.core.views import StandardView
from bodymap.io.body_loading import Body
from bodymap.store import SessionInfo
from bodymap.ui.client_browser import local_datetime_text
from bodymap.ui.viewer import BodyViewer

ALL_TAGS_TEXT = "All tags"
ID_ROLE = Qt.ItemDataRole.UserRole
BANNER_STYLE = (
    "QLabel { background: #fbe3b0; color: #4a3300; border: 1px solid #d9a441;"
    " border-radius: 3px; padding: 4px 8px; }"
)
NOTE_STYLE = "QLabel { color: #444; padding: 2px 4px; }"
PROBLEM_STYLE = "QLabel { color: #8a2d00; padding: 2px 4px; }"
PRACTITIONER_WARNING = (
    "Different practitioners ({names}): rhythm palpation agrees poorly between examiners."
)


@contextmanager
def busy_cursor() -> Iterator[None]:
    """Show the wait cursor while something slow runs (loading many sessions)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def session_label(info: SessionInfo) -> str:
    """How a session is named in lists: its local date and time, and who recorded it."""
    when = local_datetime_text(info.started) or info.id
    return f"{when} · {info.practitioner}" if info.practitioner else when


def banner(parent: QWidget | None = None) -> QLabel:
    """An amber notice line, hidden until it has something to say."""
    label = QLabel(parent)
    label.setStyleSheet(BANNER_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def note_label(style: str = NOTE_STYLE, parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setStyleSheet(style)
    label.setWordWrap(True)
    label.hide()
    return label


def set_note(label: QLabel, text: str) -> None:
    """Show ``text`` in ``label``, or hide the label when there is nothing to say."""
    label.setText(text)
    label.setVisible(bool(text))


def practitioner_warning(infos: Sequence[SessionInfo]) -> str:
    """The flag for sessions recorded by more than one practitioner, else ``""``."""
    names = [i.practitioner or "unnamed" for i in infos]
    if not practitioner_changes(names):
        return ""
    return PRACTITIONER_WARNING.format(names=", ".join(dict.fromkeys(names)))


def transfer_note(data: CompareData, session_ids: Sequence[str], target: Body) -> str:
    """Says which sessions were carried onto another mesh to be compared, else ``""``."""
    moved = data.transferred(list(session_ids), target)
    if not moved:
        return ""
    first = next((i for i in map(data.info, session_ids) if i not in moved), None)
    onto = f"the body of {session_label(first)}" if first is not None else target.name
    which = "; ".join(session_label(i) for i in moved)
    return (
        f"Compared after transferring onto {onto} ({target.name}): {which} "
        "recorded on another body mesh."
    )


def tag_layer(overlays: Overlays, tag: str) -> np.ndarray:
    """One tag's values, or the largest over all tags for :data:`ALL_TAGS`; zeros if absent."""
    if tag == ALL_TAGS:
        return np.asarray(combined_layer(overlays))
    if tag in overlays.keys:
        return overlays.layer(tag)
    return np.zeros(overlays.n_vertices, dtype=np.uint8)


def fill_tag_combo(combo: QComboBox, tags: TagSet, with_all: bool = True) -> None:
    """Offer each tag by name (its key as data), keeping the current choice if it is offered."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if with_all:
        combo.addItem(ALL_TAGS_TEXT, ALL_TAGS)
    for tag in tags:
        combo.addItem(tag.name, tag.key)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


def fill_session_combo(combo: QComboBox, infos: Sequence[SessionInfo], current: int) -> None:
    """Offer sessions by date and practitioner (ids as data); select index ``current``."""
    combo.blockSignals(True)
    combo.clear()
    for info in infos:
        combo.addItem(session_label(info), info.id)
    if infos:
        combo.setCurrentIndex(min(max(current, 0), len(infos) - 1))
    combo.blockSignals(False)


def fill_table(table: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Fill a read-only table; numbers are right-aligned, ``None`` reads as a dash."""
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setRowCount(len(rows))
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(cell_text(value))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if not isinstance(value, str):
                item.setTextAlignment(right)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def cell_text(value) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{float(value):.1f}" if abs(float(value)) >= 0.995 or value == 0 else f"{value:.2f}"


def read_only_table(parent: QWidget | None = None) -> QTableWidget:
    table = QTableWidget(parent)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    return table


def show_colors(viewer: BodyViewer, body: Body, colors: np.ndarray) -> None:
    """Put ``body`` on the view (keeping the camera if it is there already) in ``colors``."""
    scene = viewer.scene
    if scene.mesh is not body.mesh:
        camera = scene.current_camera() if scene.mesh is not None else None
        scene.set_mesh(body.mesh)
        if camera is not None:
            scene.apply_camera(camera)
    scene.update_colors(np.arange(body.mesh.n_vertices), colors)
    if viewer.isVisible():  # a view not shown yet draws when it is (one render, not two)
        viewer.redraw()


def overlay_colors(body: Body, overlays: Overlays, tags: TagSet) -> np.ndarray:
    """The body's colours with every shown layer blended over the skin, (N, 4) uint8."""
    return layer_colors(overlays, tags, base_colors(body.mesh))


class FrameOnFirstShow(QObject):
    """Frames a view's body again once the view first has its real size.

    A view built inside a tab not yet shown is framed at no size; the first resize of
    its render window frames it again (then calls ``done``, e.g. to share the camera).
    """

    def __init__(self, viewer: BodyViewer, done: Callable[[], None] | None = None) -> None:
        super().__init__(viewer)
        self._viewer = viewer
        self._done = done
        viewer.interactor.installEventFilter(self)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.Resize and not event.size().isEmpty():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._frame)  # after VTK has taken the new size
        return False

    def _frame(self) -> None:
        scene = self._viewer.scene
        if self._viewer.interactor.render_window is None or scene.mesh is None:
            return  # closed meanwhile, or nothing shown yet
        scene.set_view(scene.view or StandardView.ANTERIOR)
        self._viewer.redraw()
        if self._done is not None:
            self._done()
