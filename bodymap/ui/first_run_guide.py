"""The first-run guide: three steps (pick a client, paint, save) in a panel above the view.

It is part of the window, never a modal dialog, so a scripted start
(``bodymap --client NAME``) is never blocked. Each step is ticked when the practitioner
does it; once all three are done, or the panel is dismissed, it stays hidden in later runs
(QSettings). Help › First steps shows it again.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from bodymap.ui.settings import GUIDE_DONE_KEY, app_settings

STEPS = (
    ("client", "1. Pick a client: File › Clients and sessions (Ctrl+N), then New session."),
    ("paint", "2. Paint: left-drag on the body with the brush (B); the tag is chosen on the left."),
    ("save", "3. Save: File › Save session (Ctrl+S)."),
)
DONE_MARK, PENDING_MARK = "✓", "○"


def guide_finished() -> bool:
    """Whether the guide was completed or dismissed in an earlier run."""
    value = app_settings().value(GUIDE_DONE_KEY, False)
    return value is True or str(value).lower() == "true"


class FirstRunGuide(QFrame):
    """The three steps with a tick each, and a button to dismiss the panel.

    Signals
    -------
    finished(): all steps done or dismissed (the panel has hidden itself).
    """

    finished = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run_guide")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.done: set[str] = set()
        self.labels = {key: QLabel() for key, _text in STEPS}
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("Hide these first steps (Help › First steps shows them)")
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(QLabel("<b>First steps</b>"))
        for label in self.labels.values():
            label.setWordWrap(True)
            layout.addWidget(label, 1)
        layout.addWidget(self.dismiss_button)
        # Never widen the window: the steps wrap into the width the view has.
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        self.setSizePolicy(policy)
        self._show_steps()
        self.setVisible(not guide_finished())

    def mark_done(self, step: str) -> None:
        """Tick ``step`` ("client", "paint" or "save"); after the last one, hide for good."""
        if step in self.done or step not in self.labels:
            return
        self.done.add(step)
        self._show_steps()
        if len(self.done) == len(STEPS):
            self._finish()

    def dismiss(self) -> None:
        """Hide the guide now and in later runs."""
        self._finish()

    def show_again(self) -> None:
        """Show the guide from the first unticked step (Help › First steps)."""
        app_settings().setValue(GUIDE_DONE_KEY, False)
        if len(self.done) == len(STEPS):
            self.done.clear()
        self._show_steps()
        self.show()

    def _finish(self) -> None:
        app_settings().setValue(GUIDE_DONE_KEY, True)
        self.hide()
        self.finished.emit()

    def _show_steps(self) -> None:
        for key, text in STEPS:
            done = key in self.done
            self.labels[key].setText(f"{DONE_MARK if done else PENDING_MARK} {text}")
            self.labels[key].setEnabled(not done)
