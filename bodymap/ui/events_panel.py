"""The session timeline: still points, significance detectors, releases, techniques, and
the spoken notes (:class:`~bodymap.ui.spoken_notes.SpokenNotesList`), played from here.

Every change is an :class:`~bodymap.core.edits.EventEdit` on the undo stack. Placing an
event on the body is the main window's job (it owns the 3D view): the panel asks with
:attr:`EventsPanel.request_location` and is answered with
:meth:`EventsPanel.set_event_location`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC

from PyQt6.QtCore import QEvent, QObject, Qt, QTime, pyqtSignal
from PyQt6.QtGui import QKeyEvent, QUndoStack
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTimeEdit,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.annotations import SurfacePoint
from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change, EventEdit
from bodymap.core.session import EVENT_KINDS, TEN_STEP_PROTOCOL, SessionEvent, utc_now
from bodymap.ui.document_binding import DocumentBound
from bodymap.ui.spoken_notes import SpokenNotesList
from bodymap.ui.undo import push_edit

TIME_FORMAT = "%H:%M:%S"
NOTE_CHARS = 60
COLUMNS = ("Time", "Event", "Note", "On body")
ID_ROLE = Qt.ItemDataRole.UserRole
PLACED_MARK = "●"


def local_time_text(event: SessionEvent) -> str:
    """The event's time of day in the computer's time zone, e.g. ``14:03:27``."""
    return event.time.astimezone().strftime(TIME_FORMAT)


def short_note(event: SessionEvent) -> str:
    """One line for the list: the note, else the dialogue, cut to fit."""
    text = " ".join((event.note or event.dialogue).split())
    return text if len(text) <= NOTE_CHARS else text[: NOTE_CHARS - 1] + "…"


class EventDialog(QDialog):
    """Edit one event: kind, time of day, note, dialogue, technique and placement.

    Build it and read :meth:`result_event`, or call :meth:`edit` to ask and wait.
    """

    def __init__(
        self, event: SessionEvent, parent: QWidget | None = None, *, new: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New event" if new else "Edit event")
        self._event = event
        self.kind = QComboBox()
        for key, label in EVENT_KINDS.items():
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(self.kind.findData(event.kind))
        local = event.time.astimezone()
        self.time = QTimeEdit(QTime(local.hour, local.minute, local.second))
        self.time.setDisplayFormat("HH:mm:ss")
        self.note = QLineEdit(event.note)
        self.dialogue = QPlainTextEdit(event.dialogue)
        self.dialogue.setTabChangesFocus(True)
        self.dialogue.setPlaceholderText("What was said during the release")
        self.technique = QComboBox()
        self.technique.setEditable(True)
        self.technique.addItems(TEN_STEP_PROTOCOL)
        self.technique.setCurrentIndex(-1)
        self.technique.setEditText(event.technique)
        self.placement = QLabel(
            "Placed on the body" if event.at is not None else "Not placed on the body"
        )
        self.unplace = QCheckBox("Remove from the body")
        self.unplace.setVisible(event.at is not None)
        self.form = QFormLayout(self)
        self.form.addRow("&Kind", self.kind)
        self.form.addRow("&Time", self.time)
        self.form.addRow("&Note", self.note)
        self.form.addRow("&Dialogue", self.dialogue)
        self.form.addRow("Te&chnique", self.technique)
        self.form.addRow("Place", self.placement)
        self.form.addRow("", self.unplace)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._show_dialogue)
        self._show_dialogue()

    def result_event(self) -> SessionEvent:
        """The event as the dialog shows it (same id)."""
        t = self.time.time()
        local = self._event.time.astimezone()
        when = local.replace(hour=t.hour(), minute=t.minute(), second=t.second())
        return replace(
            self._event,
            kind=self.kind.currentData(),
            time=when.astimezone(UTC),
            note=self.note.text().strip(),
            dialogue=self.dialogue.toPlainText(),
            technique=self.technique.currentText().strip(),
            at=None if self.unplace.isChecked() else self._event.at,
        )

    @classmethod
    def edit(
        cls, parent: QWidget | None, event: SessionEvent, *, new: bool = False
    ) -> SessionEvent | None:
        """Ask (modal) and return the edited event, or ``None`` if cancelled."""
        dialog = cls(event, parent, new=new)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_event()
            return None
        finally:
            dialog.deleteLater()

    def _show_dialogue(self) -> None:
        # Dialogue belongs to emotional releases; one already written always stays in view.
        shown = self.kind.currentData() == "emotional_release" or bool(self._event.dialogue)
        self.form.setRowVisible(self.dialogue, shown)


class EventsPanel(QWidget, DocumentBound):
    """The timeline of the open session, sorted by time.

    Signals
    -------
    request_location(str)
        The user wants to place this event (by id) on the body; answer with
        :meth:`set_event_location`.
    event_selected(str)
        The selected event's id, ``""`` when none.
    """

    request_location = pyqtSignal(str)
    event_selected = pyqtSignal(str)

    def __init__(self, stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self._document: SessionDocument | None = None
        self._announced_selection = ""
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemDoubleClicked.connect(self._item_double_clicked)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.installEventFilter(self)
        self.add_buttons: dict[str, QToolButton] = {}
        grid = QGridLayout()
        for i, (kind, label) in enumerate(EVENT_KINDS.items()):
            button = QToolButton()
            button.setText(label)
            button.setToolTip(f"Add a {label.lower()} now")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, k=kind: self.add_event(k))
            grid.addWidget(button, i // 3, i % 3)
            self.add_buttons[kind] = button
        self._add_technique_menu(self.add_buttons["technique"])
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.clicked.connect(lambda: self.edit_event())
        self.place_button = QPushButton("&Place on body")
        self.place_button.setToolTip("Then click the body where it happened")
        self.place_button.clicked.connect(self._request_location)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.clicked.connect(lambda: self.delete_event())
        row = QHBoxLayout()
        for button in (self.edit_button, self.place_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.notes = SpokenNotesList(stack)
        layout.addWidget(self.notes, 1)
        self.set_document(None)

    @property
    def editable(self) -> bool:
        return self._document is not None and self._document.editable

    def set_document(self, document: SessionDocument | None) -> None:
        """Show ``document``'s timeline (``None``: empty and disabled)."""
        self._bind(document)
        self.notes.set_document(document)
        self._reload()

    def find_event(self, event_id: str) -> SessionEvent | None:
        if self._document is None:
            return None
        return next((e for e in self._document.session.events if e.id == event_id), None)

    def selected_id(self) -> str | None:
        items = self.tree.selectedItems()
        return items[0].data(0, ID_ROLE) if items else None

    def select_event(self, event_id: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, ID_ROLE) == event_id:
                self.tree.setCurrentItem(item)
                return

    def add_event(self, kind: str, *, technique: str = "", note: str = "") -> SessionEvent | None:
        """Add an event of ``kind`` happening now; return it (``None`` if read-only)."""
        if not self.editable:
            return None
        event = SessionEvent(kind, utc_now(), note=note, technique=technique)
        push_edit(self.stack, self._document, EventEdit(None, event))
        self.select_event(event.id)
        return event

    def edit_event(self, event_id: str | None = None) -> bool:
        """Open the dialog for an event (default: the selected one); True if it changed."""
        before = self.find_event(event_id or self.selected_id() or "")
        if before is None or not self.editable:
            return False
        after = EventDialog.edit(self, before)
        if after is None or after == before:
            return False
        push_edit(self.stack, self._document, EventEdit(before, after))
        self.select_event(after.id)
        return True

    def delete_event(self, event_id: str | None = None) -> bool:
        """Delete an event (default: the selected one); True if one was deleted."""
        before = self.find_event(event_id or self.selected_id() or "")
        if before is None or not self.editable:
            return False
        push_edit(self.stack, self._document, EventEdit(before, None))
        return True

    def set_event_location(self, event_id: str, at: SurfacePoint | None) -> None:
        """Place an event on the body (``None``: take it off) as one undo step."""
        before = self.find_event(event_id)
        if before is None or not self.editable or before.at == at:
            return
        push_edit(self.stack, self._document, EventEdit(before, replace(before, at=at)))

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if (
            watched is self.tree
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            return self.delete_event()
        return False

    def _add_technique_menu(self, button: QToolButton) -> None:
        """The technique button offers the 10-step protocol, and "Other…" for the rest."""
        menu = QMenu(button)
        for step in TEN_STEP_PROTOCOL:
            menu.addAction(step, lambda s=step: self.add_event("technique", technique=s))
        menu.addSeparator()
        menu.addAction("Other…", self._add_other_technique)
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

    def _add_other_technique(self) -> None:
        if self.editable:
            event = EventDialog.edit(self, SessionEvent("technique", utc_now()), new=True)
            if event is not None:
                push_edit(self.stack, self._document, EventEdit(None, event))

    def _item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        self.edit_event(item.data(0, ID_ROLE))

    def _request_location(self) -> None:
        event_id = self.selected_id()
        if event_id and self.editable:
            self.request_location.emit(event_id)

    def _on_change(self, change: Change) -> None:
        if change.kind in ("events", "session"):
            self._reload()

    def _reload(self) -> None:
        selected = self.selected_id()
        self.tree.blockSignals(True)
        self.tree.clear()
        events = [] if self._document is None else self._document.session.events
        for event in sorted(events, key=lambda e: e.time):
            label = event.label + (f": {event.technique}" if event.technique else "")
            placed = PLACED_MARK if event.at is not None else ""
            item = QTreeWidgetItem([local_time_text(event), label, short_note(event), placed])
            item.setData(0, ID_ROLE, event.id)
            tip = "\n".join(t for t in (event.note, event.dialogue) if t)
            for column in range(len(COLUMNS)):
                item.setToolTip(column, tip or label)
            self.tree.addTopLevelItem(item)
        if selected:
            self.select_event(selected)
        self.tree.blockSignals(False)
        for column in range(len(COLUMNS) - 1):
            self.tree.resizeColumnToContents(column)
        editable = self.editable
        for button in (*self.add_buttons.values(), self.edit_button, self.delete_button):
            button.setEnabled(editable)
        self.place_button.setEnabled(editable)
        self.setEnabled(self._document is not None)
        self._selection_changed()

    def _selection_changed(self) -> None:
        selected = self.selected_id() or ""
        if selected != self._announced_selection:
            self._announced_selection = selected
            self.event_selected.emit(selected)
