"""Hovering a pin or a vector of force on the 3D view shows its tag and note.

Qt sends a tooltip event only when the pointer rests, so the marker pick (a projection of
the markers' anchors, no ray cast) costs nothing while the pointer moves or paints.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, QPointF
from PyQt6.QtGui import QHelpEvent
from PyQt6.QtWidgets import QToolTip, QWidget

from bodymap.ui.paint_controller import PaintController

NOTE_CHARS = 300
"""A longer note is cut in the tooltip (the pin's dialog shows all of it)."""


def marker_text(controller: PaintController, marker_id: str) -> str:
    """The tooltip of a pin or vector: its tag's name, then its note (emotional content,
    such as what the client said, stays in the pin's dialog)."""
    document = controller.document
    if document is None:
        return ""
    session = document.session
    item = session.pins.get(marker_id) or session.vectors.get(marker_id)
    if item is None:
        return ""
    note = " ".join(item.note.split())
    if len(note) > NOTE_CHARS:
        note = note[: NOTE_CHARS - 1] + "…"
    return "\n".join(part for part in (controller.tag_name(item.tag), note) if part)


class MarkerToolTips(QObject):
    """Shows :func:`marker_text` for the marker under a resting pointer on ``view``."""

    def __init__(self, view: QWidget, controller: PaintController) -> None:
        super().__init__(view)
        self._controller = controller
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if (
            event is None
            or event.type() != QEvent.Type.ToolTip
            or not isinstance(event, QHelpEvent)
        ):
            return False
        marker = self._controller.marker_at(QPointF(event.pos()))
        text = marker_text(self._controller, marker) if marker else ""
        if text:
            QToolTip.showText(event.globalPos(), text, watched)
        else:
            QToolTip.hideText()
            event.ignore()
        return True
