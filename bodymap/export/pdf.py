"""Paged PDF from HTML with Qt: ``QTextDocument`` laid out on a ``QPdfWriter``.

Why Qt: its text engine paginates HTML tables (repeating header rows on each page), and its
PDF engine embeds the fonts it uses as subsets with Unicode maps, so the file prints the
same everywhere and its text can be searched and copied. The document is drawn page by
page by hand so that every page gets a footer (record identity, SHA-256, page i of n).

Lengths: HTML sizes are CSS pixels (1/96 inch); the writer draws at :data:`RESOLUTION` dpi.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PyQt6.QtGui import (
    QAbstractTextDocumentLayout,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextCursor,
    QTextDocument,
    QTextFormat,
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
FOOTER_LINES = 3
IMAGE_SCHEME = "bodymap"

Footer = Callable[[int, int], tuple[str, ...]]
"""``footer(page, pages) -> lines`` (at most :data:`FOOTER_LINES`); pages count from 1."""


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


@dataclass(frozen=True, eq=False)
class PagedReport:
    """A report ready to be drawn page by page: on a PDF writer or on a printer.

    ``html`` is Qt's HTML subset, images as ``<img src="{image_url(name)}" width=..
    height=..>`` with sizes in CSS pixels; ``footer`` gives each page its lines ("Page i
    of n" is added on the right of the first); ``title`` is the PDF's title metadata (keep
    names out of it: file browsers show it).
    """

    html: str
    images: dict[str, QImage] = field(default_factory=dict)
    footer: Footer | None = None
    title: str = "BodyMap report"
    page: str = "a4"

    def pdf(self) -> bytes:
        """The PDF's bytes, on ``page`` paper."""
        ensure_gui_app()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buffer)
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(page_layout(self.page))
        writer.setTitle(self.title)
        writer.setCreator(f"BodyMap {bodymap.__version__}")
        self.paint(writer)
        buffer.close()
        return bytes(data)

    def paint(self, device: QPagedPaintDevice) -> None:
        """Draw every page on ``device`` (a PDF writer, or a printer: its paper and margins)."""
        ensure_gui_app()
        document = _document(self.html, self.images, device)
        _paint_pages(device, document, self.footer)


def html_to_pdf(
    html: str,
    page: str = "a4",
    images: dict[str, QImage] | None = None,
    footer: Footer | None = None,
    title: str = "BodyMap report",
) -> bytes:
    """The PDF of ``html`` on ``page`` paper, with a footer on every page (see PagedReport)."""
    return PagedReport(html, images or {}, footer, title, page).pdf()


def _document(html: str, images: dict[str, QImage], device: QPagedPaintDevice) -> QTextDocument:
    document = QTextDocument()
    document.documentLayout().setPaintDevice(device)
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


def _paint_pages(device: QPagedPaintDevice, document: QTextDocument, footer: Footer | None) -> None:
    area = device.pageLayout().paintRectPixels(device.resolution())
    footer_h = _footer_height_points() * device.resolution() / 72.0
    body = QSizeF(area.width(), area.height() - footer_h)
    document.setPageSize(body)
    keep_headings_with_next(document)
    pages = document.pageCount()
    painter = QPainter()
    if not painter.begin(device):
        raise ExportError("the report could not be started on its page device")
    try:
        for index in range(pages):
            if index and not device.newPage():
                raise ExportError("the report could not get a new page")
            _paint_page(painter, document, index, body)
            _paint_footer(painter, body, footer_h, index + 1, pages, footer)
    finally:
        painter.end()


def keep_headings_with_next(document: QTextDocument) -> int:
    """Start a new page before each heading that would end a page; how many were moved.

    Qt's text engine has no keep-with-next: a heading whose following block starts on the
    next page is given a page break before it (in order, the layout redone after each).
    """
    layout, height = document.documentLayout(), document.pageSize().height()
    layout.documentSize()  # Qt lays out lazily: a change read half-way leaves pages uncounted
    moved, block = 0, document.begin()
    while block.isValid():
        following = block.next()
        if block.blockFormat().headingLevel() and following.isValid():
            top = layout.blockBoundingRect(block).top()
            first_line = layout.blockBoundingRect(following).top() + _first_line_height(following)
            if int(top // height) != int(first_line // height):
                cursor = QTextCursor(block)
                form = block.blockFormat()
                form.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                cursor.setBlockFormat(form)
                layout.documentSize()  # lay out to the end again before reading on
                moved += 1
        block = following
    return moved


def _first_line_height(block) -> float:
    lines = block.layout()
    if lines is not None and lines.lineCount():
        return lines.lineAt(0).height()
    return 0.0


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
    lines = list(footer(page, pages) if footer else ())[:FOOTER_LINES]
    small = plain_font()
    small.setPointSizeF(FOOTER_POINTS)
    metrics = QFontMetricsF(small, painter.device())
    line_h = metrics.lineSpacing()
    top = body.height() + height - FOOTER_LINES * line_h
    painter.setPen(QPen(RULE, 2))
    painter.drawLine(0, round(top - 0.4 * line_h), round(body.width()), round(top - 0.4 * line_h))
    painter.setPen(MUTED)
    painter.setFont(small)
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    number = f"Page {page} of {pages}"
    number_w = metrics.horizontalAdvance(number) + line_h
    painter.drawText(QRectF(0, top, body.width(), line_h), right, number)
    for row, text in enumerate(lines):  # each line whole: ids and digests are never cut
        width = body.width() - (number_w if row == 0 else 0)
        painter.drawText(QRectF(0, top + row * line_h, width, line_h), left, text)


def footer_fits(lines: tuple[str, ...], page: str = "a4") -> bool:
    """Whether the footer ``lines`` fit the page's width whole, as the PDF draws them.

    The first line leaves room for "Page 99 of 99" on its right.
    """
    ensure_gui_app()
    device = QImage(1, 1, QImage.Format.Format_RGB32)
    device.setDotsPerMeterX(round(RESOLUTION / 0.0254))
    device.setDotsPerMeterY(round(RESOLUTION / 0.0254))
    small = plain_font()
    small.setPointSizeF(FOOTER_POINTS)
    metrics = QFontMetricsF(small, device)
    width = page_layout(page).paintRectPixels(RESOLUTION).width()
    number_w = metrics.horizontalAdvance("Page 99 of 99") + metrics.lineSpacing()
    return len(lines) <= FOOTER_LINES and all(
        metrics.horizontalAdvance(text) <= width - (number_w if row == 0 else 0)
        for row, text in enumerate(lines)
    )


def _footer_height_points() -> float:
    """Room below the text for the footer: its lines, a rule and a gap, in points."""
    return FOOTER_POINTS * 1.25 * (FOOTER_LINES + 1.2)
