"""The push-to-talk controller: one undo step per command, nothing changed when unsure, and
a working window with no audio device."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("PyQt6")

from PyQt6.QtCore import Qt  # noqa: E402
from PyQt6.QtGui import QUndoStack  # noqa: E402
from PyQt6.QtWidgets import QDialog, QLineEdit, QVBoxLayout, QWidget  # noqa: E402

from bodymap.ui.voice_control import VoiceControl  # noqa: E402
from bodymap.voice.commands import parse  # noqa: E402
from bodymap.voice.decoder import Recognition  # noqa: E402


class FakeMicrophone:
    def __init__(self):
        self.recording = False
        self.opened = 0

    def start(self):
        self.recording = True
        self.opened += 1

    def stop(self):
        self.recording = False
        return np.zeros(1600, dtype=np.int16)


class ScriptedRecogniser:
    """Says what the test scripts, with the given confidence, on the current vocabulary."""

    def __init__(self, vocabulary):
        self.vocabulary = vocabulary
        self.next = ("", 0.0)

    def set_vocabulary(self, vocabulary):
        self.vocabulary = vocabulary

    def recognise(self, samples):
        text, confidence = self.next
        return Recognition(text, confidence, parse(text, self.vocabulary, confidence))


@pytest.fixture
def setup(qtbot, document):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(600, 400)
    window.show()
    window.activateWindow()
    stack = QUndoStack(window)
    made = []

    def factory(vocabulary):
        made.append(ScriptedRecogniser(vocabulary))
        return made[0]

    microphone = FakeMicrophone()
    control = VoiceControl(window, stack, lambda: document, factory, microphone)
    assert control.enabled  # on by default where a recogniser and audio are present
    control.set_enabled(True)
    return window, stack, control, made, microphone


def speak(qtbot, window, recognisers, text, confidence=1.0):
    qtbot.keyPress(window, Qt.Key.Key_F9)
    recognisers[0].next = (text, confidence)
    qtbot.keyRelease(window, Qt.Key.Key_F9)


def test_a_spoken_command_is_one_undo_step(qtbot, setup, document):
    window, stack, control, made, microphone = setup
    speak(qtbot, window, made, "energy cyst lower abdomen seven emotional trauma")
    assert microphone.opened == 1 and not microphone.recording
    assert stack.count() == 1
    session = document.session
    assert np.count_nonzero(session.overlays.layer("energy_cyst")) > 0 and len(session.pins) == 1
    assert control.confirmation.startswith("Energy cyst · Abdomen, lower · 7 · Emotional trauma")
    assert "Ctrl+Z undoes" in control.confirmation
    stack.undo()
    assert np.count_nonzero(session.overlays.layer("energy_cyst")) == 0
    assert session.pins == {} and session.strokes == []


def test_spoken_undo_undoes(qtbot, setup, document):
    window, stack, control, made, _ = setup
    speak(qtbot, window, made, "still point")
    assert [e.kind for e in document.session.events] == ["still_point"]
    speak(qtbot, window, made, "undo")
    assert document.session.events == [] and stack.index() == 0


def test_an_unsure_result_changes_nothing(qtbot, setup, document):
    window, stack, control, made, _ = setup
    revision = document.revision
    speak(qtbot, window, made, "restriction left temporal six", confidence=0.5)
    speak(qtbot, window, made, "the weather is lovely", confidence=1.0)
    assert stack.count() == 0 and document.revision == revision
    assert "nothing changed" in control.confirmation


def test_a_renamed_tag_is_followed(qtbot, setup, document):
    window, stack, control, made, _ = setup
    document.session.tags.update("heat", name="Warmth")
    speak(qtbot, window, made, "warmth sacrum eight")
    assert stack.count() == 1
    assert np.count_nonzero(document.session.overlays.layer("heat")) > 0


def test_switched_off_the_key_does_nothing(qtbot, setup):
    window, stack, control, made, microphone = setup
    control.set_enabled(False)
    qtbot.keyPress(window, Qt.Key.Key_F9)
    qtbot.keyRelease(window, Qt.Key.Key_F9)
    assert microphone.opened == 0 and made == []


def test_no_audio_device(qtbot, document, monkeypatch):
    # No sounddevice / PortAudio at all: the real microphone says so; nothing else changes.
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    stack = QUndoStack(window)
    control = VoiceControl(window, stack, lambda: document, lambda v: ScriptedRecogniser(v))
    control.set_enabled(True)
    messages = []
    control.message.connect(messages.append)
    qtbot.keyPress(window, Qt.Key.Key_F9)
    qtbot.keyRelease(window, Qt.Key.Key_F9)
    assert messages and messages[-1].startswith("Voice commands unavailable: no audio support")
    assert stack.count() == 0 and not control.recording


def test_note_records_a_spoken_note_as_one_undo_step(qtbot, setup, document):
    window, stack, control, made, microphone = setup
    control._transcriber = lambda samples: "note client felt warmth"
    speak(qtbot, window, made, "still point")
    speak(qtbot, window, made, "note")
    clips = list(document.session.clips.values())
    assert len(clips) == 1 and stack.count() == 2
    clip = clips[0]
    assert clip.transcript == "client felt warmth" and clip.transcript_automatic
    assert clip.event_id == document.session.events[0].id  # the event made just before
    assert clip.seconds == 0.1 and control.confirmation == "Note recorded (0 s) — Ctrl+Z undoes"
    stack.undo()
    assert document.session.clips == {} and len(document.session.events) == 1


def test_a_note_recorded_while_a_pin_is_selected_belongs_to_the_pin(qtbot, setup, document):
    from bodymap.core.annotations import Pin, SurfacePoint

    window, stack, control, made, microphone = setup
    pin = Pin(SurfacePoint(document.mesh.vertices[0], 0), "pain")
    document.session.pins[pin.id] = pin
    selected = [pin.id]
    control._selected_pin = lambda: selected[0]  # as the main window passes the view's
    control._transcriber = lambda samples: "note sharp when breathing in"
    speak(qtbot, window, made, "still point")
    speak(qtbot, window, made, "note")
    clip = next(iter(document.session.clips.values()))
    assert (clip.pin_id, clip.event_id) == (pin.id, None)  # not the event made just before
    assert control.confirmation.startswith("Note recorded for the selected pin")
    selected[0] = "not-a-pin"  # a vector, or a pin deleted since: the event, as before
    speak(qtbot, window, made, "note")
    later = [c for c in document.session.clips.values() if c.id != clip.id][0]
    assert (later.pin_id, later.event_id) == (None, document.session.events[0].id)


def test_the_key_is_watched_on_the_window_only_never_the_application(qtbot, setup):
    window, stack, control, made, microphone = setup
    field = QLineEdit(window)  # a panel's text field: the key still reaches the window
    QVBoxLayout(window).addWidget(field)
    field.setFocus()
    qtbot.keyPress(field, Qt.Key.Key_F9)
    qtbot.keyRelease(field, Qt.Key.Key_F9)
    assert microphone.opened == 1
    dialog = QDialog(window)  # a dialog's text field is typed in: never push-to-talk
    qtbot.addWidget(dialog)
    typed = QLineEdit(dialog)
    dialog.show()
    qtbot.keyPress(typed, Qt.Key.Key_F9)
    qtbot.keyRelease(typed, Qt.Key.Key_F9)
    assert microphone.opened == 1  # an application-wide filter would have opened it


class FakeAmendments:
    can_amend = True

    def __init__(self):
        self.stored = []

    def amend(self, text, author, section=""):
        self.stored.append((text, section))
        return self.stored[-1]


def test_a_note_on_a_finalised_session_becomes_an_amendment(qtbot, setup, document):
    from datetime import UTC, datetime

    window, stack, control, made, microphone = setup
    control._transcriber = lambda samples: "note pain eased after the session"
    control.amendments = FakeAmendments()
    document.mark_finalised(datetime(2026, 3, 4, tzinfo=UTC))
    speak(qtbot, window, made, "note")
    assert control.amendments.stored == [("pain eased after the session", "spoken note")]
    assert document.session.clips == {} and stack.count() == 0
    speak(qtbot, window, made, "still point")  # anything else is refused, nothing changes
    assert document.session.events == [] and "finalised" in control.confirmation


class BlockMicrophone(FakeMicrophone):
    """Hands out what it recorded since last asked, a 0.1 s block each time."""

    def __init__(self):
        super().__init__()
        self.handed = 0

    def take(self):
        self.handed += 1
        return np.zeros(1600, dtype=np.int16)


class StreamingRecogniser(ScriptedRecogniser):
    """Takes audio as it arrives; says what the test scripts when the utterance ends."""

    def __init__(self, vocabulary):
        super().__init__(vocabulary)
        self.blocks = 0
        self.whole = 0

    def start(self):
        self.blocks = 0

    def feed(self, samples):
        self.blocks += 1

    def finish(self):
        text, confidence = self.next
        return Recognition(text, confidence, parse(text, self.vocabulary, confidence))

    def recognise(self, samples):
        self.whole += 1
        return super().recognise(samples)


def test_audio_is_decoded_while_the_key_is_held(qtbot, document):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    stack = QUndoStack(window)
    made = []
    microphone = BlockMicrophone()
    control = VoiceControl(
        window,
        stack,
        lambda: document,
        lambda v: made.append(StreamingRecogniser(v)) or made[0],
        microphone,
    )
    control.set_enabled(True)
    qtbot.keyPress(window, Qt.Key.Key_F9)
    qtbot.wait(350)  # the key held: blocks go to the recogniser as they arrive
    made[0].next = ("release sacrum", 1.0)
    fed_while_held = made[0].blocks
    qtbot.keyRelease(window, Qt.Key.Key_F9)
    assert fed_while_held >= 2
    assert made[0].blocks == fed_while_held + 1  # only the last block is left at release
    assert made[0].whole == 0  # not decoded again from the start
    assert stack.count() == 1 and "Release" in control.confirmation
