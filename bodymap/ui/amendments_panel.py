"""Amendments: dated corrections to a finalised session, which itself stays untouched.

The panel lists them (oldest first, newest last) and adds new ones through
:meth:`Store.amend`. Until a session is finalised it is edited directly, so the panel only
says so.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bodymap.store import Amendment, Store, StoreError
from bodymap.ui.client_browser import local_datetime_text
from bodymap.ui.settings import PRACTITIONER_KEY, app_settings

SECTIONS = ("", "SOAP notes", "Findings", "Pins", "Timeline", "Rhythm", "Other")
WHOLE_SESSION = "(whole session)"
COLUMNS = ("Date", "Author", "Section", "Text")
NO_SESSION_TEXT = "No session is open."
NOT_FINALISED_TEXT = (
    "Amendments are added once a session is finalised; until then, edit the session itself."
)
FINALISED_TEXT = "This session is finalised. Corrections are added as dated amendments."


class AmendmentDialog(QDialog):
    """Write one amendment: section, text (required) and author (required).

    Build it and read :meth:`values`, or call :meth:`ask` to ask and wait.
    """

    def __init__(self, author: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add amendment")
        self.section = QComboBox()
        for section in SECTIONS:
            self.section.addItem(section or WHOLE_SESSION, section)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("The correction, as it should stand in the record")
        self.author = QLineEdit(author)
        form = QFormLayout(self)
        form.addRow("&Section", self.section)
        form.addRow("&Amendment", self.text)
        form.addRow("A&uthor", self.author)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.text.textChanged.connect(self._update_ok)
        self.author.textChanged.connect(self._update_ok)
        self._update_ok()

    def values(self) -> tuple[str, str, str]:
        """``(text, author, section)`` as the store takes them."""
        return (
            self.text.toPlainText().strip(),
            self.author.text().strip(),
            self.section.currentData(),
        )

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, author: str = "") -> tuple[str, str, str] | None:
        """Ask (modal); ``(text, author, section)``, or ``None`` if cancelled."""
        dialog = cls(author, parent)
        try:
            return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def _update_ok(self) -> None:
        text, author, _section = self.values()
        self.ok_button.setEnabled(bool(text and author))


class AmendmentsPanel(QWidget):
    """A finalised session's amendments, and a button to add one.

    Signals
    -------
    amended(str)
        The id of an amendment just stored.
    """

    amended = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store: Store | None = None
        self._session_id: str | None = None
        self._finalised = False
        self.message = QLabel(NO_SESSION_TEXT)
        self.message.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 170)
        self.add_button = QPushButton("Add amendment…")
        self.add_button.clicked.connect(self.add_amendment)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.add_button)
        self.set_session(None, None, False)

    @property
    def can_amend(self) -> bool:
        return self._store is not None and self._session_id is not None and self._finalised

    def set_session(self, store: Store | None, session_id: str | None, finalised: bool) -> None:
        """Show ``session_id``'s amendments (``None``: no session open)."""
        self._store, self._session_id, self._finalised = store, session_id, finalised
        if session_id is None or store is None:
            self.message.setText(NO_SESSION_TEXT)
        elif not finalised:
            self.message.setText(NOT_FINALISED_TEXT)
        else:
            self.message.setText(FINALISED_TEXT)
        self.add_button.setEnabled(self.can_amend)
        self.tree.setEnabled(self.can_amend)
        self.refresh()

    def refresh(self) -> None:
        """Read the amendments again from the store."""
        self.tree.clear()
        if not self.can_amend:
            return
        try:
            amendments = self._store.amendments(self._session_id)
        except StoreError as error:
            self.message.setText(str(error).splitlines()[0])
            return
        for amendment in amendments:
            self.tree.addTopLevelItem(_amendment_item(amendment))

    def add_amendment(self) -> None:
        """Ask for an amendment and store it."""
        if not self.can_amend:
            return
        author = str(app_settings().value(PRACTITIONER_KEY, "") or "")
        values = AmendmentDialog.ask(self, author)
        if values is not None:
            self.amend(*values)

    def amend(self, text: str, author: str, section: str = "") -> Amendment | None:
        """Store an amendment now; the stored one, or ``None`` (a warning says why)."""
        if not self.can_amend:
            return None
        try:
            amendment = self._store.amend(self._session_id, text, author, section)
        except StoreError as error:
            QMessageBox.warning(self, "Add amendment", str(error).splitlines()[0])
            return None
        self.refresh()
        self.amended.emit(amendment.id)
        return amendment


def _amendment_item(amendment: Amendment) -> QTreeWidgetItem:
    text = " ".join(amendment.text.split())
    item = QTreeWidgetItem(
        [
            local_datetime_text(amendment.created),
            amendment.author,
            amendment.section or WHOLE_SESSION,
            text,
        ]
    )
    item.setToolTip(3, amendment.text)
    return item
