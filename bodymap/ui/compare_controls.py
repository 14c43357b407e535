"""Small controls of the compare window's tabs: play through a slider, turn a 3D view."""

from __future__ import annotations

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QHBoxLayout, QPushButton, QSlider, QWidget

from bodymap.core.views import StandardView
from bodymap.ui.viewer import BodyViewer

PLAY_INTERVAL_MS = 700
"""One visit (or stroke) per step: slow enough to see each, quick enough to see a trend."""
VIEW_BUTTONS = (
    ("Front", StandardView.ANTERIOR),
    ("Back", StandardView.POSTERIOR),
    ("Left", StandardView.LEFT),
    ("Right", StandardView.RIGHT),
)


class PlayControl(QPushButton):
    """ "Play" steps ``slider`` forward on a timer to its end (starting over from the
    start when it is there already); "Pause" stops it."""

    def __init__(self, slider: QSlider, parent: QWidget | None = None) -> None:
        super().__init__("Play", parent)
        self.setCheckable(True)
        self.setToolTip("Step through one after the other")
        self._slider = slider
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_INTERVAL_MS)
        self.timer.timeout.connect(self.step)
        self.toggled.connect(self._toggled)

    def _toggled(self, playing: bool) -> None:
        self.setText("Pause" if playing else "Play")
        if not playing:
            self.timer.stop()
            return
        if self._slider.value() >= self._slider.maximum():
            self._slider.setValue(self._slider.minimum())
        self.timer.start()

    def step(self) -> None:
        """One step forward; at the end, stop."""
        if self._slider.value() >= self._slider.maximum():
            self.setChecked(False)
            return
        self._slider.setValue(self._slider.value() + 1)


def view_buttons(viewer: BodyViewer, parent: QWidget | None = None) -> QHBoxLayout:
    """Front, back, left and right buttons that turn ``viewer`` to that standard view."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for text, view in VIEW_BUTTONS:
        button = QPushButton(text, parent)
        button.setToolTip(f"Look at the body from the {text.lower()}")
        button.clicked.connect(lambda _checked=False, v=view: _turn(viewer, v))
        row.addWidget(button)
    row.addStretch(1)
    return row


def _turn(viewer: BodyViewer, view: StandardView) -> None:
    if viewer.scene.mesh is not None:
        viewer.scene.set_view(view)
        viewer.redraw()
