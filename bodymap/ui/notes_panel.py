"""The SOAP notes of the open session: four plain-text fields bound to the document.

Typing reaches the document after a short pause and whenever a field loses focus, so the
autosave sees it; a change made elsewhere (another panel, a reload) updates only the
fields it touched, with the editors' signals blocked.
"""

from __future__ import annotations

from dataclasses import replace

from PyQt6.QtCore import QEvent, QObject, QTimer
from PyQt6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change
from bodymap.core.session import SOAP_FIELDS, SoapNotes
from bodymap.ui.document_binding import DocumentBound

IDLE_MS = 400
"""Typing pauses this long before the notes are written to the document."""
FIELD_LABELS = {
    "subjective": "Subjective: what the client reports",
    "objective": "Objective: what you found",
    "assessment": "Assessment",
    "plan": "Plan",
}


class NotesPanel(QWidget, DocumentBound):
    """Subjective, Objective, Assessment and Plan editors for one :class:`SessionDocument`.

    Call :meth:`flush` before saving or closing so the last keystrokes are not left behind.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document: SessionDocument | None = None
        self._synced = SoapNotes()  # the notes as last read from or written to the document
        self._writing = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_MS)
        self._idle.timeout.connect(self.flush)
        self._notice = QLabel()
        self._notice.setWordWrap(True)
        self._notice.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self._notice)
        self.editors: dict[str, QPlainTextEdit] = {}
        for key in SOAP_FIELDS:
            editor = QPlainTextEdit()
            editor.setObjectName(f"notes_{key}")
            editor.setTabChangesFocus(True)
            editor.textChanged.connect(self._idle.start)
            editor.installEventFilter(self)
            label = QLabel(f"&{FIELD_LABELS[key]}")
            label.setBuddy(editor)
            layout.addWidget(label)
            layout.addWidget(editor, 1)
            self.editors[key] = editor
        self.set_document(None)

    def set_document(self, document: SessionDocument | None) -> None:
        """Show ``document``'s notes (``None``: empty and disabled), first saving pending typing."""
        self.flush()
        self._bind(document)
        self._synced = SoapNotes() if document is None else replace(document.session.notes)
        self._show_notes(self._synced, force=True)
        self._update_editable()

    def notes(self) -> SoapNotes:
        """The notes as the editors show them now."""
        return SoapNotes(**{k: e.toPlainText() for k, e in self.editors.items()})

    def flush(self) -> None:
        """Write what was typed to the document now (nothing if unchanged or read-only)."""
        self._idle.stop()
        document = self._document
        if document is None or not document.editable:
            return
        notes = self.notes()
        if notes == document.session.notes:
            self._synced = notes
            return
        self._writing = True
        try:
            document.set_notes(notes)
        finally:
            self._writing = False
        self._synced = notes

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.FocusOut:
            self.flush()
        return False

    def _on_change(self, change: Change) -> None:
        if self._writing or self._document is None:
            return
        if change.kind == "notes":
            new = self._document.session.notes
            self._show_notes(new, force=False)
            self._synced = replace(new)
        elif change.kind == "session":
            self._update_editable()

    def _show_notes(self, notes: SoapNotes, *, force: bool) -> None:
        """Put ``notes`` into the editors; unless ``force``, only the fields that changed in
        the document, so unsaved typing in another field survives."""
        for key, editor in self.editors.items():
            text = getattr(notes, key)
            if not force and text == getattr(self._synced, key):
                continue
            if editor.toPlainText() != text:
                editor.blockSignals(True)
                editor.setPlainText(text)
                editor.blockSignals(False)

    def _update_editable(self) -> None:
        document = self._document
        editable = document is not None and document.editable
        for editor in self.editors.values():
            editor.setReadOnly(not editable)
        self.setEnabled(document is not None)
        finalised = document is not None and not document.editable
        if finalised:
            when = document.session.finalised_at.astimezone().strftime("%d %b %Y %H:%M")
            self._notice.setText(
                f"Finalised on {when}: these notes are read-only. Add an amendment instead."
            )
        self._notice.setVisible(finalised)
