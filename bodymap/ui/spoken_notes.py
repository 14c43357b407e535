"""The spoken notes of the open session, under its timeline: play one, correct its words.

Each row is a note: its time, length, what it belongs to (an event, a pin, the session) and
its transcript, marked "automatic" until a person edits it. Playing goes through
sounddevice, imported on the first play: with no audio device the panel says why in one
line and nothing else changes.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QUndoStack
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.annotations import SpokenClip
from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change, ClipEdit
from bodymap.ui.document_binding import DocumentBound
from bodymap.ui.undo import push_edit
from bodymap.voice.clips import PlaybackUnavailable, play_clip

COLUMNS = ("Time", "Length", "Belongs to", "Transcript")
ID_ROLE = Qt.ItemDataRole.UserRole
AUTOMATIC = "automatic"


def transcript_text(clip: SpokenClip) -> str:
    """The transcript as the list shows it: marked while it is the recogniser's."""
    if not clip.transcript:
        return "(no transcript)"
    return f"{clip.transcript} ({AUTOMATIC})" if clip.transcript_automatic else clip.transcript


class SpokenNotesList(QWidget, DocumentBound):
    """The open session's spoken notes, in time order, with Play and Edit transcript."""

    def __init__(self, stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self._document: SessionDocument | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemDoubleClicked.connect(lambda *_: self.play())
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.play_button = QPushButton("P&lay note")
        self.play_button.clicked.connect(lambda: self.play())
        self.edit_button = QPushButton("Edit &transcript…")
        self.edit_button.clicked.connect(lambda: self.edit_transcript())
        self.status = QLabel()  # why a note cannot play, in one line
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Spoken notes"))
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.set_document(None)

    def set_document(self, document: SessionDocument | None) -> None:
        self._bind(document)
        self._reload()

    def selected(self) -> SpokenClip | None:
        items = self.tree.selectedItems()
        if not items or self._document is None:
            return None
        return self._document.session.clips.get(items[0].data(0, ID_ROLE))

    def select(self, clip_id: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            if self.tree.topLevelItem(i).data(0, ID_ROLE) == clip_id:
                self.tree.setCurrentItem(self.tree.topLevelItem(i))

    def play(self) -> bool:
        """Play the selected note; False (and the reason shown) when it cannot play."""
        clip = self.selected()
        if clip is None:
            return False
        try:
            play_clip(clip)
        except PlaybackUnavailable as error:
            self.status.setText(f"Cannot play this note: {error}")
            return False
        self.status.setText(f"Playing ({clip.seconds:.0f} s)")
        return True

    def edit_transcript(self, text: str | None = None) -> bool:
        """Correct the selected note's words (asked for when ``text`` is None): one undo
        step, and the transcript is no longer marked automatic."""
        clip = self.selected()
        if clip is None or self._document is None or not self._document.editable:
            return False
        if text is None:
            text, ok = QInputDialog.getMultiLineText(
                self, "Transcript", "What the note says:", clip.transcript
            )
            if not ok:
                return False
        if text == clip.transcript and not clip.transcript_automatic:
            return False
        push_edit(self.stack, self._document, ClipEdit(clip, clip.corrected(text.strip())))
        self.select(clip.id)
        return True

    def _on_change(self, change: Change) -> None:
        if change.kind in ("clips", "events", "pins", "session"):
            self._reload()

    def _reload(self) -> None:
        selected = self.selected()
        self.tree.clear()
        session = None if self._document is None else self._document.session
        clips = [] if session is None else sorted(session.clips.values(), key=lambda c: c.time)
        events = {} if session is None else {e.id: e.label for e in session.events}
        for clip in clips:
            owner = events.get(clip.event_id, "") or ("Pin" if clip.pin_id else "Session")
            time = clip.time.astimezone().strftime("%H:%M:%S")
            item = QTreeWidgetItem([time, f"{clip.seconds:.0f} s", owner, transcript_text(clip)])
            item.setData(0, ID_ROLE, clip.id)
            item.setToolTip(3, clip.transcript)
            self.tree.addTopLevelItem(item)
        if selected is not None:
            self.select(selected.id)
        self.setVisible(bool(clips))
        self._update_buttons()

    def _update_buttons(self) -> None:
        clip = self.selected()
        self.play_button.setEnabled(clip is not None)
        editable = self._document is not None and self._document.editable
        self.edit_button.setEnabled(clip is not None and editable)
