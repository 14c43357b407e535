"""Drawing export images and pages with Qt's GUI classes (QtGui only, never QtWidgets).

Why Qt rather than matplotlib for the header and legend: the PDF reports are laid out by
Qt's text engine (``QTextDocument`` -> ``QPdfWriter``), so drawing images with the same
``QPainter`` and the same fonts keeps one look and one dependency path for text. QtGui needs
a ``QGuiApplication``; in the app one exists, on the command line :func:`ensure_gui_app`
makes one on Qt's ``offscreen`` platform, so no display is needed.

Fonts: DejaVu Sans, shipped inside matplotlib (a dependency), is registered with Qt so the
exports look the same on every machine and always have a font to embed in PDFs, even where
the system has none. Characters it lacks (CJK, for one) fall back to the system's fonts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QRect, QRectF, Qt
from PyQt6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
)

from bodymap.export.colors import LegendEntry
from bodymap.export.errors import ExportError

FONT_FAMILY = "DejaVu Sans"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
INK = QColor(30, 30, 30)
MUTED = QColor(95, 95, 95)
RULE = QColor(200, 200, 200)
PAPER = QColor(255, 255, 255)

_app: QGuiApplication | None = None
_font_family: str | None = None


def ensure_gui_app() -> QCoreApplication:
    """The running Qt application, or a new ``QGuiApplication`` on the offscreen platform.

    Raises
    ------
    ExportError
        A non-GUI ``QCoreApplication`` runs: images and PDFs cannot be drawn in it.
    """
    global _app
    app = QCoreApplication.instance()
    if app is None:
        _app = QGuiApplication(["bodymap-export", "-platform", "offscreen"])
        app = _app
    if not isinstance(app, QGuiApplication):
        raise ExportError("images and reports need a Qt GUI application, not a QCoreApplication")
    font_family()
    return app


def font_family() -> str:
    """The family exports are set in (DejaVu Sans from matplotlib; registered once)."""
    global _font_family
    if _font_family is None:
        _font_family = _register_fonts()
    return _font_family


def _register_fonts() -> str:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(folder / name))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    return families[0] if families else QFont().family()


def plain_font() -> QFont:
    """The export family without ligatures.

    Ligatures ("fi" drawn as one glyph) would put U+FB01 into the PDF's text, and then
    searching or extracting "finalised" would not find it.
    """
    result = QFont(font_family())
    for feature in ("liga", "clig", "dlig"):
        result.setFeature(QFont.Tag(feature), 0)
    return result


def font(pixel_size: float, bold: bool = False) -> QFont:
    """The export font at a size in pixels."""
    result = plain_font()
    result.setPixelSize(max(1, round(pixel_size)))
    result.setBold(bold)
    return result


def array_to_qimage(pixels: np.ndarray) -> QImage:
    """An (H, W, 3) uint8 array as a QImage that owns its own copy of the pixels."""
    pixels = np.ascontiguousarray(pixels[:, :, :3], dtype=np.uint8)
    height, width = pixels.shape[:2]
    image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.copy()  # detach from the numpy buffer


def qimage_to_array(image: QImage) -> np.ndarray:
    """(H, W, 3) uint8 pixels of a QImage."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits().asstring(image.sizeInBytes()), dtype=np.uint8)
    return data.reshape(height, image.bytesPerLine())[:, : 3 * width].reshape(height, width, 3)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("the image could not be encoded as PNG")
    buffer.close()
    return bytes(data)


@dataclass(frozen=True)
class ImageHeader:
    """The band at the top of an exported image: who, when, by whom."""

    title: str
    details: str
    reference: str = ""


@dataclass(frozen=True)
class ViewsLayout:
    """Where everything goes in an image of views side by side.

    ``panels`` are the rectangles the renders fill, left to right; every one has
    ``panel_size``, the size to render at.
    """

    size: tuple[int, int]
    unit: float
    header: QRect | None
    panels: tuple[QRect, ...]
    legend: QRect | None
    legend_rows: tuple[tuple[LegendEntry, ...], ...]

    @property
    def panel_size(self) -> tuple[int, int]:
        return self.panels[0].width(), self.panels[0].height()


def layout_views(
    n_views: int,
    size: tuple[int, int],
    header: bool = True,
    legend: list[LegendEntry] | None = None,
    unit: float | None = None,
) -> ViewsLayout:
    """Plan an image of ``n_views`` views in a row at ``size`` (width, height) pixels.

    ``unit`` is the header's text size in pixels (others scale from it); by default it
    grows with the image's height.
    """
    ensure_gui_app()
    width, height = size
    unit = float(unit) if unit else float(np.clip(height / 45.0, 10.0, 28.0))
    header_h = round(2.2 * unit) if header else 0
    rows = _legend_rows(legend, width, unit) if legend is not None else ()
    legend_h = round(len(rows) * 1.6 * unit + 0.6 * unit) if legend is not None else 0
    panel_w = width // n_views
    panel_h = height - header_h - legend_h
    if panel_w < 16 or panel_h < 16:
        raise ExportError(f"{width}x{height} is too small for {n_views} view(s)")
    panels = tuple(
        QRect(i * panel_w + (width - n_views * panel_w) // 2, header_h, panel_w, panel_h)
        for i in range(n_views)
    )
    return ViewsLayout(
        size=(width, height),
        unit=unit,
        header=QRect(0, 0, width, header_h) if header else None,
        panels=panels,
        legend=QRect(0, height - legend_h, width, legend_h) if legend is not None else None,
        legend_rows=rows,
    )


def paint_views(
    layout: ViewsLayout,
    renders: list[tuple[str, np.ndarray]],
    header: ImageHeader | None = None,
) -> QImage:
    """The image: header band, the renders (each labelled), the legend band."""
    image = QImage(*layout.size, QImage.Format.Format_RGB32)
    image.fill(PAPER)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        for (label, pixels), rect in zip(renders, layout.panels, strict=True):
            painter.drawImage(rect.topLeft(), array_to_qimage(pixels))
            painter.setFont(font(0.8 * layout.unit))
            painter.setPen(MUTED)
            inner = rect.adjusted(round(0.4 * layout.unit), round(0.2 * layout.unit), 0, 0)
            painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
        if layout.header is not None and header is not None:
            _paint_header(painter, layout, header)
        if layout.legend is not None:
            _paint_legend(painter, layout)
    finally:
        painter.end()
    return image


def _paint_header(painter: QPainter, layout: ViewsLayout, header: ImageHeader) -> None:
    rect = layout.header.adjusted(round(0.5 * layout.unit), 0, -round(0.5 * layout.unit), 0)
    middle = Qt.AlignmentFlag.AlignVCenter
    painter.setPen(MUTED)
    painter.setFont(font(0.75 * layout.unit))
    reference_w = QFontMetrics(painter.font()).horizontalAdvance(header.reference)
    painter.drawText(rect, Qt.AlignmentFlag.AlignRight | middle, header.reference)
    text_rect = rect.adjusted(0, 0, -(reference_w + round(layout.unit)), 0)
    title_font = font(layout.unit, bold=True)
    title_w = QFontMetrics(title_font).horizontalAdvance(header.title + "  ")
    painter.setPen(INK)
    painter.setFont(title_font)
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | middle, header.title)
    painter.setFont(font(0.85 * layout.unit))
    painter.setPen(MUTED)
    details = text_rect.adjusted(title_w, 0, 0, 0)
    elided = QFontMetrics(painter.font()).elidedText(
        header.details, Qt.TextElideMode.ElideRight, max(0, details.width())
    )
    painter.drawText(details, Qt.AlignmentFlag.AlignLeft | middle, elided)
    painter.setPen(RULE)
    bottom = layout.header.bottom()
    painter.drawLine(0, bottom, layout.size[0], bottom)


def _legend_rows(
    entries: list[LegendEntry], width: int, unit: float
) -> tuple[tuple[LegendEntry, ...], ...]:
    metrics = QFontMetrics(font(0.8 * unit))
    rows: list[list[LegendEntry]] = [[]]
    used = 0.5 * unit
    for entry in entries:
        needed = _entry_width(entry, metrics, unit)
        if rows[-1] and used + needed > width:
            rows.append([])
            used = 0.5 * unit
        rows[-1].append(entry)
        used += needed
    return tuple(tuple(row) for row in rows)


def _entry_width(entry: LegendEntry, metrics: QFontMetrics, unit: float) -> float:
    return 1.5 * unit + metrics.horizontalAdvance(entry.label) + 1.2 * unit


def _paint_legend(painter: QPainter, layout: ViewsLayout) -> None:
    unit, rect = layout.unit, layout.legend
    painter.setFont(font(0.8 * unit))
    metrics = QFontMetrics(painter.font())
    if not any(layout.legend_rows):
        painter.setPen(MUTED)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No findings shown")
        return
    for row_index, row in enumerate(layout.legend_rows):
        top = rect.top() + 0.3 * unit + row_index * 1.6 * unit
        x = rect.left() + 0.5 * unit
        for entry in row:
            swatch = QRectF(x, top + 0.3 * unit, unit, unit)
            painter.fillRect(swatch, QColor(*entry.rgb))
            painter.setPen(MUTED)
            painter.drawRect(swatch)
            painter.setPen(INK)
            label_w = metrics.horizontalAdvance(entry.label) + 2
            text = QRectF(x + 1.5 * unit, top, label_w, 1.6 * unit)
            left_middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(text, left_middle, entry.label)
            x += _entry_width(entry, metrics, unit)
