"""Protecting the live store with a passphrase, its recovery key, changing the passphrase.

Protecting runs on the store worker, so no save or draft of the open session can slip in
between the conversion and :meth:`Store.adopt_keys`; the session stays open throughout.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QFont, QTextDocument
from PyQt6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bodymap.store import StoreError
from bodymap.store.keys import change_passphrase
from bodymap.store.protection import protect
from bodymap.ui import keychain
from bodymap.ui.store_jobs import run_store_job
from bodymap.ui.unlock_dialog import WRONG_TEXT, NewPassphraseDialog, try_unlock

RECOVERY_TEXT = (
    "This is the recovery key of your records. It opens them if the passphrase is ever "
    "forgotten, and it is shown only now. Print it or write it down, and keep it somewhere "
    "safe, away from this computer."
)


class RecoveryKeyDialog(QDialog):
    """Shows the recovery key once, with Print…; closes only after "I have kept it"."""

    def __init__(self, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your recovery key")
        self.recovery_key = recovery_key
        intro = QLabel(RECOVERY_TEXT)
        intro.setWordWrap(True)
        self.key_label = QLabel(recovery_key)
        self.key_label.setFont(QFont("monospace", 14))
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = QPushButton("Print…")
        self.print_button.clicked.connect(self.print_key)
        self.kept = QCheckBox("I have kept it")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.kept.toggled.connect(
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled
        )
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        for widget in (intro, self.key_label, self.print_button, self.kept, self.buttons):
            layout.addWidget(widget)

    def reject(self) -> None:
        # Esc or the close button would lose the key before it was kept.
        if self.kept.isChecked():
            super().reject()

    def print_key(self, printer=None) -> bool:
        """Print the key (QPrintDialog, on ``printer`` or the default one); whether it
        was sent to a printer."""
        from PyQt6.QtPrintSupport import QPrintDialog, QPrinter

        printer = printer or QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        page = QTextDocument()
        page.setPlainText(f"BodyMap recovery key\n\n{self.recovery_key}\n\n{RECOVERY_TEXT}\n")
        page.print(printer)
        return True


class ProtectActions(QObject):
    """Menu actions: protect the records with a passphrase; change the passphrase.

    Signals
    -------
    protection_changed(): the store was protected (banner and lock update).
    """

    protection_changed = pyqtSignal()
    message = pyqtSignal(str)

    def __init__(self, sessions, parent: QWidget) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._parent = parent
        self.protect_action = QAction("&Protect records with a passphrase…", parent)
        self.protect_action.setToolTip("Encrypt every record in this store (can take a while)")
        self.protect_action.triggered.connect(self.protect)
        self.change_action = QAction("C&hange passphrase…", parent)
        self.change_action.triggered.connect(self.change_passphrase)
        self.forget_action = QAction("&Forget the passphrase on this computer", parent)
        self.forget_action.setToolTip("Remove it from the system keychain: asked at each start")
        self.forget_action.triggered.connect(self.forget_passphrase)
        self.update_enabled()

    @property
    def store(self):
        return self._sessions.store

    def update_enabled(self) -> None:
        self.protect_action.setEnabled(not self.store.protected)
        self.change_action.setEnabled(self.store.protected)
        self.forget_action.setEnabled(self.store.protected)

    def forget_passphrase(self) -> None:
        keychain.forget(self.store.root)
        self.message.emit("The passphrase is no longer kept on this computer.")

    def protect(self) -> bool:
        """Ask a passphrase twice, protect the store in place, show the recovery key once."""
        if self.store.protected:
            return False
        dialog = NewPassphraseDialog("Protect records with a passphrase", False, self._parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            passphrase, remember = dialog.passphrase, dialog.remember.isChecked()
        finally:
            dialog.deleteLater()
        store = self.store

        def job(progress):
            keys, recovery = protect(store.root, passphrase, progress=progress)
            store.adopt_keys(keys)
            return recovery

        try:
            recovery = run_store_job(
                self._parent, "Protecting records", "Encrypting the records…", job,
                self._sessions.worker,
            )  # fmt: skip
        except StoreError as error:
            QMessageBox.warning(self._parent, "The records were not protected", str(error))
            return False
        if remember:
            keychain.remember(store.root, passphrase)
        self.update_enabled()
        self.protection_changed.emit()
        if recovery:
            self.show_recovery_key(recovery)
        self.message.emit("The records are protected by your passphrase.")
        return True

    def show_recovery_key(self, recovery_key: str) -> None:
        dialog = RecoveryKeyDialog(recovery_key, self._parent)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()

    def change_passphrase(self) -> bool:
        """Re-wrap the data key under a new passphrase (no record is rewritten)."""
        store = self.store
        if not store.protected or store.keys is None:
            return False
        dialog = NewPassphraseDialog("Change passphrase", True, self._parent)
        try:
            while dialog.exec() == QDialog.DialogCode.Accepted:
                keys = try_unlock(store.root, dialog.current.text())
                if keys is None or keys.data_key != store.keys.data_key:
                    dialog.message.setText(WRONG_TEXT)
                    continue
                return self._rewrap(dialog.passphrase, dialog.remember.isChecked())
            return False
        finally:
            dialog.deleteLater()

    def _rewrap(self, passphrase: str, remember: bool) -> bool:
        store = self.store
        try:
            self._sessions.call(change_passphrase, store.root, store.keys, passphrase)
        except StoreError as error:
            QMessageBox.warning(self._parent, "The passphrase was not changed", str(error))
            return False
        keychain.forget(store.root)
        if remember:
            keychain.remember(store.root, passphrase)
        self.message.emit("The passphrase is changed; the recovery key still works.")
        return True
