"""A long store job (protecting, backing up) on the store worker behind a progress dialog.

Unlike an export these jobs cannot be stopped half-way by the app (each is safe against a
kill, but not cancellable), so the dialog has no Cancel button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QEventLoop, Qt, QTimer
from PyQt6.QtWidgets import QProgressDialog, QWidget

from bodymap.store import StoreWorker
from bodymap.ui.export_dialogs import POLL_MS, ProgressRelay


def run_store_job(
    parent: QWidget | None,
    title: str,
    label: str,
    job: Callable[[Callable[[int, int], None]], Any],
    worker: StoreWorker,
) -> Any:
    """Run ``job(progress)`` on ``worker``, showing ``progress(done, total)``; its result.

    The job's exception is raised here. The GUI keeps running meanwhile (autosave too).
    """
    relay = ProgressRelay()
    future = worker.submit(job, lambda done, total: relay(done, total, ""))
    dialog = QProgressDialog(label, None, 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(300)
    loop = QEventLoop()

    def poll() -> None:
        done, total, _ = relay.state()
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
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
