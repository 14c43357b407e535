"""A calm strip at the top of the window: an offer to protect the records, or a reminder
that no backup was made for a while. Never a modal dialog; one message at a time."""

from __future__ import annotations

from datetime import datetime

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget

PROTECT_TEXT = (
    "These records are not protected by a passphrase: anyone using this computer account "
    "can read them."
)
STYLE = "QWidget#privacy_banner { background: palette(alternate-base); }"


def backup_reminder_text(last: datetime | None, now: datetime, days: int) -> str | None:
    """The reminder to show, or ``None`` when a backup is recent enough (or ``days`` is 0)."""
    if days <= 0:
        return None
    if last is None:
        return "These records have never been backed up."
    age = (now - last).days
    if age < days:
        return None
    return f"The last backup was {age} days ago."


def last_backup_text(last: datetime | None) -> str:
    """For the status bar: when the last backup was made."""
    if last is None:
        return "No backup yet"
    return "Last backup: " + last.astimezone().strftime("%d %b %Y %H:%M")


class PrivacyBanner(QWidget):
    """The banner's content: a sentence and two buttons (act, dismiss).

    Signals
    -------
    act(str): the practitioner chose the offer ("protect" or "backup").
    dismissed(str): "Not now" or "Later" on that offer.
    """

    act = pyqtSignal(str)
    dismissed = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("privacy_banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(STYLE)
        self.kind = ""
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.act_button = QPushButton()
        self.dismiss_button = QPushButton()
        self.act_button.clicked.connect(lambda: self.act.emit(self.kind))
        self.dismiss_button.clicked.connect(lambda: self.dismissed.emit(self.kind))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.act_button)
        layout.addWidget(self.dismiss_button)

    def show_offer(self, kind: str, text: str) -> None:
        """Show one offer: ``"protect"`` or ``"backup"``."""
        self.kind = kind
        self.label.setText(text)
        if kind == "protect":
            self.act_button.setText("Protect with a passphrase…")
            self.dismiss_button.setText("Not now")
        else:
            self.act_button.setText("Back up now…")
            self.dismiss_button.setText("Later")


def banner_bar(banner: PrivacyBanner, parent: QWidget) -> QToolBar:
    """A fixed strip above the body holding ``banner`` (hidden while there is nothing to say)."""
    bar = QToolBar("Privacy notice", parent)
    bar.setObjectName("privacy_banner_bar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.toggleViewAction().setVisible(False)
    bar.addWidget(banner)
    return bar
