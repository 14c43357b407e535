"""Edit › Session date and time…: set when the open session took place.

A session can be entered after the fact (charted at the end of the day, or from paper
notes), so its ``started`` time may be set to any moment up to now. The change is one
undoable step like any other edit of the session; the audit log keeps the real time of
each write by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from PyQt6.QtCore import QDateTime
from PyQt6.QtGui import QAction, QUndoStack
from PyQt6.QtWidgets import QDateTimeEdit, QDialog, QDialogButtonBox, QFormLayout, QWidget

from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change
from bodymap.core.session import Session
from bodymap.ui.undo import push_edit

EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
DISPLAY_FORMAT = "ddd d MMM yyyy, HH:mm"


@dataclass(eq=False)
class SessionTimeEdit:
    """Set a session's ``started`` (an aware datetime) from ``before`` to ``after``."""

    before: datetime
    after: datetime
    text: str = "set the session's date and time"

    def apply(self, session: Session) -> Change:
        session.started = self.after
        return Change("session")

    def revert(self, session: Session) -> Change:
        session.started = self.before
        return Change("session")


def to_qdatetime(moment: datetime) -> QDateTime:
    """An aware datetime as a QDateTime in the computer's time zone."""
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def from_qdatetime(moment: QDateTime) -> datetime:
    """A QDateTime as an aware UTC datetime (whole seconds)."""
    return datetime.fromtimestamp(moment.toSecsSinceEpoch(), UTC)


class SessionTimeDialog(QDialog):
    """Ask for a session's date and time, in local time, no later than now."""

    def __init__(self, started: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Session date and time")
        self.editor = QDateTimeEdit(to_qdatetime(started))
        self.editor.setDisplayFormat(DISPLAY_FORMAT)
        self.editor.setCalendarPopup(True)
        self.editor.setDateTimeRange(to_qdatetime(EARLIEST), QDateTime.currentDateTime())
        self.editor.setToolTip("When the session took place (your computer's time zone)")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Took place", self.editor)
        form.addRow(buttons)

    def started(self) -> datetime:
        return from_qdatetime(self.editor.dateTime())


def set_session_time(
    stack: QUndoStack, document: SessionDocument, started: datetime
) -> SessionTimeEdit | None:
    """Set ``document``'s session time as one undo step; ``None`` if it is unchanged.

    Raises
    ------
    SessionFinalisedError
        If the session is finalised.
    ValueError
        If ``started`` has no time zone.
    """
    if started.tzinfo is None:
        raise ValueError("a session's time needs a time zone")
    before = document.session.started
    if started == before:
        return None
    edit = SessionTimeEdit(before, started.astimezone(UTC))
    push_edit(stack, document, edit)
    return edit


class SessionTimeAction(QAction):
    """The Edit menu's action: enabled while an editable session is open."""

    def __init__(self, window, ask=None) -> None:
        super().__init__("Session date and &time…", window)
        self._window = window
        self._ask = ask or self._ask_dialog
        self.setToolTip("Set when this session took place, for a session entered afterwards")
        self.triggered.connect(self.edit_time)
        self.update_enabled()
        if window.sessions is not None:
            window.sessions.session_changed.connect(lambda _doc: self.update_enabled())

    def update_enabled(self) -> None:
        document = self._window.document
        self.setEnabled(document is not None and document.editable)

    def edit_time(self) -> None:
        document = self._window.document
        if document is None or not document.editable:
            return
        started = self._ask(document.session.started)
        if started is not None:
            set_session_time(self._window.undo_stack, document, started)

    def _ask_dialog(self, started: datetime) -> datetime | None:
        dialog = SessionTimeDialog(started, self._window)
        try:
            return dialog.started() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
