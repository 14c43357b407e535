"""GUI tests never block on a modal message box: each one is recorded and answered."""

from __future__ import annotations

import pytest
from PyQt6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def answered_message_boxes(monkeypatch) -> list[tuple[str, str]]:
    """Record every message box a test raises; questions are answered Discard.

    A test that needs another answer patches ``QMessageBox.question`` itself.
    """
    shown: list[tuple[str, str]] = []

    def record(answer):
        def box(_parent, title, text, *_args, **_kwargs):
            shown.append((title, text))
            return answer

        return staticmethod(box)

    buttons = QMessageBox.StandardButton
    monkeypatch.setattr(QMessageBox, "question", record(buttons.Discard))
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, record(buttons.Ok))
    monkeypatch.setattr(
        QMessageBox, "exec", lambda self: shown.append((self.windowTitle(), self.text())) or 0
    )
    return shown
