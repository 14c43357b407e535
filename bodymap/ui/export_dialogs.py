"""The dialogs of File > Export: which views, which report, and progress with Cancel."""

from __future__ import annotations

import threading

from PyQt6.QtCore import QEventLoop, Qt, QTimer
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QProgressDialog,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.views import StandardView

POLL_MS = 50


class ProgressRelay:
    """Carries progress from the worker thread to the GUI thread, and Cancel back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = (0, 0, "")
        self._cancelled = False

    def __call__(self, done: int, total: int, label: str) -> bool:
        with self._lock:
            self._state = (done, total, label)
            return not self._cancelled

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True

    def state(self) -> tuple[int, int, str]:
        with self._lock:
            return self._state


def run_with_progress(
    parent: QWidget | None,
    label: str,
    job,
    worker,
    window_title: str = "Export",
    cancellable: bool = True,
):
    """Run ``job(progress)`` on ``worker`` behind a modal progress dialog; its result.

    ``progress(done, total, label="")``: with ``cancellable``, the dialog's Cancel makes the
    next call return ``False``; without, the dialog has no Cancel (a store job that is safe
    against a kill but cannot stop half-way). The job's own exception (``ExportCancelled``
    included) is raised here; the GUI keeps running meanwhile (autosave too).
    """
    relay = ProgressRelay()
    future = worker.submit(job, relay)
    dialog = QProgressDialog(label, "Cancel" if cancellable else None, 0, 0, parent)
    dialog.setWindowTitle(window_title)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(400 if cancellable else 300)
    loop = QEventLoop()

    def poll() -> None:
        done, total, text = relay.state()
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        if text:
            dialog.setLabelText(text)
        if cancellable and dialog.wasCanceled():
            relay.cancel()
        if future.done():
            loop.quit()

    timer = QTimer(interval=POLL_MS)
    timer.timeout.connect(poll)
    timer.start()
    poll()
    if not future.done():
        loop.exec()
    timer.stop()
    dialog.close()
    dialog.deleteLater()
    return future.result()


class ViewsDialog(QDialog):
    """Which standard views, at what size, and whether to add a sheet of them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export views as PNG")
        self.checks = {view: QCheckBox(view.label) for view in StandardView}
        views = QVBoxLayout()
        for view, check in self.checks.items():
            check.setChecked(
                view
                in (
                    StandardView.ANTERIOR,
                    StandardView.POSTERIOR,
                    StandardView.LEFT,
                    StandardView.RIGHT,
                )
            )
            views.addWidget(check)
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, 600), (self.height_box, 900)):
            box.setRange(64, 8192)
            box.setValue(value)
            box.setSuffix(" px")
        size = QHBoxLayout()
        size.addWidget(self.width_box)
        size.addWidget(self.height_box)
        self.sheet = QCheckBox("Also one image of these views side by side")
        self.sheet.setChecked(True)
        form = QFormLayout(self)
        form.addRow("Views", views)
        form.addRow("Size of each", size)
        form.addRow(self.sheet)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self):
        views = tuple(v for v, check in self.checks.items() if check.isChecked())
        return views, (self.width_box.value(), self.height_box.value()), self.sheet.isChecked()

    @classmethod
    def ask(cls, parent: QWidget | None):
        """(views, (width, height), sheet), or ``None`` when cancelled or nothing chosen."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        choice = dialog.choice()
        return choice if choice[0] else None


class ReportDialog(QDialog):
    """Paper size, and whether the report leaves the practice (no emotional content)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Session report")
        self.page = QComboBox()
        self.page.addItem("A4", "a4")
        self.page.addItem("Letter", "letter")
        self.private = QCheckBox(
            "Leave out emotional content (what the client said, emotions, dialogue)"
        )
        self.private.setToolTip("For reports that leave the practice")
        form = QFormLayout(self)
        form.addRow("Paper", self.page)
        form.addRow(self.private)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> tuple[str, bool]:
        return str(self.page.currentData()), not self.private.isChecked()

    @classmethod
    def ask(cls, parent: QWidget | None):
        """(page, emotional_content), or ``None`` when cancelled."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()
