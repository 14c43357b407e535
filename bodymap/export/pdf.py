"""Paged PDF from HTML with Qt: ``QTextDocument`` laid out on a ``QPdfWriter``.

Why Qt: its text engine paginates HTML tables (repeating header rows on each page), and its
PDF engine embeds the fonts it uses as subsets with Unicode maps, so the file prints the
same everywhere and its text can be searched and copied. The document is drawn page by
page by hand so that every page gets a footer (record identity, SHA-256, page i of n).

Lengths: HTML sizes are CSS pixels (1/96 inch); the writer draws at :data:`RESOLUTION` dpi.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PyQt6.QtGui import (
    QAbstractTextDocumentLayout,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

import bodymap
from bodymap.export.errors import ExportError
from bodymap.export.qt_canvas import MUTED, RULE, ensure_gui_app, plain_font

PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
MARGIN_MM = 15.0
RESOLUTION = 300
CSS_DPI = 96
BODY_POINTS = 9.0
FOOTER_POINTS = 7.0
FOOTER_LINES = 2
IMAGE_SCHEME = "bodymap"

Footer = Callable[[int, int], tuple[str, str]]
"""``footer(page, pages) -> (first line, second line)``; page numbers are 1-based."""


@dataclass(frozen=True)
class PageGeometry:
    """The text area of a page in CSS pixels, for sizing images in the HTML."""

    width_css: float
    height_css: float


def page_layout(page: str) -> QPageLayout:
    if page not in PAGE_SIZES:
        raise ExportError(f"page size is {' or '.join(PAGE_SIZES)}, not {page!r}")
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    return QPageLayout(
        QPageSize(PAGE_SIZES[page]),
        QPageLayout.Orientation.Portrait,
        margins,
        QPageLayout.Unit.Millimeter,
    )


def page_geometry(page: str) -> PageGeometry:
    """The size of the text area (above the footer) of ``page`` ("a4" or "letter")."""
    rect = page_layout(page).paintRect(QPageLayout.Unit.Inch)
    footer_inch = _footer_height_points() / 72.0
    return PageGeometry(rect.width() * CSS_DPI, (rect.height() - footer_inch) * CSS_DPI)


def image_url(name: str) -> str:
    """The ``src`` of an image passed to :func:`html_to_pdf` under ``name``."""
    return f"{IMAGE_SCHEME}://{name}"


def html_to_pdf(
    html: str,
    page: str = "a4",
    images: dict[str, QImage] | None = None,
    footer: Footer | None = None,
    title: str = "BodyMap report",
) -> bytes:
    """The PDF of ``html`` on ``page`` paper, with a footer on every page.

    Parameters
    ----------
    html : str
        Qt's HTML subset; images as ``<img src="{image_url(name)}" width=.. height=..>``
        with sizes in CSS pixels.
    images : dict of str to QImage
    footer : callable, optional
        Two lines of text per page; "Page i of n" is added on the right.
    title : str
        The PDF's title metadata (keep names out of it: it is shown by file browsers).
    """
    ensure_gui_app()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(page_layout(page))
    writer.setTitle(title)
    writer.setCreator(f"BodyMap {bodymap.__version__}")
    document = _document(html, images or {}, writer)
    _paint_pages(writer, document, footer)
    buffer.close()
    return bytes(data)


def _document(html: str, images: dict[str, QImage], writer: QPdfWriter) -> QTextDocument:
    document = QTextDocument()
    document.documentLayout().setPaintDevice(writer)
    base = plain_font()
    base.setPointSizeF(BODY_POINTS)
    document.setDefaultFont(base)
    document.setDocumentMargin(0)
    for name, image in images.items():
        document.addResource(
            QTextDocument.ResourceType.ImageResource.value, QUrl(image_url(name)), image
        )
    document.setHtml(html)
    return document


def _paint_pages(writer: QPdfWriter, document: QTextDocument, footer: Footer | None) -> None:
    area = writer.pageLayout().paintRectPixels(writer.resolution())
    footer_h = _footer_height_points() * writer.resolution() / 72.0
    body = QSizeF(area.width(), area.height() - footer_h)
    document.setPageSize(body)
    pages = document.pageCount()
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError("the PDF could not be started")
    try:
        for index in range(pages):
            if index and not writer.newPage():
                raise ExportError("the PDF could not get a new page")
            _paint_page(painter, document, index, body)
            _paint_footer(painter, body, footer_h, index + 1, pages, footer)
    finally:
        painter.end()


def _paint_page(painter: QPainter, document: QTextDocument, index: int, body: QSizeF) -> None:
    painter.save()
    top = index * body.height()
    painter.translate(0, -top)
    context = QAbstractTextDocumentLayout.PaintContext()
    context.clip = QRectF(0, top, body.width(), body.height())
    painter.setClipRect(context.clip)
    document.documentLayout().draw(painter, context)
    painter.restore()


def _paint_footer(
    painter: QPainter, body: QSizeF, height: float, page: int, pages: int, footer: Footer | None
) -> None:
    first, second = footer(page, pages) if footer else ("", "")
    small = plain_font()
    small.setPointSizeF(FOOTER_POINTS)
    line_h = QFontMetricsF(small, painter.device()).lineSpacing()
    top = body.height() + height - FOOTER_LINES * line_h
    painter.setPen(QPen(RULE, 2))
    painter.drawLine(0, round(top - 0.4 * line_h), round(body.width()), round(top - 0.4 * line_h))
    painter.setPen(MUTED)
    painter.setFont(small)
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    number = f"Page {page} of {pages}"
    number_w = QFontMetricsF(small, painter.device()).horizontalAdvance(number) + line_h
    painter.drawText(QRectF(0, top, body.width(), line_h), left, first)
    second_rect = QRectF(0, top + line_h, body.width() - number_w, line_h)
    painter.drawText(second_rect, left, second)
    painter.drawText(QRectF(0, top + line_h, body.width(), line_h), right, number)


def _footer_height_points() -> float:
    """Room below the text for the footer: its lines, a rule and a gap, in points."""
    return FOOTER_POINTS * 1.25 * (FOOTER_LINES + 1.2)
