"""Sessions in the app: new, open, save (Ctrl+S), autosave drafts, finalise, recover.

All store I/O goes through one :class:`~bodymap.store.worker.StoreWorker` thread (libhdf5
is not thread-safe). Saves and drafts run in the background on a snapshot; quick reads
(listings, loading one session) wait for the worker. A failed save shows why and keeps the
work in memory and in the draft.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Protocol

import numpy as np
from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QImage, QKeySequence
from PyQt6.QtWidgets import QMessageBox, QWidget

from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change
from bodymap.core.session import Client, new_session_id
from bodymap.core.views import Camera
from bodymap.io.body_loading import Body
from bodymap.store import (
    ConflictError,
    Store,
    StoreError,
    StoreWorker,
    TargetUnreadableError,
)
from bodymap.ui.session_opening import SessionOpening

AUTOSAVE_DELAY_MS = 3000
THUMBNAIL_WIDTH = 160


def png_thumbnail(rgb: np.ndarray, width: int = THUMBNAIL_WIDTH) -> bytes:
    """A small PNG of an (H, W, 3) uint8 image."""
    rgb = np.ascontiguousarray(rgb)
    height, full_width, _ = rgb.shape
    image = QImage(rgb.data, full_width, height, 3 * full_width, QImage.Format.Format_RGB888)
    small = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    small.save(buffer, "PNG")
    return bytes(data)


class SessionHost(Protocol):
    """What the session manager needs of the window that shows the session."""

    @property
    def document(self) -> SessionDocument | None:
        """The session shown, or ``None``."""

    @property
    def body(self) -> Body:
        """The body shown."""

    def set_body(self, body: Body) -> None:
        """Show another body (closes any session shown)."""

    def set_document(self, document: SessionDocument | None, title: str = "") -> None:
        """Show ``document`` (``None``: none) under ``title``; undo starts afresh."""

    def set_session_title(self, title: str) -> None: ...

    def flush_edits(self) -> None:
        """Write what the panels hold but have not yet put in the session (typed notes)."""

    def clear_undo(self) -> None: ...

    def current_camera(self) -> Camera: ...

    def apply_camera(self, camera: Camera) -> None:
        """Turn the view to ``camera`` and draw it."""

    def screenshot(self) -> np.ndarray:
        """The 3D view's pixels, (H, W, 3) uint8."""


class SessionManager(SessionOpening, QObject):
    """Owns the store worker and the open session's life: autosave, save, finalise.

    Parameters
    ----------
    host : SessionHost
        The window showing the session.
    store : Store
    parent : QWidget, optional
        Parent of the manager and of its message boxes.

    Signals
    -------
    status(str): a short message for the status bar.
    session_changed(object): the open :class:`SessionDocument` (or ``None``); ``client``
    is already up to date when it is emitted.
    """

    status = pyqtSignal(str)
    session_changed = pyqtSignal(object)
    _finished = pyqtSignal(str, object, object)  # worker thread -> GUI thread

    def __init__(self, host: SessionHost, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self._dialog_parent = parent
        self.store = store
        self.worker = StoreWorker(store)
        self.client: Client | None = None
        self._saved_revision = 0
        self._opened_revision: int | None = None  # a new session's revision when opened
        self._title_dirty = False
        self._meshes_kept: set[str] = set()
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.save_draft)
        self._finished.connect(self._on_finished)
        self._build_actions()

    # -- state ---------------------------------------------------------------------------
    @property
    def document(self) -> SessionDocument | None:
        return self._host.document

    @property
    def dirty(self) -> bool:
        """Whether the open session has changes not yet saved."""
        doc = self.document
        return doc is not None and doc.editable and doc.revision != self._saved_revision

    def call(self, function, *args, **kwargs):
        """Run a store call on the worker and wait for it (quick reads only)."""
        return self.worker.submit(function, *args, **kwargs).result()

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> Future | None:
        """Save the open session in the background (Ctrl+S)."""
        doc = self.document
        if doc is None or not doc.editable:
            return None
        self._prepare_for_write(doc)
        thumbnail = png_thumbnail(self._host.screenshot())
        self._autosave.stop()
        future = self.worker.save(doc.session, thumbnail)
        self._report(future, "save", doc.revision)
        self.status.emit("Saving…")
        return future

    def save_draft(self) -> Future | None:
        """Write the autosave draft (a few seconds after each change)."""
        doc = self.document
        if doc is None or not doc.editable or not self.dirty:
            return None
        self._prepare_for_write(doc)
        future = self.worker.save_draft(doc.session)
        self._report(future, "draft", doc.revision)
        return future

    def finalise(self) -> bool:
        """Sign the session after confirmation: read-only for ever, amendments only."""
        doc = self.document
        if doc is None or not doc.editable:
            return False
        answer = QMessageBox.question(
            self._dialog_parent,
            "Finalise session",
            "Finalising signs this session: it can never be edited again, only amended.\n\n"
            "Finalise it now?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self._prepare_for_write(doc)
        thumbnail = png_thumbnail(self._host.screenshot())
        try:
            signed = self.worker.finalise(doc.session, thumbnail).result()
        except StoreError as error:
            self._warn("The session was not finalised", str(error))
            return False
        self._host.clear_undo()
        doc.mark_finalised(signed.finalised_at)
        self._saved_revision = doc.revision
        self._host.set_document(doc, self._title(doc.session))
        self.update_actions()
        self.session_changed.emit(doc)
        self.status.emit("Session finalised. Corrections are added as amendments.")
        return True

    def close_session(self) -> bool:
        """Close the open session, asking to save unsaved work; ``False`` if cancelled."""
        doc = self.document
        if doc is None:
            return True
        self._flush_panels()
        if self.dirty and doc.revision != self._opened_revision:  # untouched new: nothing to ask
            answer = QMessageBox.question(
                self._dialog_parent,
                "Unsaved changes",
                "This session has changes that are not saved. Save them now?",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save:
                future = self.save()
                try:
                    future.result()
                except StoreError:
                    return False  # the warning is shown by _on_finished
            else:
                self.call(self.store.discard_draft, doc.session.id)
        self._autosave.stop()
        doc.unsubscribe(self._on_change)
        self.worker.submit(self.store.forget_unchanged_chunks)
        self._host.set_document(None)
        self.client = None
        self.update_actions()
        self.session_changed.emit(None)
        return True

    def shutdown(self) -> None:
        """Finish queued writes and stop the worker (at quit)."""
        self._autosave.stop()
        self.worker.close(wait=True)

    def _prepare_for_write(self, doc: SessionDocument) -> None:
        self._flush_panels()
        doc.session.camera = self._host.current_camera()
        if doc.mesh.geometry_hash not in self._meshes_kept:
            self.worker.submit(self.store.put_mesh, doc.mesh, doc.atlas)
            self._meshes_kept.add(doc.mesh.geometry_hash)

    def _flush_panels(self) -> None:
        self._host.flush_edits()

    def _report(self, future: Future, kind: str, revision: int) -> None:
        future.add_done_callback(lambda f: self._finished.emit(kind, f, revision))

    def _on_finished(self, kind: str, future: Future, revision: int) -> None:
        error = future.exception()
        if kind == "save":
            if error is None:
                self._saved_revision = revision
                self.status.emit("Saved.")
            elif isinstance(error, ConflictError | TargetUnreadableError):
                self._offer_save_as_new(error)
            else:
                self._warn(
                    "The session was not saved",
                    f"{error}\n\nYour work is still open here and in the autosave draft.",
                )
        elif error is not None:
            self.status.emit(f"Autosave failed: {error}")
        self._update_title()

    def _offer_save_as_new(self, error: Exception) -> None:
        """The stored file changed elsewhere or is damaged: it is never replaced, but the
        work can be kept as a new session (the old file stays as it is)."""
        doc = self.document
        if doc is None or not doc.editable:
            return
        answer = QMessageBox.question(
            self._dialog_parent,
            "The session was not saved",
            f"{error}\n\nSave this work as a new session? The stored file stays as it is; "
            "nothing you did here is lost either way.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.status.emit("Not saved: the work stays open here and in the autosave draft.")
            return
        old_id = doc.session.id
        doc.session.id = new_session_id()
        self.worker.submit(self.store.discard_draft, old_id)
        self.save()

    def _on_change(self, change: Change) -> None:
        if change.kind != "style" and self.document is not None and self.document.editable:
            self._autosave.start()
        # Every dab lands here: retitle only when the unsaved state flips, or when the
        # session's own details (its date and time) changed.
        if self.dirty != self._title_dirty or change.kind == "session":
            self._update_title()

    def _update_title(self) -> None:
        doc = self.document
        self._title_dirty = self.dirty
        if doc is not None:
            marker = "• " if self.dirty else ""
            self._host.set_session_title(marker + self._title(doc.session))

    # -- actions -----------------------------------------------------------------------------
    def _build_actions(self) -> None:
        window = self._dialog_parent
        self.save_action = QAction("&Save session", window)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save)
        self.finalise_action = QAction("&Finalise session…", window)
        self.finalise_action.setToolTip("Sign the session: read-only for ever, amendments only")
        self.finalise_action.triggered.connect(self.finalise)
        self.close_action = QAction("&Close session", window)
        self.close_action.setShortcut(QKeySequence.StandardKey.Close)
        self.close_action.triggered.connect(self.close_session)
        self.update_actions()

    def update_actions(self) -> None:
        """Enable what makes sense for the open session."""
        doc = self.document
        editable = doc is not None and doc.editable
        self.save_action.setEnabled(editable)
        self.finalise_action.setEnabled(editable)
        self.close_action.setEnabled(doc is not None)

    def _warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self._dialog_parent, title, text)
