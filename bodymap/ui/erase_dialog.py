"""File › Erase client…: every record of one client, after typing the client's name.

A client with finalised (signed) sessions gets a warning about record-keeping duties
first, and one more tick. After the store has erased the records, the app also forgets
every copy it keeps in its own folders: settings naming the client's ids, and cache files.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.session import Client
from bodymap.io.paths import cache_dir
from bodymap.store import StoreError
from bodymap.ui.settings import app_settings

DUTY_TEXT = (
    "{count} of this client's sessions are finalised (signed clinical records). Health "
    "records often must be kept for years: check your record-keeping duties (retention "
    "periods, your professional body's rules) before erasing them."
)


def same_name(typed: str, name: str) -> bool:
    """Whether ``typed`` is ``name`` (spaces and letter case aside)."""
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold() != ""


class EraseClientDialog(QDialog):
    """Choose a client and type their name; ``signed(client_id)`` counts finalised sessions."""

    def __init__(self, clients: list[Client], signed, current: str | None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Erase client")
        self._signed = signed
        self.clients = QComboBox()
        for client in clients:
            self.clients.addItem(f"{client.name} ({client.id})", client)
            if client.id == current:
                self.clients.setCurrentIndex(self.clients.count() - 1)
        self.duty = QLabel()
        self.duty.setWordWrap(True)
        self.duty_checked = QCheckBox("I have checked my record-keeping duties")
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("The client's name")
        intro = QLabel(
            "Erasing removes every session, draft and amendment of the client from this "
            "store. It cannot be undone (backups made before keep their copy)."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Client:", self.clients)
        form.addRow("Type their name:", self.typed)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.erase_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.erase_button.setText("Erase for ever")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.duty, self.duty_checked):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.clients.currentIndexChanged.connect(self._client_changed)
        self.typed.textChanged.connect(self._update)
        self.duty_checked.toggled.connect(self._update)
        self._client_changed()

    @property
    def client(self) -> Client | None:
        return self.clients.currentData()

    def _client_changed(self) -> None:
        client = self.client
        count = self._signed(client.id) if client is not None else 0
        self.duty.setText(DUTY_TEXT.format(count=count) if count else "")
        self.duty.setVisible(bool(count))
        self.duty_checked.setVisible(bool(count))
        self.duty_checked.setChecked(False)
        self.typed.clear()
        self._update()

    def _update(self) -> None:
        client = self.client
        ok = client is not None and same_name(self.typed.text(), client.name)
        if self.duty.text():
            ok = ok and self.duty_checked.isChecked()
        self.erase_button.setEnabled(ok)


def forget_client_copies(client_id: str, session_ids: list[str]) -> int:
    """Remove the app's own copies naming the client: settings and cache files; how many."""
    ids = [client_id, *session_ids]
    settings = app_settings()
    removed = 0
    for key in settings.allKeys():
        value = settings.value(key)
        if isinstance(value, str | list) and any(i in str(value) for i in ids):
            settings.remove(key)
            removed += 1
    settings.sync()
    folder = cache_dir()
    if folder.is_dir():
        for path in [p for p in folder.rglob("*") if p.is_file()]:
            if any(i in path.name for i in ids):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


class EraseActions(QObject):
    """The Erase client… action."""

    message = pyqtSignal(str)
    erased = pyqtSignal(str)

    def __init__(self, sessions, parent: QWidget) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._parent = parent
        self.action = QAction("&Erase client…", parent)
        self.action.setToolTip("Remove every record of one client from this store")
        self.action.triggered.connect(self.erase_dialog)

    def _signed(self, client_id: str) -> int:
        store = self._sessions.store
        return sum(1 for s in self._sessions.call(store.sessions, client_id) if s.finalised)

    def erase_dialog(self) -> bool:
        """Ask which client, with the typed confirmation; then erase."""
        sessions = self._sessions
        try:
            clients = sessions.call(sessions.store.clients)
        except StoreError as error:
            QMessageBox.warning(self._parent, "Cannot list the clients", str(error))
            return False
        if not clients:
            self.message.emit("There is no client to erase.")
            return False
        current = sessions.client.id if sessions.client is not None else None
        dialog = EraseClientDialog(clients, self._signed, current, self._parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.client is None:
                return False
            return self.erase(dialog.client.id)
        finally:
            dialog.deleteLater()

    def erase(self, client_id: str) -> bool:
        """Erase ``client_id`` (closing their open session first); whether it was done."""
        sessions = self._sessions
        store = sessions.store
        if sessions.client is not None and sessions.client.id == client_id:
            if not sessions.close_session():
                return False
        try:
            session_ids = [s.id for s in sessions.call(store.sessions, client_id)]
            session_ids += [d.session_id for d in sessions.call(store.drafts)
                            if d.client_id == client_id]  # fmt: skip
            sessions.call(store.delete_client, client_id)
        except StoreError as error:
            QMessageBox.warning(self._parent, "The client was not erased", str(error))
            return False
        forget_client_copies(client_id, session_ids)
        self.erased.emit(client_id)
        self.message.emit(f"Erased client {client_id} and every record of theirs.")
        return True
