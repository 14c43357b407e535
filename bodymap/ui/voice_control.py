"""Push-to-talk voice commands in the main window.

Hold the key (F9 by default; a USB foot pedal sends a key) and speak; on release the
utterance is recognised and, when sure, applied as one undo step with a quiet confirmation
("Restriction · Left temporal · 6 — Ctrl+Z undoes"). An unsure result changes nothing and
says so. "Note", then free speech until the key is released, records a spoken note: the
clip is added as one undo step, attached to the event made a moment before (or the
session), with the recogniser's transcript marked automatic. Without pocketsphinx, PortAudio
or a microphone the controller only says that voice commands are unavailable; the app
works as before.

The key is watched by an event filter on the main window and its 3D view only, never on
the whole application: an application-wide Python filter is called for every event of
every object (paint and expose events of the GL view included) and crashed the benchmark's
window process. Keys the panels do not use reach the main window by propagation; a
dialog is a window of its own, so typing in its text fields is never taken for the key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QKeyEvent, QUndoCommand, QUndoStack
from PyQt6.QtWidgets import QLabel, QWidget

from bodymap.core.document import SessionDocument
from bodymap.core.edits import ClipEdit
from bodymap.core.session import SessionFinalisedError, utc_now
from bodymap.store.amendments import SPOKEN_NOTE_SECTION
from bodymap.ui.settings import (
    PRACTITIONER_KEY,
    VOICE_ENABLED_KEY,
    VOICE_KEY_KEY,
    VOICE_SOUND_KEY,
    app_settings,
)
from bodymap.ui.undo import EditCommand, push_edit
from bodymap.ui.voice_devices import (
    decodes_as_it_arrives,
    default_microphone,
    default_recogniser,
    voice_unavailable,
)
from bodymap.voice.apply import command_edit, describe
from bodymap.voice.audio import split_utterances
from bodymap.voice.clips import record_clip
from bodymap.voice.vocabulary import Vocabulary

ENABLED_KEY, PUSH_TO_TALK_KEY, SOUND_KEY = VOICE_ENABLED_KEY, VOICE_KEY_KEY, VOICE_SOUND_KEY
DEFAULT_KEY = Qt.Key.Key_F9
FEED_MS = 100
"""How often audio recorded while the key is held is handed to the recogniser."""
CONFIRMATION_MS = 4000
ATTACH_WITHIN = timedelta(seconds=90)
"""A note belongs to the event made at most this long before the key went down."""
COMMAND_PAUSE_S = 0.3
"""The pause that ends the spoken command ("Note") before free speech."""


class VoiceControl(QObject):
    """Push-to-talk for one window.

    Parameters
    ----------
    window : QWidget
        Where the confirmation is shown.
    stack : QUndoStack
        Where commands go (one undo step each).
    document : callable () -> SessionDocument or None
        The open session, asked at each command.
    recogniser_factory : callable (Vocabulary) -> recogniser, optional
        Makes the recogniser (tests pass a fake); by default pocketsphinx's.
    microphone : object with start() and stop() -> samples, optional
    view : QWidget, optional
        The 3D view, which takes every key it is sent: watched as well as ``window``.
    transcriber : callable (samples) -> str, optional
        Transcribes a spoken note (by default pocketsphinx's general model, when present).
    selected_pin : callable () -> str or None, optional
        The id of the pin selected in the view: a note recorded meanwhile belongs to it.
    """

    message = pyqtSignal(str)

    def __init__(
        self,
        window: QWidget,
        stack: QUndoStack,
        document: Callable[[], SessionDocument | None],
        recogniser_factory: Callable | None = None,
        microphone=None,
        view: QWidget | None = None,
        transcriber: Callable | None = None,
        selected_pin: Callable[[], str | None] | None = None,
    ) -> None:
        super().__init__(window)
        settings = app_settings()
        # On by default where it can work (a recogniser and audio support); a setting turns
        # it off. The microphone itself is open only while the key is held.
        self.unavailable = None if recogniser_factory else voice_unavailable()
        self.enabled = _flag(settings.value(ENABLED_KEY, True)) and self.unavailable is None
        self.sound = _flag(settings.value(SOUND_KEY, False))
        self.key = int(settings.value(PUSH_TO_TALK_KEY, int(DEFAULT_KEY.value)))
        self._window, self._stack, self._document = window, stack, document
        self._watched = [w for w in (window, view) if w is not None]
        self._transcriber = transcriber
        self._selected_pin = selected_pin or (lambda: None)
        self._pressed_at = None
        self.amendments = None
        """The amendments panel (``amend`` and ``can_amend``): a spoken note on a finalised
        session becomes an amendment there."""
        self._factory = recogniser_factory or default_recogniser
        self._microphone = microphone
        self._recogniser = None
        self._feeding = QTimer(self, interval=FEED_MS)
        self._feeding.timeout.connect(self._feed)
        self._signature: tuple | None = None
        self._unavailable: str | None = None
        self._label = _confirmation_label(window)
        self._hide = QTimer(self, singleShot=True, interval=CONFIRMATION_MS)
        self._hide.timeout.connect(self._label.hide)
        self._watch(self.enabled)

    def _watch(self, on: bool) -> None:
        for widget in self._watched:
            with contextlib.suppress(RuntimeError):  # its C++ side may be gone already
                widget.removeEventFilter(self)  # never twice
                if on:
                    widget.installEventFilter(self)

    def show_availability(self, menus: QWidget) -> None:
        """Where voice cannot work, the voice menu entry says why and cannot be ticked."""
        if self.unavailable is None:
            return
        for action in menus.findChildren(QAction):
            if action.text().replace("&", "").startswith("Voice commands"):
                action.setChecked(False)
                action.setEnabled(False)
                action.setText(f"Voice commands unavailable: {self.unavailable}")

    def close(self) -> None:
        """Stop listening for the push-to-talk key (the window closes, the app quits)."""
        self._watch(False)

    @property
    def recording(self) -> bool:
        return self._microphone is not None and getattr(self._microphone, "recording", False)

    def set_enabled(self, enabled: bool) -> None:
        """Switch recognition on or off (remembered)."""
        self.enabled = bool(enabled)
        app_settings().setValue(ENABLED_KEY, self.enabled)
        self._watch(self.enabled)

    def set_key(self, key: Qt.Key | int) -> None:
        """Choose the push-to-talk key (remembered)."""
        self.key = int(getattr(key, "value", key))
        app_settings().setValue(PUSH_TO_TALK_KEY, self.key)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not self.enabled:
            return False
        if not isinstance(event, QKeyEvent) or event.key() != self.key:
            return False
        # A held key repeats, and the window and the focused widget both see each event:
        # begin() and end() act only on a change between listening and not.
        if not event.isAutoRepeat():
            if kind == QEvent.Type.KeyPress:
                self.begin()
            else:
                self.end()
        return True

    def begin(self) -> None:
        """The key went down: open the microphone."""
        document = self._document()
        if document is None or self.recording:
            return
        if not document.editable and not self._can_amend():
            return
        # Built (or moved to new tag names) now, while the practitioner speaks.
        if self._current_recogniser() is None:
            return
        try:
            self._microphone = self._microphone or default_microphone()
            self._microphone.start()
        except Exception as error:  # noqa: BLE001 - MicrophoneUnavailable and import errors
            self._say(f"Voice commands unavailable: {error}")
            return
        self._pressed_at = utc_now()
        recogniser = self._current_recogniser()
        if decodes_as_it_arrives(recogniser, self._microphone):
            # Decoded while the key is held, so that only the last block is left at release.
            recogniser.start()
            self._feeding.start()
        self.message.emit("Listening…")

    def _feed(self) -> None:
        recogniser = self._current_recogniser()
        if self.recording and recogniser is not None:
            recogniser.feed(self._microphone.take())

    def end(self) -> None:
        """The key came up: close the microphone, recognise, apply."""
        if not self.recording:
            return
        fed = self._feeding.isActive()
        self._feeding.stop()
        samples = self._microphone.stop()
        recogniser = self._current_recogniser()
        if recogniser is None:
            return
        # The command is the first stretch of speech ("Note" ends at a short pause).
        stretches = split_utterances(samples, COMMAND_PAUSE_S)
        if fed and len(stretches) <= 1:
            recogniser.feed(self._microphone.take())
            self.handle(recogniser.finish(), samples)
            return
        self.handle(recogniser.recognise(stretches[0] if stretches else samples), samples)

    def handle(self, recognition, samples=None) -> None:
        """Apply a recognition when sure; otherwise change nothing and say so."""
        command = recognition.command
        if command is None or not command.sure:
            heard = f" (heard “{recognition.text}”)" if recognition.text else ""
            self._say(f"Not understood{heard}: nothing changed")
            return
        document = self._document()
        if document is None:
            return
        if command.kind == "note":
            (self.add_note if document.editable else self.amend_note)(document, samples)
            return
        if not document.editable:
            self._say("Not applied: this session is finalised (a spoken note becomes an amendment)")
            return
        if command.kind == "undo":
            text = self._stack.undoText()
            self._stack.undo()
            self._say(f"Undone: {text}" if text else "Nothing to undo")
            return
        try:
            edit = command_edit(command, document)
        except (SessionFinalisedError, ValueError) as error:
            self._say(f"Not applied: {error}")
            return
        if edit is None:
            self._say(f"{_summary(command, document)}: already so, nothing changed")
            return
        push_voice_edit(self._stack, document, edit)
        self._say(f"{_summary(command, document)} — Ctrl+Z undoes", tone=True)

    def add_note(self, document: SessionDocument, samples) -> None:
        """Keep the whole recording as a spoken note, one undo step, transcribed when a
        transcriber is present (the transcript is marked automatic). It belongs to the pin
        selected in the view, else to the event made just before (:func:`latest_event`)."""
        if samples is None or len(samples) == 0:
            self._say("Note not recorded: nothing was heard")
            return
        when = self._pressed_at or utc_now()
        pin = self._selected_pin()
        pin = pin if pin in document.session.pins else None  # a vector or nothing selected
        event = None if pin else latest_event(document, when)
        try:
            text = self._transcribe(samples)
            clip = record_clip(samples, when, (lambda _: text) if text else None, event, pin)
            push_edit(self._stack, document, ClipEdit(None, clip))
        except (SessionFinalisedError, ValueError) as error:
            self._say(f"Note not recorded: {error}")
            return
        owner = " for the selected pin" if pin else ""
        self._say(f"Note recorded{owner} ({clip.seconds:.0f} s) — Ctrl+Z undoes", tone=True)

    def _can_amend(self) -> bool:
        return self.amendments is not None and self.amendments.can_amend

    def amend_note(self, document: SessionDocument, samples) -> None:
        """A note on a finalised session: its transcript becomes an amendment, like a
        written correction (amendments are text: the audio is not kept)."""
        text = self._transcribe(samples) if samples is not None and len(samples) else ""
        if not text or not self._can_amend():
            self._say(
                "Not recorded: a finalised session takes amendments, and no words were made out"
            )
            return
        author = str(app_settings().value(PRACTITIONER_KEY, "") or document.session.practitioner)
        if self.amendments.amend(text, author or "voice", SPOKEN_NOTE_SECTION) is not None:
            self._say("Amendment added from a spoken note (its words; the audio is not kept)")

    def _transcribe(self, samples) -> str:
        """The note's words without the command word, or "" with no transcriber."""
        if self._transcriber is None:
            try:
                from bodymap.voice.clips import Dictation

                self._transcriber = Dictation()
            except Exception:  # noqa: BLE001 - no pocketsphinx or model: no transcript
                self._transcriber = lambda _: ""
        words = self._transcriber(samples).split()
        return " ".join(words[1:] if words[:1] == ["note"] else words)

    def _current_recogniser(self):
        """The recogniser on the session's current vocabulary (a renamed tag is followed)."""
        document = self._document()
        if document is None or self._unavailable:
            if self._unavailable:
                self._say(self._unavailable)
            return None
        signature = (id(document), tuple((t.key, t.name) for t in document.session.tags))
        if signature != self._signature:
            vocabulary = Vocabulary.build(document.session.tags, document.atlas)
            try:
                if self._recogniser is None:
                    self._recogniser = self._factory(vocabulary)
                else:
                    self._recogniser.set_vocabulary(vocabulary)
            except Exception as error:  # noqa: BLE001 - RecogniserUnavailable, broken models
                self._unavailable = f"Voice commands unavailable: {error}"
                self._say(self._unavailable)
                return None
            self._signature = signature
        return self._recogniser

    def _say(self, text: str, tone: bool = False) -> None:
        self.message.emit(text)
        self._label.setText(text)
        self._label.adjustSize()
        parent = self._label.parentWidget()
        self._label.move(
            (parent.width() - self._label.width()) // 2, parent.height() - self._label.height() - 48
        )
        self._label.show()
        self._label.raise_()
        self._hide.start()
        if tone and self.sound:
            from bodymap.voice.capture import play_soft_tone

            play_soft_tone()

    @property
    def confirmation(self) -> str:
        """The confirmation text last shown (empty when hidden)."""
        return self._label.text() if self._label.isVisible() else ""


def push_voice_edit(stack: QUndoStack, document: SessionDocument, edit) -> QUndoCommand:
    """Push a voice edit as one undo step whose parts each tell the views what changed."""
    document.session.require_editable()
    command = QUndoCommand(edit.text)
    for part in edit.parts:
        EditCommand(document, part, parent=command)
    stack.push(command)
    return command


def latest_event(document: SessionDocument, when) -> str | None:
    """The id of the last event made within :data:`ATTACH_WITHIN` before ``when``."""
    recent = [e for e in document.session.events if when - ATTACH_WITHIN <= e.time <= when]
    return max(recent, key=lambda e: e.time).id if recent else None


def _summary(command, document: SessionDocument) -> str:
    tags = document.session.tags
    return describe(command, tags.get(command.tag).name if command.tag in tags else None)


def _confirmation_label(window: QWidget) -> QLabel:
    # A child label, not a dialog or tool tip: it never takes focus or blocks a click.
    label = QLabel(window)
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    label.setStyleSheet(
        "QLabel { background: rgba(30, 30, 30, 200); color: white; padding: 6px 12px;"
        " border-radius: 6px; }"
    )
    label.hide()
    return label


def _flag(value) -> bool:
    return value in (True, "true", "1", 1)
