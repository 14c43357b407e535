"""Report pages: whole ids in the footers, headings kept with what follows, printing."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta

from export_helpers import CLIENT_NAME
from pypdf import PdfReader
from PyQt6.QtCore import QSizeF
from PyQt6.QtGui import QPdfWriter, QTextCursor
from PyQt6.QtPrintSupport import QPrinter

from bodymap.export.compare_report import compare_footer, compare_report
from bodymap.export.comparison import compare_sources
from bodymap.export.pdf import _document, footer_fits, keep_headings_with_next, page_layout
from bodymap.export.session_report import session_footer, session_report


def _text(data) -> str:
    reader = PdfReader(data)
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def _two_visits(ball_source):
    """Two visits whose ids share their first 14 characters, as the demo's do."""
    first = dataclasses.replace(ball_source.session, id="s-demo-sample-0001-aaaa")
    later = dataclasses.replace(first, id="s-demo-sample-0002-bbbb")
    later.started = first.started + timedelta(days=14)
    return (
        dataclasses.replace(ball_source, session=first),
        dataclasses.replace(ball_source, session=later),
    )


def test_the_comparison_footer_holds_both_whole_ids(ball_source):
    first, second = _two_visits(ball_source)
    lines = compare_footer(compare_sources(first, second))
    assert any(first.session.id in line for line in lines)
    assert any(second.session.id in line for line in lines)
    assert footer_fits(lines, "a4") and footer_fits(lines, "letter")
    text = _text(io.BytesIO(compare_report(first, second).pdf()))
    assert first.session.id in text.replace(" ", "") and second.session.id in text.replace(" ", "")


def test_the_session_footer_fits_the_whole_sha256(ball_source):
    lines = session_footer(ball_source)
    assert any(ball_source.file_sha256 in line for line in lines)
    assert footer_fits(lines, "a4") and footer_fits(lines, "letter")
    assert not footer_fits((lines[0] + " " + ball_source.file_sha256 * 2,), "a4")


def test_a_heading_never_ends_a_page(tmp_path):
    writer = QPdfWriter(str(tmp_path / "probe.pdf"))
    writer.setPageLayout(page_layout("a4"))
    filler = "<p>line</p>" * 200
    document = _document(filler + "<h2>Findings</h2><p>what follows</p>" + filler, {}, writer)
    document.setPageSize(QSizeF(2000, 1200))
    layout, height = document.documentLayout(), 1200.0
    heading = next(b for b in _blocks(document) if b.text() == "Findings")
    # Move the heading down until it would sit last on a page, alone.
    heading_rect = layout.blockBoundingRect(heading)
    before = heading.previous()
    gap = height - heading_rect.bottom() % height + 1
    form = before.blockFormat()
    form.setBottomMargin(form.bottomMargin() + gap - heading_rect.height() / 2 + 2)
    QTextCursor(before).setBlockFormat(form)
    top = layout.blockBoundingRect(heading).top()
    after = layout.blockBoundingRect(heading.next()).top()
    assert int(top // height) != int((after + 1) // height)  # it did end a page
    assert keep_headings_with_next(document) == 1
    top = layout.blockBoundingRect(heading).top()
    assert int(top // height) == int((layout.blockBoundingRect(heading.next()).top() + 1) // height)


def _blocks(document):
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()


def test_the_report_prints_onto_a_printer_as_onto_the_pdf(ball_source, tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setPageLayout(page_layout("a4"))  # what the print action offers first
    report = session_report(ball_source)
    report.paint(printer)
    printed = PdfReader(tmp_path / "printed.pdf")
    written = PdfReader(io.BytesIO(report.pdf()))
    assert len(printed.pages) == len(written.pages) >= 1
    text = _text(tmp_path / "printed.pdf")
    assert CLIENT_NAME in text and "Page 1 of" in text
