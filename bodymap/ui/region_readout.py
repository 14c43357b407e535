"""The status bar's region readout: the atlas name of the place under the pointer.

While a brush stroke is painted the name follows once the brush rests
(:data:`SETTLE_MS`): a name changing under a moving brush cannot be read, and on software
OpenGL each repaint of the label cost a stroke's frames about 5% (measured in the window
benchmark, default body). Hovering without painting shows each name at once.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QLabel, QWidget

SETTLE_MS = 150
"""How long the brush rests before the readout names the place under it."""
MIN_WIDTH = 320


class RegionReadout(QLabel):
    """A right-aligned label showing the region under the pointer."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setMinimumWidth(MIN_WIDTH)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._next = text
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._apply)

    def show_name(self, text: str, painting: bool = False) -> None:
        """Name the place under the pointer: now, or once the brush rests while painting."""
        self._next = text
        if painting:
            self._settle.start()  # restarted by each move: shown when the brush rests
        else:
            self._settle.stop()
            self._apply()

    def _apply(self) -> None:
        if self._next != self.text():
            self.setText(self._next)
