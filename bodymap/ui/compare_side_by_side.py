"""Side by side: two to four of a client's sessions next to each other, one shared camera.

Turning any view turns them all: after each camera interaction on one view (a drag, the
wheel, a button release), its camera is copied to the others on the next pass of the event
loop, when VTK has moved it. Copying never sends Qt events, so it cannot loop.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bodymap.analysis.compare_data import CompareData
from bodymap.ui.compare_common import (
    ID_ROLE,
    FrameOnFirstShow,
    banner,
    busy_cursor,
    note_label,
    overlay_colors,
    practitioner_warning,
    session_label,
    set_note,
    show_colors,
    transfer_note,
)
from bodymap.ui.viewer import BodyViewer

MAX_VIEWS = 4
CHOOSE_TEXT = "Tick two to four sessions to see them side by side."
TOO_MANY_TEXT = f"At most {MAX_VIEWS} sessions side by side: untick one first."
_CAMERA_EVENTS = {QEvent.Type.MouseButtonRelease, QEvent.Type.Wheel, QEvent.Type.KeyRelease}


class _Pane(QWidget):
    """One session's 3D view under its date and practitioner."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("QLabel { font-weight: 600; padding: 2px; }")
        self.viewer = BodyViewer(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.viewer, 1)


class SideBySide(QWidget):
    """The "Side by side" tab.

    Signals
    -------
    changed()
        The shown sessions changed (the window refreshes its list of unreadable sessions).
    """

    changed = pyqtSignal()

    def __init__(self, data: CompareData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = data
        self._panes: list[_Pane] = []
        self._shown: list[str] = []
        self._syncing = False
        self._sync_source: _Pane | None = None
        self.sessions = QListWidget()
        self.sessions.setMaximumWidth(280)
        self.flag = banner()
        self.note = note_label()
        self.hint = QLabel(CHOOSE_TEXT)
        self.hint.setWordWrap(True)
        self._views = QWidget()
        self._views_layout = QHBoxLayout(self._views)
        self._views_layout.setContentsMargins(0, 0, 0, 0)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.flag)
        column.addWidget(self.note)
        column.addWidget(self.hint)
        column.addWidget(self._views, 1)
        splitter = QSplitter()
        splitter.addWidget(self.sessions)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self._fill_list()
        self.sessions.itemChanged.connect(self._item_changed)
        self.show_sessions(self.checked_ids())

    # -- choosing ----------------------------------------------------------------------------
    def _fill_list(self) -> None:
        readable = self._data.readable
        preselected = {i.id for i in readable[-2:]} if len(readable) >= 2 else set()
        self.sessions.blockSignals(True)
        for info in readable:
            item = QListWidgetItem(session_label(info))
            item.setData(ID_ROLE, info.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = info.id in preselected
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.sessions.addItem(item)
        self.sessions.blockSignals(False)

    def checked_ids(self) -> list[str]:
        """Ids of the ticked sessions, oldest first."""
        items = (self.sessions.item(row) for row in range(self.sessions.count()))
        return [i.data(ID_ROLE) for i in items if i.checkState() == Qt.CheckState.Checked]

    def set_checked(self, session_ids: list[str]) -> None:
        """Tick exactly these sessions (at most four) and show them."""
        self.sessions.blockSignals(True)
        for row in range(self.sessions.count()):
            item = self.sessions.item(row)
            on = item.data(ID_ROLE) in session_ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.sessions.blockSignals(False)
        self.show_sessions(self.checked_ids())

    def _item_changed(self, item: QListWidgetItem) -> None:
        ids = self.checked_ids()
        if len(ids) > MAX_VIEWS:
            self.sessions.blockSignals(True)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.sessions.blockSignals(False)
            set_note(self.hint, TOO_MANY_TEXT)
            return
        self.show_sessions(ids)

    # -- showing -----------------------------------------------------------------------------
    @property
    def viewers(self) -> list[BodyViewer]:
        """The views in use, left to right."""
        return [p.viewer for p in self._panes[: len(self._shown)]]

    @property
    def view_titles(self) -> list[str]:
        return [p.title.text() for p in self._panes[: len(self._shown)]]

    def show_sessions(self, session_ids: list[str]) -> None:
        """Show these sessions (two to four), each on the first one's body."""
        with busy_cursor():
            self._show(session_ids[:MAX_VIEWS])
        self.changed.emit()

    def _show(self, session_ids: list[str]) -> None:
        data = self._data
        target = data.target_for(session_ids) if session_ids else None
        loaded = [s for s in session_ids if target and data.overlays_on(s, target) is not None]
        if len(loaded) < 2 or target is None:
            self._shown = []
            self._hide_unused()
            set_note(self.hint, CHOOSE_TEXT)
            set_note(self.flag, "")
            set_note(self.note, "")
            return
        set_note(self.hint, "")
        infos = [data.info(s) for s in loaded]
        set_note(self.flag, practitioner_warning(infos))
        set_note(self.note, transfer_note(data, loaded, target))
        while len(self._panes) < len(loaded):
            self._add_pane()
        self._shown = loaded
        for pane, info in zip(self._panes, infos, strict=False):
            session = data.session(info.id)
            overlays = data.overlays_on(info.id, target)
            pane.title.setText(session_label(info))
            pane.show()
            show_colors(pane.viewer, target, overlay_colors(target, overlays, session.tags))
        self._hide_unused()
        self._copy_camera(self._panes[0])

    def _add_pane(self) -> None:
        pane = _Pane(self._views)
        pane.viewer.setMinimumSize(120, 120)
        pane.viewer.interactor.installEventFilter(self)
        if not self._panes:  # the others follow its camera
            FrameOnFirstShow(pane.viewer, lambda: self._copy_camera(pane))
        self._views_layout.addWidget(pane, 1)
        self._panes.append(pane)

    def _hide_unused(self) -> None:
        for pane in self._panes[len(self._shown) :]:
            pane.hide()

    # -- one camera --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is None or self._syncing:
            return False
        moving = (
            event.type() == QEvent.Type.MouseMove and event.buttons() != Qt.MouseButton.NoButton
        )
        if moving or event.type() in _CAMERA_EVENTS:
            pane = next((p for p in self._panes if p.viewer.interactor is watched), None)
            if pane is not None:
                self._schedule_sync(pane)
        return False  # the view still gets the event: VTK turns its camera first

    def _schedule_sync(self, pane: _Pane) -> None:
        if self._sync_source is None:
            QTimer.singleShot(0, self._sync_now)
        self._sync_source = pane

    def _sync_now(self) -> None:
        source, self._sync_source = self._sync_source, None
        if source is not None and source in self._panes[: len(self._shown)]:
            self._copy_camera(source)

    def _copy_camera(self, source: _Pane) -> None:
        """Give every other shown view the camera of ``source`` and draw them."""
        if self._syncing:
            return
        self._syncing = True
        try:
            camera = source.viewer.scene.current_camera()
            for pane in self._panes[: len(self._shown)]:
                if pane is not source:
                    pane.viewer.scene.apply_camera(camera)
                    if pane.viewer.isVisible():
                        pane.viewer.redraw()
        finally:
            self._syncing = False

    def close_views(self) -> None:
        """Close every 3D view's plotter (pyvistaqt needs an explicit close)."""
        for pane in self._panes:
            pane.viewer.interactor.removeEventFilter(self)
            pane.viewer.close_plotter()
        self._panes.clear()
        self._shown = []
