"""How records look in lists: local dates, session thumbnails, the "finalised" padlock."""

from __future__ import annotations

from datetime import datetime

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

THUMB_SIZE = QSize(48, 48)


def local_datetime_text(time: datetime | None) -> str:
    """A time in the computer's time zone, e.g. ``Mon 23 Nov 2026, 14:05``; "" if unknown."""
    if time is None:
        return ""
    local = time.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def blank_thumbnail_icon(size: QSize = THUMB_SIZE) -> QIcon:
    """A neutral grey square for sessions without a thumbnail."""
    pixmap = QPixmap(size)
    pixmap.fill(QColor(235, 235, 235))
    painter = QPainter(pixmap)
    painter.setPen(QColor(190, 190, 190))
    painter.drawRect(0, 0, size.width() - 1, size.height() - 1)
    painter.end()
    return QIcon(pixmap)


def lock_icon(size: int = 14) -> QIcon:
    """A small padlock: the "finalised" badge (drawn, so it needs no emoji font)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(150, 110, 20)
    painter.setPen(QPen(colour, max(1.5, size / 9)))
    painter.drawArc(int(size * 0.28), int(size * 0.08), int(size * 0.44), int(size * 0.6), 0, 2880)
    painter.fillRect(int(size * 0.15), int(size * 0.42), int(size * 0.7), int(size * 0.5), colour)
    painter.end()
    return QIcon(pixmap)


def thumbnail_icon(png: bytes | None, size: QSize = THUMB_SIZE) -> QIcon | None:
    """The PNG bytes scaled into ``size``, or ``None`` if absent or not an image."""
    if not png:
        return None
    pixmap = QPixmap()
    if not pixmap.loadFromData(png, "PNG"):
        return None
    return QIcon(
        pixmap.scaled(
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    )
