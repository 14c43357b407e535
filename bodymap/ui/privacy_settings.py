"""Privacy settings: minutes before the screen locks, days before a backup reminder."""

from __future__ import annotations

from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

from bodymap.ui.settings import (
    BACKUP_REMINDER_DAYS_KEY,
    DEFAULT_BACKUP_REMINDER_DAYS,
    DEFAULT_IDLE_MINUTES,
    IDLE_MINUTES_KEY,
    app_settings,
    int_setting,
)

MAX_IDLE_MINUTES = 240
MAX_REMINDER_DAYS = 365


def idle_minutes() -> int:
    return int_setting(IDLE_MINUTES_KEY, DEFAULT_IDLE_MINUTES, 0, MAX_IDLE_MINUTES)


def reminder_days() -> int:
    return int_setting(BACKUP_REMINDER_DAYS_KEY, DEFAULT_BACKUP_REMINDER_DAYS, 0, MAX_REMINDER_DAYS)


class PrivacySettingsDialog(QDialog):
    """Edits the two settings; :meth:`save` writes them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Privacy settings")
        self.idle = QSpinBox()
        self.idle.setRange(0, MAX_IDLE_MINUTES)
        self.idle.setSuffix(" min")
        self.idle.setSpecialValueText("Never")
        self.idle.setValue(idle_minutes())
        self.idle.setToolTip("Hide the records after this long without key or mouse input")
        self.days = QSpinBox()
        self.days.setRange(0, MAX_REMINDER_DAYS)
        self.days.setSuffix(" days")
        self.days.setSpecialValueText("Never")
        self.days.setValue(reminder_days())
        self.days.setToolTip("Remind to back up after this many days without a backup")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Lock the screen after:", self.idle)
        form.addRow("Remind to back up after:", self.days)
        form.addRow(buttons)

    def save(self) -> None:
        settings = app_settings()
        settings.setValue(IDLE_MINUTES_KEY, self.idle.value())
        settings.setValue(BACKUP_REMINDER_DAYS_KEY, self.days.value())
        settings.sync()
