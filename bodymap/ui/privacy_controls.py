"""The app's privacy features in one place for the main window: protecting the records,
the passphrase, backups, erasing a client, the screen lock, and the banner offering them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PyQt6.QtCore import QObject, Qt, QTimer
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QDialog, QLabel, QMainWindow, QMenu

from bodymap.ui.backup_actions import BackupActions
from bodymap.ui.erase_dialog import EraseActions
from bodymap.ui.privacy_banner import (
    PROTECT_TEXT,
    PrivacyBanner,
    backup_reminder_text,
    banner_bar,
    last_backup_text,
)
from bodymap.ui.privacy_settings import PrivacySettingsDialog, idle_minutes, reminder_days
from bodymap.ui.protect_actions import ProtectActions
from bodymap.ui.screen_lock import ScreenLock
from bodymap.ui.settings import app_settings, store_setting_key

NOT_NOW = "protect_not_now"
"""Per store (an opaque hash of its path): the practitioner chose "Not now" on the offer."""


class PrivacyControls(QObject):
    """Creates the privacy actions, the banner, the last-backup note and the screen lock.

    Parameters
    ----------
    window : QMainWindow
        The main window (its status bar, toolbars, docks and central widget).
    sessions : SessionManager
        The live store and its worker.
    """

    def __init__(self, window: QMainWindow, sessions) -> None:
        super().__init__(window)
        self._window = window
        self._sessions = sessions
        self._backup_later = False
        self.protect = ProtectActions(sessions, window)
        self.backups = BackupActions(sessions, window)
        self.erase = EraseActions(sessions, window)
        self.lock = ScreenLock(window, lambda: sessions.store, idle_minutes())
        self.lock_action = QAction("&Lock now", window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setToolTip("Hide the records until the passphrase is given (Ctrl+L)")
        self.lock_action.triggered.connect(self.lock.lock)
        self.settings_action = QAction("Privacy &settings…", window)
        self.settings_action.triggered.connect(self.edit_settings)
        self.banner = PrivacyBanner()
        self.banner.act.connect(self._act)
        self.banner.dismissed.connect(self._dismiss)
        self.bar = banner_bar(self.banner, window)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.bar)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)  # its own row, at the top
        self.backup_label = QLabel()
        window.statusBar().addPermanentWidget(self.backup_label)
        for source in (self.protect, self.erase):
            source.message.connect(self._status)
        self.protect.protection_changed.connect(self.refresh)
        self.backups.backed_up.connect(lambda _info: self.refresh())
        self.refresh()
        # The window restores its saved layout after this: show the banner as it should be.
        QTimer.singleShot(0, self._show_banner)

    def add_to(self, menu: QMenu) -> None:
        """Back up… and Erase client… in ``menu`` (File), and a Privacy submenu."""
        menu.addAction(self.backups.action)
        menu.addAction(self.erase.action)
        privacy = menu.addMenu("P&rivacy")
        protect = self.protect
        for action in (protect.protect_action, protect.change_action, protect.forget_action):
            privacy.addAction(action)
        privacy.addSeparator()
        privacy.addAction(self.lock_action)
        privacy.addAction(self.settings_action)

    def refresh(self) -> None:
        """Update the banner (one offer at most) and the last-backup note."""
        store = self._sessions.store
        self.protect.update_enabled()
        last = self.backups.last_backup()
        self.backup_label.setText(last_backup_text(last))
        not_now = app_settings().value(store_setting_key(store.root, NOT_NOW), False)
        reminder = backup_reminder_text(last, datetime.now(UTC), reminder_days())
        if not any(store.layout.clients.glob("*.json")):
            reminder = None  # nothing to back up yet: no reminder on a new, empty store
        if not store.protected and str(not_now).lower() not in ("true", "1"):
            self.banner.show_offer("protect", PROTECT_TEXT)
        elif reminder and not self._backup_later:
            self.banner.show_offer("backup", reminder)
        else:
            self.banner.kind = ""
        self._show_banner()

    def _show_banner(self) -> None:
        self.bar.setVisible(bool(self.banner.kind))

    def edit_settings(self) -> bool:
        dialog = PrivacySettingsDialog(self._window)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            dialog.save()
        finally:
            dialog.deleteLater()
        self.lock.watcher.set_minutes(idle_minutes())
        self.refresh()
        return True

    def _act(self, kind: str) -> None:
        if kind == "protect":
            self.protect.protect()
        elif kind == "backup":
            self.backups.back_up_dialog()

    def _dismiss(self, kind: str) -> None:
        if kind == "protect":
            settings = app_settings()
            settings.setValue(store_setting_key(self._sessions.store.root, NOT_NOW), True)
            settings.sync()
        else:
            self._backup_later = True  # for this run: the reminder comes back next start
        self.refresh()

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 8000)
