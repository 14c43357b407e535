"""The timeline's spoken notes, as a real widget: listed with their transcript marked
automatic, corrected as one undo step, and, with no audio device, a play button that says
why it cannot play instead of crashing."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import numpy as np
import pytest

pytest.importorskip("PyQt6")

from PyQt6.QtCore import Qt  # noqa: E402
from PyQt6.QtGui import QUndoStack  # noqa: E402

from bodymap.core.annotations import SpokenClip  # noqa: E402
from bodymap.core.edits import ClipEdit, EventEdit  # noqa: E402
from bodymap.core.session import SessionEvent  # noqa: E402
from bodymap.ui.events_panel import EventsPanel  # noqa: E402
from bodymap.ui.undo import push_edit  # noqa: E402

WHEN = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def test_notes_on_the_timeline_play_or_say_why_not(qtbot, document, monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # no PortAudio, no device
    stack = QUndoStack()
    panel = EventsPanel(stack)
    qtbot.addWidget(panel)
    panel.set_document(document)
    panel.show()
    assert not panel.notes.isVisible()  # no notes: no list
    event = SessionEvent("release", WHEN, id="e1")
    push_edit(stack, document, EventEdit(None, event))
    clip = SpokenClip(WHEN, np.zeros(32000, np.int16), transcript="warmth",
                      transcript_automatic=True, event_id="e1", id="k1")  # fmt: skip
    push_edit(stack, document, ClipEdit(None, clip))
    notes = panel.notes
    assert notes.isVisible() and notes.tree.topLevelItemCount() == 1
    row = notes.tree.topLevelItem(0)
    assert [row.text(i) for i in range(1, 4)] == ["2 s", "Release", "warmth (automatic)"]
    notes.select("k1")
    qtbot.mouseClick(notes.play_button, Qt.MouseButton.LeftButton)
    assert notes.status.text().startswith("Cannot play this note: no audio support")
    assert "\n" not in notes.status.text()
    assert notes.edit_transcript("warmth in the chest")
    row = notes.tree.topLevelItem(0)
    assert row.text(3) == "warmth in the chest"  # a person's words: no longer automatic
    stack.undo()
    assert document.session.clips["k1"].transcript_automatic
    panel.delete_event("e1")  # the event goes; its note stays, now the session's
    assert notes.tree.topLevelItem(0).text(2) == "Session"
    stack.undo()
    assert notes.tree.topLevelItem(0).text(2) == "Release"
