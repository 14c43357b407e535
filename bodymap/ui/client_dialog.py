"""Create a client or edit one: name, date of birth, contact, notes, body (saved on OK)."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from bodymap.core.session import Client
from bodymap.store import Store, StoreError
from bodymap.ui.body_chooser import BodyChooser


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class ClientDialog(QDialog):
    """Create a client, or edit one (``client`` given); saves to ``store`` on OK.

    A store failure is shown in one line and the dialog stays open. After acceptance
    :attr:`client` is the saved client. Tests build it, fill it, and click OK.
    """

    def __init__(
        self, store: Store, client: Client | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New client" if client is None else "Edit client")
        self._store = store
        self._original = client
        self.client: Client | None = None
        self.name = QLineEdit(client.name if client else "")
        self.born = QLineEdit(client.born if client else "")
        self.born.setPlaceholderText("Optional, e.g. 12 April 1980")
        self.contact = QLineEdit(client.contact if client else "")
        self.notes = QPlainTextEdit(client.notes if client else "")
        self.notes.setTabChangesFocus(True)
        form = QFormLayout(self)
        form.addRow("&Name", self.name)
        form.addRow("Date of &birth", self.born)
        form.addRow("&Contact", self.contact)
        form.addRow("N&otes", self.notes)
        self.body = BodyChooser(client.body if client else None)
        form.addRow(self.body)
        self.buttons = _buttons(self)
        form.addRow(self.buttons)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.name.textChanged.connect(self._update_ok)
        self._update_ok()

    def details(self) -> dict:
        """The fields as the store takes them (ValueError for a body build out of range)."""
        return {
            "name": self.name.text().strip(),
            "born": self.born.text().strip(),
            "contact": self.contact.text().strip(),
            "notes": self.notes.toPlainText().strip(),
            "body": self.body.spec(),
        }

    def accept(self) -> None:
        try:
            details = self.details()
        except ValueError as error:
            QMessageBox.warning(self, self.windowTitle(), str(error).splitlines()[0])
            return
        if not details["name"]:
            return
        try:
            if self._original is None:
                self.client = self._store.create_client(**details)
            else:
                self.client = self._store.edit_client(self._original.id, **details)
        except (StoreError, ValueError) as error:
            QMessageBox.warning(self, self.windowTitle(), str(error).splitlines()[0])
            return
        super().accept()

    @classmethod
    def create(cls, parent: QWidget | None, store: Store) -> Client | None:
        """Ask (modal) for a new client; the saved client, or ``None`` if cancelled."""
        return cls._ask(cls(store, None, parent))

    @classmethod
    def edit(cls, parent: QWidget | None, store: Store, client: Client) -> Client | None:
        """Ask (modal) to edit ``client``; the saved client, or ``None`` if cancelled."""
        return cls._ask(cls(store, client, parent))

    @staticmethod
    def _ask(dialog: ClientDialog) -> Client | None:
        try:
            return dialog.client if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.name.text().strip()))
