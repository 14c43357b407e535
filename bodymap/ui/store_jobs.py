"""A long store job (protecting, backing up) on the store worker behind a progress dialog.

Unlike an export these jobs cannot be stopped half-way by the app (each is safe against a
kill, but not cancellable), so the dialog has no Cancel button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtWidgets import QWidget

from bodymap.store import StoreWorker
from bodymap.ui.export_dialogs import run_with_progress


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

    def with_relay(relay):
        return job(lambda done, total: relay(done, total, ""))

    return run_with_progress(parent, label, with_relay, worker, title, cancellable=False)
