"""Printing a report: the same pages as its PDF, drawn onto a printer, with a preview.

A report (:class:`~bodymap.export.pdf.PagedReport`) draws its pages on any paged device;
the preview dialog asks it to draw them on its printer whenever the paper or the
printer changes, and printing from the preview draws them on the real printer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PyQt6.QtWidgets import QDialog, QMessageBox, QWidget

from bodymap.export.errors import ExportError
from bodymap.export.pdf import PagedReport, page_layout
from bodymap.export.session_report import session_report
from bodymap.store import StoreError
from bodymap.ui.export_dialogs import ReportDialog

if TYPE_CHECKING:
    from bodymap.ui.export_actions import ExportActions


def report_printer(report: PagedReport) -> QPrinter:
    """A printer set up for ``report``: its paper and margins, its title as the job name."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout(report.page))
    printer.setDocName(report.title)
    return printer


def preview_report(report: PagedReport, parent: QWidget | None = None) -> bool:
    """Show the print preview of ``report`` (print from it); whether it was printed."""
    printer = report_printer(report)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print preview — {report.title}")
    dialog.paintRequested.connect(report.paint)
    return dialog.exec() == QDialog.DialogCode.Accepted


def print_report(report: PagedReport, parent: QWidget | None = None) -> bool:
    """Ask for a printer (no preview) and print ``report``; whether it was printed."""
    printer = report_printer(report)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    report.paint(printer)
    return True


def print_session_report(actions: ExportActions, parent: QWidget | None = None) -> bool:
    """File › Print…: the open session's report, as its PDF would be, in a print preview.

    The same choices as the PDF export are asked first (paper, emotional content).
    """
    choice = ReportDialog.ask(parent)
    if choice is None:
        return False
    page, emotional = choice
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        report = session_report(actions.source(), page, emotional)
    except (ExportError, StoreError, ValueError, OSError) as error:
        QGuiApplication.restoreOverrideCursor()
        QMessageBox.warning(parent, "Printing failed", str(error))
        return False
    QGuiApplication.restoreOverrideCursor()
    return preview_report(report, parent)
