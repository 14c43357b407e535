"""Spoken notes as undoable edits: adding, deleting, and what happens to the notes of a
deleted event or pin (they stay, as notes of the session: nothing said is lost)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from bodymap.core.annotations import Pin, SpokenClip, SurfacePoint
from bodymap.core.edits import AnnotationEdit, ClipEdit, EventEdit
from bodymap.core.session import Session, SessionEvent

WHEN = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def _session() -> tuple[Session, SessionEvent, Pin]:
    session = Session("c-1", "ab" * 32, 10)
    event = SessionEvent("release", WHEN, id="e1")
    pin = Pin(SurfacePoint((0.0, 1.0, 0.0), 2), "pain", id="p1")
    session.events.append(event)
    session.pins[pin.id] = pin
    return session, event, pin


def _clip(**fields) -> SpokenClip:
    return SpokenClip(WHEN, np.arange(160, dtype=np.int16), **fields)


def test_adding_a_note_is_undone_and_redone():
    session, event, _ = _session()
    clip = _clip(event_id=event.id)
    edit = ClipEdit(None, clip)
    assert edit.text == "add spoken note" and edit.apply(session).kind == "clips"
    assert session.clips == {clip.id: clip}
    edit.revert(session)
    assert session.clips == {}
    edit.apply(session)
    assert session.clips[clip.id].event_id == "e1"


@pytest.mark.parametrize("owner", ["event", "pin"])
def test_deleting_its_event_or_pin_keeps_the_note_and_undo_reattaches_it(owner):
    session, event, pin = _session()
    clip = _clip(event_id=event.id) if owner == "event" else _clip(pin_id=pin.id)
    session.clips[clip.id] = clip
    edit = EventEdit(event, None) if owner == "event" else AnnotationEdit(pin, None)
    edit.apply(session)
    kept = session.clips[clip.id]
    assert (kept.event_id, kept.pin_id) == (None, None) and kept.samples is clip.samples
    edit.revert(session)
    assert session.clips[clip.id] is clip
    edit.apply(session)  # redo detaches again
    assert session.clips[clip.id].event_id is None and session.clips[clip.id].pin_id is None


def test_a_note_read_later_is_checked_against_its_length():
    lazy = SpokenClip(WHEN, None, length=4, source=lambda: np.zeros(4, np.int16))
    assert not lazy.loaded and lazy.seconds == 4 / 16000
    assert lazy.audio().size == 4 and lazy.loaded
    wrong = SpokenClip(WHEN, None, length=5, source=lambda: np.zeros(4, np.int16))
    with pytest.raises(ValueError, match="not 5"):
        wrong.audio()
    with pytest.raises(ValueError, match="source"):
        SpokenClip(WHEN, None)
    with pytest.raises(ValueError, match="transcript"):
        _clip(transcript="x" * 20_000)
