"""Push-to-talk voice commands in the main window.

Hold the key (F9 by default; a USB foot pedal sends a key) and speak; on release the
utterance is recognised and, when sure, applied as one undo step with a quiet confirmation
("Restriction · Left temporal · 6 — Ctrl+Z undoes"). An unsure result changes nothing and
says so. Without pocketsphinx, PortAudio or a microphone the controller only says that
voice commands are unavailable; the app works as before.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QKeyEvent, QUndoCommand, QUndoStack
from PyQt6.QtWidgets import QApplication, QLabel, QWidget

from bodymap.core.document import SessionDocument
from bodymap.core.session import SessionFinalisedError
from bodymap.ui.settings import app_settings
from bodymap.ui.undo import EditCommand
from bodymap.voice.apply import command_edit, describe
from bodymap.voice.vocabulary import Vocabulary

ENABLED_KEY = "voice/enabled"
PUSH_TO_TALK_KEY = "voice/key"
SOUND_KEY = "voice/sound"
DEFAULT_KEY = Qt.Key.Key_F9
CONFIRMATION_MS = 4000


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
    """

    message = pyqtSignal(str)

    def __init__(
        self,
        window: QWidget,
        stack: QUndoStack,
        document: Callable[[], SessionDocument | None],
        recogniser_factory: Callable | None = None,
        microphone=None,
    ) -> None:
        super().__init__(window)
        settings = app_settings()
        self.enabled = _flag(settings.value(ENABLED_KEY, True))
        self.sound = _flag(settings.value(SOUND_KEY, False))
        self.key = int(settings.value(PUSH_TO_TALK_KEY, int(DEFAULT_KEY.value)))
        self._window, self._stack, self._document = window, stack, document
        self._factory = recogniser_factory or _pocketsphinx_recogniser
        self._microphone = microphone
        self._recogniser = None
        self._signature: tuple | None = None
        self._unavailable: str | None = None
        self._label = _confirmation_label(window)
        self._hide = QTimer(self, singleShot=True, interval=CONFIRMATION_MS)
        self._hide.timeout.connect(self._label.hide)
        QApplication.instance().installEventFilter(self)

    @property
    def recording(self) -> bool:
        return self._microphone is not None and getattr(self._microphone, "recording", False)

    def set_enabled(self, enabled: bool) -> None:
        """Switch recognition on or off (remembered)."""
        self.enabled = bool(enabled)
        app_settings().setValue(ENABLED_KEY, self.enabled)

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
        if document is None or not document.editable or self.recording:
            return
        # Built (or moved to new tag names) now, while the practitioner speaks.
        if self._current_recogniser() is None:
            return
        try:
            self._microphone = self._microphone or _default_microphone()
            self._microphone.start()
        except Exception as error:  # noqa: BLE001 - MicrophoneUnavailable and import errors
            self._say(f"Voice commands unavailable: {error}")
            return
        self.message.emit("Listening…")

    def end(self) -> None:
        """The key came up: close the microphone, recognise, apply."""
        if not self.recording:
            return
        samples = self._microphone.stop()
        recogniser = self._current_recogniser()
        if recogniser is None:
            return
        self.handle(recogniser.recognise(samples))

    def handle(self, recognition) -> None:
        """Apply a recognition when sure; otherwise change nothing and say so."""
        command = recognition.command
        if command is None or not command.sure:
            heard = f" (heard “{recognition.text}”)" if recognition.text else ""
            self._say(f"Not understood{heard}: nothing changed")
            return
        document = self._document()
        if document is None:
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


def _pocketsphinx_recogniser(vocabulary: Vocabulary):
    from bodymap.voice.decoder import Recogniser

    return Recogniser(vocabulary)


def _default_microphone():
    from bodymap.voice.capture import Microphone

    return Microphone()
