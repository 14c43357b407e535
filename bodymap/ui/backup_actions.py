"""File › Back up…: the whole store to one checked archive, and when the last one was made."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QFileDialog, QMessageBox, QWidget

from bodymap.store import StoreError
from bodymap.store.backup import BackupInfo, backup, last_backup
from bodymap.ui.settings import BACKUP_FOLDER_KEY, app_settings
from bodymap.ui.store_jobs import run_store_job


def default_backup_name(folder: Path, today: date | None = None) -> Path:
    """``BodyMap backup 2026-12-02.zip`` in ``folder`` (a free name: `` (2)``… added)."""
    stem = f"BodyMap backup {(today or date.today()).isoformat()}"
    candidate = folder / f"{stem}.zip"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}).zip"
        number += 1
    return candidate


def size_text(size: int) -> str:
    """A size for people: ``"512 bytes"``, ``"3.4 MB"``."""
    if size < 1000:
        return f"{size} bytes"
    for unit in ("kB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


class BackupActions(QObject):
    """The Back up… action (Ctrl+Shift+B).

    Signals
    -------
    backed_up(object): the :class:`BackupInfo` of a backup just made.
    """

    backed_up = pyqtSignal(object)

    def __init__(self, sessions, parent: QWidget) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._parent = parent
        self.action = QAction("&Back up…", parent)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.action.setToolTip("Write every record of this store to one checked archive")
        self.action.triggered.connect(self.back_up_dialog)

    def last_backup(self) -> datetime | None:
        """When the store was last backed up (its audit log), or ``None`` (also if unreadable)."""
        try:
            return self._sessions.call(last_backup, self._sessions.store)
        except (StoreError, OSError, ValueError):
            return None

    def back_up_dialog(self) -> BackupInfo | None:
        """Ask where, write and check the archive, then say where it is and how large."""
        settings = app_settings()
        folder = Path(str(settings.value(BACKUP_FOLDER_KEY, "") or Path.home()))
        name, _ = QFileDialog.getSaveFileName(
            self._parent, "Back up every record", str(default_backup_name(folder)),
            "BodyMap backup (*.zip)",
        )  # fmt: skip
        if not name:
            return None
        target = Path(name)
        if target.suffix.lower() != ".zip":
            target = target.with_name(target.name + ".zip")
        settings.setValue(BACKUP_FOLDER_KEY, str(target.parent))
        return self.back_up(target)

    def back_up(self, target: Path) -> BackupInfo | None:
        """Write the backup to ``target``, with progress; ``None`` (after saying why) on failure."""
        store = self._sessions.store
        try:
            info = run_store_job(
                self._parent, "Backing up", "Writing and checking the backup…",
                lambda progress: backup(store, target, progress), self._sessions.worker,
            )  # fmt: skip
        except StoreError as error:
            QMessageBox.warning(self._parent, "The backup was not made", str(error))
            return None
        state = (
            "The records in it are encrypted."
            if store.protected
            else "The records in it are NOT encrypted: keep it somewhere safe."
        )
        QMessageBox.information(
            self._parent,
            "Backup made",
            f"Backed up {info.files} files ({size_text(info.bytes)}) to\n{info.path}\n\n"
            f"It was read back and checked. {state}",
        )
        self.backed_up.emit(info)
        return info
