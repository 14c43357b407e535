"""Asking for a protected store's passphrase: at start, and when choosing a new one.

At start the passphrase comes from ``--passphrase-file`` or ``BODYMAP_PASSPHRASE_FILE``
when given (scripts and tests: no dialog), else from the keychain when the practitioner
asked to be remembered, else from :class:`UnlockDialog`, asked again after each wrong one.
"""

from __future__ import annotations

import os
from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from bodymap.store import StoreError
from bodymap.store.crypto import WrongPassphraseError
from bodymap.store.keys import StoreKeys, check_passphrase, read_passphrase_file, unlock
from bodymap.ui import keychain

PASSPHRASE_ENV = "BODYMAP_PASSPHRASE_FILE"
WRONG_TEXT = "That passphrase does not unlock these records. Try again."


def password_field(hint: str = "") -> QLineEdit:
    """A field whose text is hidden, with a grey ``hint`` while it is empty."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(hint)
    field.setMinimumWidth(280)
    return field


def remember_box() -> QCheckBox:
    """ "Remember on this computer", offered only when a keychain works."""
    box = QCheckBox("Remember on this computer (in the system keychain)")
    if not keychain.available():
        box.setEnabled(False)
        box.setToolTip("No system keychain is available here: the passphrase is asked each time")
    return box


def try_unlock(root: Path, passphrase: str) -> StoreKeys | None:
    """The keys, or ``None`` for a wrong passphrase (unlock waits longer each time)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return unlock(root, passphrase)
    except WrongPassphraseError:
        return None
    finally:
        QGuiApplication.restoreOverrideCursor()


class UnlockDialog(QDialog):
    """The passphrase of a protected store (password echo), with "Remember"."""

    def __init__(self, root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.root = Path(root)
        self.keys: StoreKeys | None = None
        self.setWindowTitle("Unlock BodyMap")
        self.passphrase = password_field("Passphrase")
        self.remember = remember_box()
        self.message = QLabel("These records are protected. Enter the passphrase to open them.")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Unlock")
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.remember)
        layout.addWidget(buttons)

    def check(self) -> None:
        """Unlock with what was typed; accept on success, else say so and ask again."""
        text = self.passphrase.text()
        keys = try_unlock(self.root, text) if text else None
        if keys is None:
            self.message.setText(WRONG_TEXT)
            self.passphrase.clear()
            self.passphrase.setFocus()
            return
        self.keys = keys
        if self.remember.isChecked():
            keychain.remember(self.root, text)
        self.accept()


def unlock_at_start(root: Path, passphrase_file: Path | None = None) -> StoreKeys | None:
    """The keys of the protected store at ``root``; ``None`` when the practitioner cancels.

    Raises
    ------
    StoreError
        The passphrase file cannot be read or does not unlock the store (no dialog then:
        a script asked for it).
    """
    env = os.environ.get(PASSPHRASE_ENV)
    named = passphrase_file or (Path(env) if env else None)
    if named is not None:
        try:
            return unlock(root, read_passphrase_file(named))
        except WrongPassphraseError:
            raise StoreError(f"the passphrase in {named} does not unlock the store") from None
    kept = keychain.remembered(root)
    if kept is not None:
        keys = try_unlock(root, kept)
        if keys is not None:
            return keys
        keychain.forget(root)  # changed elsewhere: ask, and remember again if ticked
    dialog = UnlockDialog(root)
    try:
        return dialog.keys if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


class NewPassphraseDialog(QDialog):
    """A new passphrase, typed twice (and the current one, when changing it)."""

    def __init__(self, title: str, ask_current: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.current = password_field("Current passphrase") if ask_current else None
        self.first = password_field("At least 8 characters")
        self.second = password_field("The same again")
        self.remember = remember_box()
        self.message = QLabel(
            "Choose a passphrase you will remember. Without it (or the recovery key) the "
            "records cannot be opened by anyone, you included."
        )
        self.message.setWordWrap(True)
        form = QFormLayout()
        if self.current is not None:
            form.addRow("Current passphrase:", self.current)
        form.addRow("New passphrase:", self.first)
        form.addRow("Repeat it:", self.second)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(buttons)

    @property
    def passphrase(self) -> str:
        return self.first.text()

    def check(self) -> None:
        """Accept only two equal passphrases long enough; else say why in one line."""
        if self.first.text() != self.second.text():
            self.message.setText("The two passphrases differ: type them again.")
            self.second.clear()
            return
        try:
            check_passphrase(self.first.text())
        except StoreError as error:
            self.message.setText(f"Not accepted: {error}.")
            return
        self.accept()
